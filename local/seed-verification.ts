// Idempotent seed of what `npm run verify` signs in with offline: the verification app client and user.
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  ListUserPoolClientsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { DemoUser } from './seed';
import { ensureUser } from './seed';

/** Offline only; in AWS the stack generates the password into Secrets Manager. */
export const VERIFY_USER: DemoUser = {
  username: 'verify@example.com',
  password: 'Verify-local-1!',
  groups: [],
};

const CLIENT_NAME = 'verification';

export interface VerificationSeed {
  readonly clientId: string;
  readonly user: DemoUser;
}

/**
 * Mirrors the CDK verification client: no secret, no OAuth flows, only ADMIN_USER_PASSWORD_AUTH (+ refresh), short
 * token lifetimes. The twin enforces ExplicitAuthFlows as Cognito does (local/cognito-twin/auth-flows.ts).
 */
export async function seedVerification(options: {
  readonly cognitoUrl: string;
  readonly region: string;
  readonly userPoolId: string;
}): Promise<VerificationSeed> {
  const cognito = new CognitoIdentityProviderClient({
    endpoint: options.cognitoUrl,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const { UserPoolClients = [] } = await cognito.send(
      new ListUserPoolClientsCommand({ UserPoolId: options.userPoolId, MaxResults: 60 }),
    );
    let clientId = UserPoolClients.find((client) => client.ClientName === CLIENT_NAME)?.ClientId;
    if (!clientId) {
      const created = await cognito.send(
        new CreateUserPoolClientCommand({
          UserPoolId: options.userPoolId,
          ClientName: CLIENT_NAME,
          ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
          EnableTokenRevocation: true,
          AccessTokenValidity: 5,
          IdTokenValidity: 5,
          RefreshTokenValidity: 60,
          TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
        }),
      );
      clientId = created.UserPoolClient?.ClientId;
    }
    if (!clientId) throw new Error('cognito-local created an app client without an id');
    await ensureUser(cognito, options.userPoolId, VERIFY_USER);
    return { clientId, user: VERIFY_USER };
  } finally {
    cognito.destroy();
  }
}
