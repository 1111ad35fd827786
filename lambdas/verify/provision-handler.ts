// Custom resource (CloudFormation): creates the verification user with the password Secrets Manager generated.

import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { secretsManagerCredentials } from '../adapters/secrets-manager-credentials';

/** Properties the VerificationAccess construct passes. */
export interface ProvisionProperties {
  readonly UserPoolId: string;
  readonly SecretArn: string;
}

const cognito = new CognitoIdentityProviderClient({});

/**
 * Create/Update: the user exists (email = username, verified, no invitation mail) with the secret's password, set
 * permanent so no challenge follows. Delete: the user is gone. The password is never logged or returned.
 */
export const handler = async (
  event: CloudFormationCustomResourceEvent,
): Promise<{ PhysicalResourceId: string }> => {
  const { UserPoolId, SecretArn } = event.ResourceProperties as unknown as ProvisionProperties;
  const { username, password } = await secretsManagerCredentials(SecretArn);
  if (event.RequestType === 'Delete') {
    try {
      await cognito.send(new AdminDeleteUserCommand({ UserPoolId, Username: username }));
    } catch (error) {
      if (!(error instanceof UserNotFoundException)) throw error;
    }
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  try {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId,
        Username: username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: username },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof UsernameExistsException)) throw error;
  }
  await cognito.send(
    new AdminSetUserPasswordCommand({ UserPoolId, Username: username, Password: password, Permanent: true }),
  );
  return { PhysicalResourceId: `${UserPoolId}/${username}` };
};
