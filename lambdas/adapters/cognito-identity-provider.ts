// IdentityProvider adapter over the Cognito user-pool API: RevokeToken, AdminUserGlobalSignOut and the admin's user
// lookup (ListUsers); errors translated here.

import {
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  NotAuthorizedException,
  RevokeTokenCommand,
  UnauthorizedException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { UserType } from '@aws-sdk/client-cognito-identity-provider';
import type { DirectoryPage, DirectoryUser, UserDirectory } from '../admin/user-lookup';
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

export class CognitoIdentityProvider implements IdentityProvider, UserDirectory {
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

  /**
   * ListUsers with the filter `email ^= "<prefix>"` (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUsers.html).
   * The caller has already refused quotes and backslashes, which would escape the filter string.
   */
  async findByEmailPrefix(prefix: string, limit: number, cursor?: string): Promise<DirectoryPage> {
    try {
      const result = await this.client.send(
        new ListUsersCommand({
          UserPoolId: this.config.userPoolId,
          Filter: `email ^= "${prefix}"`,
          Limit: limit,
          ...(cursor ? { PaginationToken: cursor } : {}),
        }),
      );
      return {
        users: (result.Users ?? []).map(directoryUser).filter((user) => user !== undefined),
        ...(result.PaginationToken ? { next: result.PaginationToken } : {}),
      };
    } catch (error) {
      throw upstream('ListUsers', error);
    }
  }
}

/** The fields the admin panel shows; a user without a sub (never in Cognito) is left out. */
function directoryUser(user: UserType): DirectoryUser | undefined {
  const attribute = (name: string) => user.Attributes?.find((a) => a.Name === name)?.Value;
  const sub = attribute('sub');
  if (!sub || !user.Username) return undefined;
  return {
    sub,
    username: user.Username,
    email: attribute('email') ?? '',
    enabled: user.Enabled ?? true,
    status: user.UserStatus ?? 'UNKNOWN',
  };
}

/** cognito-local answers operations it lacks with HTTP 500 `{"__type":"CognitoLocal#Unsupported"}`; AWS never does. */
function isEmulatorUnsupported(error: unknown): boolean {
  return error instanceof Error && error.name === 'Unsupported';
}

function upstream(operation: string, error: unknown): UpstreamError {
  return new UpstreamError(`${operation}: ${error instanceof Error ? error.name : 'unknown error'}`);
}
