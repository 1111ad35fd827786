// BoundTokenSource over Cognito's GetTokensFromRefreshToken: ClientMetadata { jkt } reaches the pre token trigger.

import {
  CognitoIdentityProviderClient,
  GetTokensFromRefreshTokenCommand,
  NotAuthorizedException,
  RefreshTokenReuseException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { BoundTokenSource } from '../sessions/device-binding';
import type { GrantResult } from '../sessions/ports';
import { UpstreamError } from '../sessions/ports';
import { JKT_METADATA_KEY } from '../pre-token/binding';
import { createCognitoClient } from './cognito-identity-provider';
import type { SecretSource } from './secrets-manager-secret';

export interface CognitoBoundTokensConfig {
  readonly clientId: string;
  /** The confidential client's secret: only the auth function can ask for tokens, so only it chooses a binding. */
  readonly clientSecret: SecretSource;
}

/**
 * "ClientMetadata: A map of custom key-value pairs that you can provide as input for certain custom workflows
 * that this action triggers ... the pre token generation trigger" and rotation as the refresh grant
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetTokensFromRefreshToken.html).
 */
export class CognitoBoundTokens implements BoundTokenSource {
  constructor(
    private readonly config: CognitoBoundTokensConfig,
    private readonly client: CognitoIdentityProviderClient = createCognitoClient(),
  ) {}

  async refresh(refreshToken: string, jkt: string): Promise<GrantResult> {
    const clientSecret = await this.config.clientSecret.current();
    let result;
    try {
      result = await this.client.send(
        new GetTokensFromRefreshTokenCommand({
          RefreshToken: refreshToken,
          ClientId: this.config.clientId,
          ClientSecret: clientSecret,
          ClientMetadata: { [JKT_METADATA_KEY]: jkt },
        }),
      );
    } catch (error) {
      // Reused (rotated away), revoked, expired or unknown: the token endpoint's invalid_grant. A refused client
      // secret is our misconfiguration, not the user's token: an outage (no session is treated as reused).
      if (error instanceof NotAuthorizedException && /secret/i.test(error.message)) {
        throw new UpstreamError('GetTokensFromRefreshToken refused the client secret');
      }
      if (error instanceof NotAuthorizedException || error instanceof RefreshTokenReuseException) {
        return { ok: false, error: 'invalid_grant' };
      }
      const { name } = error instanceof Error ? error : new Error('non-error thrown');
      throw new UpstreamError(`GetTokensFromRefreshToken failed (${name})`);
    }
    const tokens = result.AuthenticationResult;
    if (!tokens?.AccessToken || typeof tokens.ExpiresIn !== 'number') {
      throw new UpstreamError('GetTokensFromRefreshToken returned no access token');
    }
    return {
      ok: true,
      tokens: {
        accessToken: tokens.AccessToken,
        ...(tokens.IdToken ? { idToken: tokens.IdToken } : {}),
        ...(tokens.RefreshToken ? { refreshToken: tokens.RefreshToken } : {}),
        expiresIn: tokens.ExpiresIn,
      },
    };
  }
}
