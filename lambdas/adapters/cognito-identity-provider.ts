// IdentityProvider adapter over the Cognito user-pool API: RevokeToken and AdminUserGlobalSignOut, errors translated here.

import {
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  NotAuthorizedException,
  RevokeTokenCommand,
  UnauthorizedException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { GlobalSignOutResult, IdentityProvider } from '../sessions/ports';
import { UpstreamError } from '../sessions/ports';
import type { SecretSource } from './secrets-manager-secret';

export interface CognitoIdentityProviderConfig {
  readonly userPoolId: string;
  /** The app client the refresh tokens were issued to. */
  readonly clientId: string;
  /** Its secret: RevokeToken requires it for a client that has one. Absent: logout revokes nothing (admin function). */
  readonly clientSecret?: SecretSource;
}

/** A Cognito client with short timeouts: logout must not hang on an unreachable Cognito. */
export function createCognitoClient(): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
  });
}

export class CognitoIdentityProvider implements IdentityProvider {
  constructor(
    private readonly config: CognitoIdentityProviderConfig,
    private readonly client: CognitoIdentityProviderClient = createCognitoClient(),
  ) {}

  /**
   * RevokeToken (a public API: Cognito evaluates no IAM policy for it). A token Cognito no longer knows (expired,
   * already revoked, signed out) is already unusable: that is success.
   */
  async revokeRefreshToken(refreshToken: string): Promise<void> {
    if (!this.config.clientSecret) throw new UpstreamError('RevokeToken: no client secret configured');
    const clientSecret = await this.config.clientSecret.current();
    try {
      await this.client.send(
        new RevokeTokenCommand({
          ClientId: this.config.clientId,
          ClientSecret: clientSecret,
          Token: refreshToken,
        }),
      );
    } catch (error) {
      if (error instanceof NotAuthorizedException || error instanceof UnauthorizedException) return;
      throw upstream('RevokeToken', error);
    }
  }

  async globalSignOut(username: string): Promise<GlobalSignOutResult> {
    try {
      await this.client.send(
        new AdminUserGlobalSignOutCommand({ UserPoolId: this.config.userPoolId, Username: username }),
      );
      return 'signed-out';
    } catch (error) {
      if (error instanceof UserNotFoundException) return 'user-not-found';
      if (isEmulatorUnsupported(error)) return 'unsupported';
      throw upstream('AdminUserGlobalSignOut', error);
    }
  }
}

/** cognito-local answers operations it lacks with HTTP 500 `{"__type":"CognitoLocal#Unsupported"}`; AWS never does. */
function isEmulatorUnsupported(error: unknown): boolean {
  return error instanceof Error && error.name === 'Unsupported';
}

function upstream(operation: string, error: unknown): UpstreamError {
  return new UpstreamError(`${operation}: ${error instanceof Error ? error.name : 'unknown error'}`);
}
