// Cognito API operations the twin adds or corrects on top of cognito-local's router (same target signature).
import type { RefreshTokenRotationType } from '@aws-sdk/client-cognito-identity-provider';
import { InvalidParameterError, NotAuthorizedError, UserNotFoundError } from 'cognito-local/lib/errors';
import type { Route, Router } from 'cognito-local/lib/server/Router';
import type { Services } from 'cognito-local/lib/services';
import type { Context } from 'cognito-local/lib/services/context';
import { withClientAuthFlows } from './auth-flows';
import { secretMatches } from './client-auth';
import type { ClientSettings } from './client-settings';
import type { RefreshFamilies } from './refresh-families';
import { refreshValiditySeconds } from './token-endpoint';
import { reissue } from './tokens';

export interface TwinTargetDeps {
  readonly services: Pick<Services, 'cognito'>;
  readonly families: RefreshFamilies;
  readonly clients: ClientSettings;
}

/** cognito-local's router with the twin's operations in front; every other target is cognito-local's own. */
export function twinRouter(inner: Router, deps: TwinTargetDeps): Router {
  const routes: Record<string, Route> = {
    RevokeToken: revokeToken(deps),
    AdminUserGlobalSignOut: adminUserGlobalSignOut(deps),
    CreateUserPoolClient: keepRotation(inner('CreateUserPoolClient'), deps),
    UpdateUserPoolClient: keepRotation(inner('UpdateUserPoolClient'), deps),
    InitiateAuth: withClientAuthFlows(inner('InitiateAuth'), deps.services),
    AdminInitiateAuth: withSession(withClientAuthFlows(inner('AdminInitiateAuth'), deps.services), deps),
  };
  return (target) => routes[target] ?? inner(target);
}

/**
 * RevokeToken: the client secret "is required only if the client ID has a secret"; revoking a refresh token
 * invalidates it and the tokens issued from it (API_RevokeToken.html, token-revocation.html). The twin ends the
 * whole family (every rotation of that sign-in). Wrong secret: NotAuthorizedException, as Cognito's API answers a
 * bad secret hash; unknown token: NotAuthorizedException, as cognito-local does (not documented by AWS).
 */
function revokeToken(deps: TwinTargetDeps): Route {
  return async (ctx: Context, req: { Token?: string; ClientId?: string; ClientSecret?: string }) => {
    if (!req.Token || !req.ClientId) throw new InvalidParameterError('Token and ClientId are required');
    const client = await deps.services.cognito.getAppClient(ctx, req.ClientId);
    if (!client || !secretMatches(client, req.ClientSecret)) {
      throw new NotAuthorizedError(`Unable to verify secret hash for client ${req.ClientId}`);
    }
    if (!(await deps.families.revokeByToken(req.Token, req.ClientId))) throw new NotAuthorizedError();
    return {};
  };
}

/**
 * AdminUserGlobalSignOut (missing in cognito-local): "invalidates the identity, access, and refresh tokens that
 * Amazon Cognito has issued to a user" (API_AdminUserGlobalSignOut.html): every family of the user ends, and
 * cognito-local's own stored refresh tokens (InitiateAuth) go too.
 */
function adminUserGlobalSignOut(deps: TwinTargetDeps): Route {
  return async (ctx: Context, req: { UserPoolId?: string; Username?: string }) => {
    if (!req.UserPoolId || !req.Username)
      throw new InvalidParameterError('UserPoolId and Username are required');
    const pool = await deps.services.cognito.getUserPool(ctx, req.UserPoolId);
    const user = await pool.getUserByUsername(ctx, req.Username);
    if (!user) throw new UserNotFoundError();
    await deps.families.revokeUser(req.UserPoolId, user.Username);
    await pool.saveUser(ctx, { ...user, RefreshTokens: [] });
    return {};
  };
}

/** cognito-local drops `RefreshTokenRotation`; the twin keeps it for its token endpoint and echoes it back. */
function keepRotation(inner: Route, deps: TwinTargetDeps): Route {
  return async (
    ctx: Context,
    req: { ClientId?: string; RefreshTokenRotation?: RefreshTokenRotationType },
  ) => {
    const result = (await inner(ctx, req)) as { UserPoolClient?: { ClientId?: string } };
    const clientId = result.UserPoolClient?.ClientId ?? req.ClientId;
    if (clientId) await deps.clients.saveRotation(clientId, req.RefreshTokenRotation);
    return {
      ...result,
      UserPoolClient: { ...result.UserPoolClient, RefreshTokenRotation: req.RefreshTokenRotation },
    };
  };
}

/**
 * AdminInitiateAuth (password sign-in, e.g. `npm run verify`): with revocation on, Cognito puts `origin_jti` in the
 * access and ID tokens of every authentication (token-revocation.html); cognito-local does not. And its refresh token
 * works as any other: RevokeToken ends it (API_RevokeToken.html) and GetTokensFromRefreshToken refreshes it, with
 * rotation disabled too (API_RefreshTokenRotationType.html). So each sign-in starts a twin refresh family (its
 * `origin_jti`, its refresh token) in place of cognito-local's stored token. Tokens from REFRESH_TOKEN_AUTH keep
 * cognito-local's shape (no `origin_jti`): nothing offline refreshes through this API.
 */
function withSession(inner: Route, deps: TwinTargetDeps): Route {
  return async (ctx: Context, req: { AuthFlow?: string; UserPoolId?: string; ClientId?: string }) => {
    const result = (await inner(ctx, req)) as {
      AuthenticationResult?: { AccessToken?: string; IdToken?: string; RefreshToken?: string };
    };
    const tokens = result.AuthenticationResult;
    if (!tokens?.AccessToken || req.AuthFlow === 'REFRESH_TOKEN_AUTH') return result;
    const client = await deps.services.cognito.getAppClient(ctx, req.ClientId ?? '');
    if (!client || !req.UserPoolId) throw new InvalidParameterError('UserPoolId and ClientId are required');
    const access = claimsOf(tokens.AccessToken);
    if (typeof access.username !== 'string') throw new Error('cognito-local issued a token without username');
    const issuedAt = Number(access.iat);
    const { family, refreshToken } = await deps.families.start({
      clientId: client.ClientId,
      userPoolId: req.UserPoolId,
      username: access.username,
      scope: typeof access.scope === 'string' ? access.scope : '',
      authTime: issuedAt, // the user just typed their password
      expiresAt: issuedAt + refreshValiditySeconds(client),
    });
    const claims = { origin_jti: family.originJti };
    return {
      ...result,
      AuthenticationResult: {
        ...tokens,
        AccessToken: reissue(tokens.AccessToken, claims),
        ...(tokens.IdToken ? { IdToken: reissue(tokens.IdToken, claims) } : {}),
        ...(tokens.RefreshToken ? { RefreshToken: refreshToken } : {}),
      },
    };
  };
}

/** The payload of a JWT the emulator just issued. */
function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}
