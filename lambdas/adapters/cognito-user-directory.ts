// The display name peers see, looked up once per connection in the user pool (access tokens carry no email).

import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createCognitoClient } from './cognito-identity-provider';

/** AdminGetUser on one pool: the user's `email` attribute, or undefined when there is none. */
export class CognitoUserDirectory {
  constructor(
    private readonly userPoolId: string,
    private readonly client: CognitoIdentityProviderClient = createCognitoClient(),
  ) {}

  /** Throws when the pool cannot be asked; callers fall back to the username (a label, not a decision). */
  async email(username: string): Promise<string | undefined> {
    const user = await this.client.send(
      new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: username }),
    );
    return user.UserAttributes?.find((attribute) => attribute.Name === 'email')?.Value;
  }
}
