// The twin's POST /oauth2/token: cognito-local's users, codes and token generator, with Cognito's client
// authentication, refresh-token rotation (grace period, then invalid_grant) and origin_jti.
import type { IncomingHttpHeaders } from 'node:http';
import { verifyS256 } from 'cognito-local/lib/oauth2/pkce';
import type { Services } from 'cognito-local/lib/services';
import type { AppClient } from 'cognito-local/lib/services/appClient';
import type { Context } from 'cognito-local/lib/services/context';
import type { User } from 'cognito-local/lib/services/userPoolService';
import { clientCredentials, secretMatches } from './client-auth';
import type { ClientSettings } from './client-settings';
import type { NonceCodeStore } from './nonce-codes';
import { runPreTokenTrigger } from './pre-token';
import type { RefreshFamilies, RefreshFamily } from './refresh-families';
import { lifetimeSeconds, reissue } from './tokens';

/** The parts of an Express request the endpoint reads (the body is parsed by cognito-local's urlencoded parser). */
export interface TokenRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body?: Record<string, unknown>;
}

/** The parts of an Express response it writes. */
export interface TokenResponse {
  status(code: number): TokenResponse;
  set(name: string, value: string): TokenResponse;
  json(body: unknown): void;
}

export interface TokenEndpointDeps {
  readonly services: Pick<Services, 'cognito' | 'tokenGenerator' | 'clock'>;
  /** The store cognito-local's `/oauth2/authorize` puts codes in. */
  readonly codes: NonceCodeStore;
  readonly families: RefreshFamilies;
  readonly clients: ClientSettings;
  readonly ctx: Context;
}

/** An OAuth error answer (RFC 6749 §5.2); Cognito answers them with 400 (token-endpoint.html, negative responses). */
class OAuthError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type',
    readonly description: string,
  ) {
    super(description);
  }
}

/** A token response body (RFC 6749 §5.1). */
export type Tokens = Record<string, string | number>;

/** Express handler for POST /oauth2/token. */
export function tokenEndpoint(deps: TokenEndpointDeps) {
  return async (req: TokenRequest, res: TokenResponse): Promise<void> => {
    res.set('Cache-Control', 'no-store');
    try {
      res.status(200).json(await grant(req, deps));
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      res.status(400).json({ error: error.error, error_description: error.description });
    }
  };
}

async function grant(req: TokenRequest, deps: TokenEndpointDeps): Promise<Tokens> {
  const body = req.body ?? {};
  const client = await authenticate(req, body, deps);
  switch (body.grant_type) {
    case 'authorization_code':
      return authorizationCode(body, client, deps);
    case 'refresh_token':
      return refresh(body, client, deps);
    default:
      throw new OAuthError(
        'unsupported_grant_type',
        'grant_type must be authorization_code or refresh_token',
      );
  }
}

/**
 * "invalid_client: Client authentication failed. For example, when the client includes client_id and client_secret
 * in the authorization header, but there's no such client with that client_id and client_secret."
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html). cognito-local checks no secret.
 */
async function authenticate(
  req: TokenRequest,
  body: Record<string, unknown>,
  deps: TokenEndpointDeps,
): Promise<AppClient> {
  const credentials = clientCredentials(req.headers.authorization, body);
  if (credentials.ambiguous) throw new OAuthError('invalid_client', 'Client authentication failed');
  if (!credentials.clientId) throw new OAuthError('invalid_request', 'Missing client_id');
  const client = await deps.services.cognito.getAppClient(deps.ctx, credentials.clientId);
  if (!client || !secretMatches(client, credentials.clientSecret)) {
    throw new OAuthError('invalid_client', 'Client authentication failed');
  }
  return client;
}

/** The code grant as cognito-local checks it (one use, client, redirect URI, PKCE S256), then a new family. */
async function authorizationCode(
  body: Record<string, unknown>,
  client: AppClient,
  deps: TokenEndpointDeps,
): Promise<Tokens> {
  const { code, redirect_uri: redirectUri, code_verifier: verifier } = body;
  if (typeof code !== 'string' || typeof redirectUri !== 'string' || typeof verifier !== 'string') {
    throw new OAuthError('invalid_request', 'code, redirect_uri and code_verifier are required');
  }
  const stored = deps.codes.consume(code);
  if (
    !stored ||
    stored.clientId !== client.ClientId ||
    stored.redirectUri !== redirectUri ||
    !verifyS256(verifier, stored.codeChallenge)
  ) {
    throw new OAuthError('invalid_grant', 'Invalid authorization code');
  }
  const user = await activeUser(deps, stored.userPoolId, stored.username);
  const now = nowSeconds(deps);
  const { family, refreshToken } = await deps.families.start({
    clientId: client.ClientId,
    userPoolId: stored.userPoolId,
    username: user.Username,
    scope: grantedScope(stored.scope, client),
    // The user just typed their password (a real authentication), unless the code came from the session cookie.
    authTime: stored.authTime ?? now,
    expiresAt: now + refreshValiditySeconds(client),
  });
  const tokens = await issue(deps, client, user, family, 'HostedAuth', stored.nonce);
  return { ...tokens, refresh_token: refreshToken };
}

/**
 * The refresh grant. With rotation on, "the token endpoint ... issues new ID, access, and optionally (with refresh
 * token rotation) refresh tokens" (amazon-cognito-user-pools-using-the-refresh-token.html) and the rotated-out token
 * "can remain valid for a period of time of up to 60 seconds" (API_RefreshTokenRotationType.html); after that, and
 * after RevokeToken or global sign-out, `invalid_grant`.
 */
async function refresh(
  body: Record<string, unknown>,
  client: AppClient,
  deps: TokenEndpointDeps,
): Promise<Tokens> {
  const token = body.refresh_token;
  if (typeof token !== 'string' || token.length === 0) {
    throw new OAuthError('invalid_request', 'Missing refresh_token');
  }
  const refreshed = await refreshFamily(token, client, deps);
  if (!refreshed.ok) throw new OAuthError('invalid_grant', 'Invalid Refresh Token');
  return refreshed.tokens;
}

/** A refresh: tokens, or why the refresh token is refused (`rotated`: reuse after the grace period). */
export type RefreshOutcome =
  | { readonly ok: true; readonly tokens: Tokens }
  | { readonly ok: false; readonly why: 'unknown' | 'revoked' | 'expired' | 'rotated' | 'user' };

/**
 * The refresh shared by the token endpoint and GetTokensFromRefreshToken: the family's rotation and grace, then
 * new tokens; `clientMetadata` (GetTokensFromRefreshToken's ClientMetadata) goes to the pre token trigger.
 */
export async function refreshFamily(
  token: string,
  client: AppClient,
  deps: TokenEndpointDeps,
  clientMetadata?: Readonly<Record<string, string>>,
): Promise<RefreshOutcome> {
  const rotation = await deps.clients.rotation(client.ClientId);
  const now = nowSeconds(deps);
  const presented = await deps.families.present(token, client.ClientId, now, rotation?.graceSeconds ?? 0);
  if (!presented.ok) return presented;
  const user = await findActiveUser(deps, presented.family.userPoolId, presented.family.username);
  if (!user) return { ok: false, why: 'user' };
  const tokens = await issue(
    deps,
    client,
    user,
    presented.family,
    'RefreshTokens',
    undefined,
    clientMetadata,
  );
  if (!rotation) return { ok: true, tokens };
  return {
    ok: true,
    tokens: { ...tokens, refresh_token: await deps.families.rotate(presented.family, now) },
  };
}

/** A deleted or disabled user gets no tokens. */
async function activeUser(deps: TokenEndpointDeps, userPoolId: string, username: string): Promise<User> {
  const user = await findActiveUser(deps, userPoolId, username);
  if (!user) throw new OAuthError('invalid_grant', 'User does not exist or is disabled');
  return user;
}

async function findActiveUser(
  deps: TokenEndpointDeps,
  userPoolId: string,
  username: string,
): Promise<User | undefined> {
  const pool = await deps.services.cognito.getUserPool(deps.ctx, userPoolId);
  const user = await pool.getUserByUsername(deps.ctx, username);
  return user?.Enabled ? user : undefined;
}

/**
 * cognito-local's tokens plus what Cognito puts in them with revocation on: `origin_jti`, the same for every token
 * of one sign-in (https://repost.aws/knowledge-center/cognito-revoke-refresh-tokens), and in the access token the
 * granted OAuth scopes instead of cognito-local's fixed `aws.cognito.signin.user.admin`; at sign-in the ID token
 * carries the authorize request's `nonce`. `auth_time` is "the authentication time ... that your user completed
 * authentication" (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html):
 * the sign-in's, kept by every refresh. cognito-local stamps the issue time on every token, which would make a
 * refreshed token look freshly authenticated and step-up (RFC 9470 `max_age`) meaningless offline. The pool's
 * pre token generation trigger (V2_0, pre-token.ts) runs on every minting, with `clientMetadata` when the call
 * carried some, and its claims go in before the ones above (which it may not override).
 */
async function issue(
  deps: TokenEndpointDeps,
  client: AppClient,
  user: User,
  family: RefreshFamily,
  source: 'HostedAuth' | 'RefreshTokens',
  nonce?: string,
  clientMetadata?: Readonly<Record<string, string>>,
): Promise<Tokens> {
  const pool = await deps.services.cognito.getUserPool(deps.ctx, family.userPoolId);
  const groups = await pool.listUserGroupMembership(deps.ctx, user);
  const generated = await deps.services.tokenGenerator.generate(
    deps.ctx,
    user,
    groups,
    client,
    undefined,
    source,
  );
  const authTime = family.authTime !== undefined ? { auth_time: family.authTime } : {};
  const added = await runPreTokenTrigger({
    source: `TokenGeneration_${source}`,
    region: family.userPoolId.split('_')[0] ?? '',
    userPoolId: family.userPoolId,
    clientId: client.ClientId,
    username: user.Username,
    userAttributes: Object.fromEntries(user.Attributes.map(({ Name, Value }) => [Name, Value ?? ''])),
    groups,
    scopes: family.scope.split(' ').filter(Boolean),
    ...(clientMetadata ? { clientMetadata } : {}),
  });
  const accessToken = reissue(generated.AccessToken, {
    ...added.access,
    origin_jti: family.originJti,
    scope: family.scope,
    ...authTime,
  });
  return {
    access_token: accessToken,
    id_token: reissue(generated.IdToken, {
      ...added.id,
      origin_jti: family.originJti,
      ...authTime,
      ...(nonce ? { nonce } : {}),
    }),
    token_type: 'Bearer',
    // cognito-local answers 3600 whatever the client's validity; Cognito answers the access token's lifetime.
    expires_in: lifetimeSeconds(accessToken),
  };
}

/** Requested scopes the client allows; none requested => every allowed scope. */
function grantedScope(requested: string, client: AppClient): string {
  const allowed = client.AllowedOAuthScopes ?? [];
  const asked = requested.split(' ').filter(Boolean);
  return (asked.length ? asked.filter((scope) => allowed.includes(scope)) : allowed).join(' ');
}

const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/** The client's refresh-token validity (cognito-local's default unit is days, default 30 days as in Cognito). */
export function refreshValiditySeconds(client: AppClient): number {
  const unit = UNIT_SECONDS[client.TokenValidityUnits?.RefreshToken ?? 'days'] ?? 86400;
  return (client.RefreshTokenValidity ?? 30) * unit;
}

const nowSeconds = (deps: TokenEndpointDeps): number =>
  Math.floor(deps.services.clock.get().getTime() / 1000);
