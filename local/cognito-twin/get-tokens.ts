// GetTokensFromRefreshToken (missing in cognito-local): the refresh with rotation that passes ClientMetadata on.
import { CognitoError, InvalidParameterError, NotAuthorizedError } from 'cognito-local/lib/errors';
import type { Route } from 'cognito-local/lib/server/Router';
import type { Context } from 'cognito-local/lib/services/context';
import { secretMatches } from './client-auth';
import type { TokenEndpointDeps } from './token-endpoint';
import { refreshFamily } from './token-endpoint';

interface GetTokensRequest {
  readonly RefreshToken?: string;
  readonly ClientId?: string;
  readonly ClientSecret?: string;
  readonly ClientMetadata?: Record<string, string>;
}

/**
 * "Given a refresh token, issues new ID, access, and optionally refresh tokens for the user who owns the refresh
 * token" with rotation; `ClientMetadata` goes to the pre token generation trigger; a wrong secret or an unknown,
 * revoked or expired token is NotAuthorizedException, a rotated-away token after the grace period
 * RefreshTokenReuseException (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetTokensFromRefreshToken.html).
 * Same families, rotation and grace as the twin's token endpoint.
 */
export function getTokensFromRefreshToken(deps: Omit<TokenEndpointDeps, 'ctx'>): Route {
  return async (ctx: Context, req: GetTokensRequest) => {
    if (!req.RefreshToken || !req.ClientId) {
      throw new InvalidParameterError('RefreshToken and ClientId are required');
    }
    const client = await deps.services.cognito.getAppClient(ctx, req.ClientId);
    if (!client || !secretMatches(client, req.ClientSecret)) {
      throw new NotAuthorizedError(`Unable to verify secret hash for client ${req.ClientId}`);
    }
    const refreshed = await refreshFamily(req.RefreshToken, client, { ...deps, ctx }, req.ClientMetadata);
    if (!refreshed.ok && refreshed.why === 'rotated') {
      throw new CognitoError('RefreshTokenReuseException', 'Refresh token has been reused');
    }
    if (!refreshed.ok) throw new NotAuthorizedError('Invalid Refresh Token');
    const { access_token, id_token, refresh_token, expires_in } = refreshed.tokens;
    return {
      AuthenticationResult: {
        AccessToken: access_token,
        IdToken: id_token,
        ExpiresIn: expires_in,
        TokenType: 'Bearer',
        ...(refresh_token ? { RefreshToken: refresh_token } : {}),
      },
    };
  };
}
