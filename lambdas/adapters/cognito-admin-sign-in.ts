// VerificationSignIn over Cognito AdminInitiateAuth (ADMIN_USER_PASSWORD_AUTH: IAM credentials required), RevokeToken and
// GetTokensFromRefreshToken (device binding).

import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  AdminInitiateAuthCommand,
  GetTokensFromRefreshTokenCommand,
  NotAuthorizedException,
  RevokeTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { JKT_METADATA_KEY } from '../pre-token/binding';
import type { SignedInSession, VerificationSignIn } from '../verify/ports';

/** The verification user's sign-in credentials. */
export interface VerificationCredentials {
  readonly username: string;
  readonly password: string;
}

export interface CognitoAdminSignInConfig {
  readonly userPoolId: string;
  /** The verification app client: ADMIN_USER_PASSWORD_AUTH only, no secret, no OAuth flows. */
  readonly clientId: string;
  /** Where the password comes from (Secrets Manager in AWS); read once, on the first sign-in. */
  readonly credentials: () => Promise<VerificationCredentials>;
}

/**
 * Signs the verification user in with AdminInitiateAuth: a server-side flow Cognito accepts only with IAM credentials
 * allowed `cognito-idp:AdminInitiateAuth` on the pool
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminInitiateAuth.html).
 */
export class CognitoAdminSignIn implements VerificationSignIn {
  private credentials?: Promise<VerificationCredentials>;

  constructor(
    private readonly config: CognitoAdminSignInConfig,
    private readonly client: CognitoIdentityProviderClient,
  ) {}

  async signIn(): Promise<SignedInSession> {
    this.credentials ??= this.config.credentials();
    const { username, password } = await this.credentials;
    const answer = await this.client.send(
      new AdminInitiateAuthCommand({
        UserPoolId: this.config.userPoolId,
        ClientId: this.config.clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
    const result = answer.AuthenticationResult;
    if (answer.ChallengeName) throw new Error(`Cognito asked for a challenge (${answer.ChallengeName})`);
    if (!result?.AccessToken || !result.IdToken || !result.RefreshToken) {
      throw new Error('AdminInitiateAuth returned no access, ID and refresh token');
    }
    return { accessToken: result.AccessToken, idToken: result.IdToken, refreshToken: result.RefreshToken };
  }

  /** RevokeToken; a token Cognito no longer knows (already revoked, signed out) is already unusable: success. */
  async revokeRefreshToken(refreshToken: string): Promise<void> {
    try {
      await this.client.send(new RevokeTokenCommand({ ClientId: this.config.clientId, Token: refreshToken }));
    } catch (error) {
      if (!(error instanceof NotAuthorizedException)) throw error;
    }
  }

  /**
   * GetTokensFromRefreshToken with ClientMetadata `{ jkt }`: Cognito passes it to the pre token generation trigger
   * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetTokensFromRefreshToken.html).
   * The verification client has no rotation, which this API allows ("With refresh token rotation disabled, you can
   * complete token refresh with GetTokensFromRefreshToken",
   * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RefreshTokenRotationType.html);
   * a refresh token in the answer (rotation on) replaces the old one.
   */
  async bind(session: SignedInSession, jkt: string): Promise<SignedInSession> {
    const answer = await this.client.send(
      new GetTokensFromRefreshTokenCommand({
        RefreshToken: session.refreshToken,
        ClientId: this.config.clientId,
        ClientMetadata: { [JKT_METADATA_KEY]: jkt },
      }),
    );
    const result = answer.AuthenticationResult;
    if (!result?.AccessToken) throw new Error('GetTokensFromRefreshToken returned no access token');
    return {
      accessToken: result.AccessToken,
      idToken: result.IdToken ?? session.idToken,
      refreshToken: result.RefreshToken ?? session.refreshToken,
    };
  }
}
