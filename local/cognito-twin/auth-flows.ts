// What Cognito refuses on InitiateAuth / AdminInitiateAuth before authenticating and cognito-local accepts: a
// confidential client without its SECRET_HASH, and an auth flow the client's ExplicitAuthFlows does not enable.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidParameterError, NotAuthorizedError } from 'cognito-local/lib/errors';
import type { Route } from 'cognito-local/lib/server/Router';
import type { Services } from 'cognito-local/lib/services';
import type { AppClient } from 'cognito-local/lib/services/appClient';
import type { Context } from 'cognito-local/lib/services/context';

/** An InitiateAuth or AdminInitiateAuth request, as far as these rules read it. */
interface AuthRequest {
  readonly ClientId?: string;
  readonly AuthFlow?: string;
  readonly AuthParameters?: Record<string, string | undefined>;
}

/** The ExplicitAuthFlows value that enables each AuthFlow (API_InitiateAuth.html, API_CreateUserPoolClient.html). */
const ENABLED_BY: Readonly<Record<string, string>> = {
  USER_PASSWORD_AUTH: 'ALLOW_USER_PASSWORD_AUTH',
  ADMIN_USER_PASSWORD_AUTH: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  ADMIN_NO_SRP_AUTH: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  USER_SRP_AUTH: 'ALLOW_USER_SRP_AUTH',
  CUSTOM_AUTH: 'ALLOW_CUSTOM_AUTH',
  USER_AUTH: 'ALLOW_USER_AUTH',
  REFRESH_TOKEN_AUTH: 'ALLOW_REFRESH_TOKEN_AUTH',
  REFRESH_TOKEN: 'ALLOW_REFRESH_TOKEN_AUTH',
};

/** "If you don't specify a value for ExplicitAuthFlows, your app client supports …" (API_CreateUserPoolClient.html). */
const DEFAULT_FLOWS = ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH'];

/** The deprecated values without `ALLOW_` and what each replaced; SRP and refresh came with them by default. */
const LEGACY: Readonly<Record<string, string>> = {
  ADMIN_NO_SRP_AUTH: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  USER_PASSWORD_AUTH: 'ALLOW_USER_PASSWORD_AUTH',
  CUSTOM_AUTH_FLOW_ONLY: 'ALLOW_CUSTOM_AUTH',
};

const isRefresh = (flow: string | undefined) => flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN';

/**
 * `inner` (cognito-local's InitiateAuth or AdminInitiateAuth) behind Cognito's refusals, the client's secret first:
 * - SECRET_HASH "required if the app client is configured with a client secret"
 *   (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html,
 *   https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminInitiateAuth.html): missing,
 *   NotAuthorizedException "Client <id> is configured with secret but SECRET_HASH was not received"; wrong,
 *   "Unable to verify secret hash for client <id>" (https://repost.aws/knowledge-center/cognito-unable-to-verify-secret-hash).
 *   The hash is Base64(HMAC-SHA256(secret, username + client id))
 *   (https://docs.aws.amazon.com/cognito/latest/developerguide/signing-up-users-in-your-app.html#cognito-user-pools-computing-secret-hash);
 *   a refresh without USERNAME is checked against the refresh token's user.
 * - a flow the client's ExplicitAuthFlows does not enable: InvalidParameterException "<FLOW> flow not enabled for
 *   this client" (API_CreateUserPoolClient.html, ExplicitAuthFlows).
 * Unknown clients and unknown flows are left to cognito-local, which refuses both.
 */
export function withClientAuthFlows(inner: Route, services: Pick<Services, 'cognito'>): Route {
  return async (ctx: Context, req: AuthRequest) => {
    const client = req.ClientId ? await services.cognito.getAppClient(ctx, req.ClientId) : null;
    if (client) {
      if (client.ClientSecret) await checkSecretHash(ctx, client, req, services);
      const required = req.AuthFlow ? ENABLED_BY[req.AuthFlow] : undefined;
      if (required && !enabledFlows(client).includes(required)) {
        throw new InvalidParameterError(`${req.AuthFlow} flow not enabled for this client`);
      }
    }
    return (await inner(ctx, req)) as unknown;
  };
}

/** The `ALLOW_*` flows a client enables. */
function enabledFlows(client: Pick<AppClient, 'ExplicitAuthFlows'>): readonly string[] {
  const listed = client.ExplicitAuthFlows;
  if (listed === undefined) return DEFAULT_FLOWS;
  const legacy = listed.filter((flow) => flow in LEGACY);
  if (legacy.length === 0) return listed;
  return [...legacy.map((flow) => LEGACY[flow] ?? flow), 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
}

async function checkSecretHash(
  ctx: Context,
  client: AppClient,
  req: AuthRequest,
  services: Pick<Services, 'cognito'>,
): Promise<void> {
  const presented = req.AuthParameters?.SECRET_HASH;
  if (presented === undefined) {
    throw new NotAuthorizedError(
      `Client ${client.ClientId} is configured with secret but SECRET_HASH was not received`,
    );
  }
  const username = req.AuthParameters?.USERNAME ?? (await refreshTokenOwner(ctx, client, req, services));
  if (username === undefined || !sameText(presented, secretHash(username, client))) {
    throw new NotAuthorizedError(`Unable to verify secret hash for client ${client.ClientId}`);
  }
}

async function refreshTokenOwner(
  ctx: Context,
  client: AppClient,
  req: AuthRequest,
  services: Pick<Services, 'cognito'>,
): Promise<string | undefined> {
  const token = req.AuthParameters?.REFRESH_TOKEN;
  if (!isRefresh(req.AuthFlow) || !token) return undefined;
  const pool = await services.cognito.getUserPoolForClientId(ctx, client.ClientId);
  return (await pool.getUserByRefreshToken(ctx, token))?.Username;
}

function secretHash(username: string, client: AppClient): string {
  return createHmac('sha256', client.ClientSecret ?? '')
    .update(username + client.ClientId)
    .digest('base64');
}

function sameText(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}
