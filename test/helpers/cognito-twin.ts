// Test helper: the offline Cognito (cognito-local + twin) alone in a temp dir, seeded, with adapters pointed at it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoIdentityProvider } from '../../lambdas/adapters/cognito-identity-provider';
import { OAuthTokenEndpoint } from '../../lambdas/adapters/oauth-token-endpoint';
import type { SecretSource } from '../../lambdas/adapters/secrets-manager-secret';
import { startCognito } from '../../local/cognito';
import type { LocalCognitoOptions } from '../../local/cognito';
import { seedUserPool } from '../../local/seed';
import type { SeededClient } from '../../local/seed';
import type { OfflineStack, StackOutputs } from '../../local/stack';
import { LOCAL_SECRETS } from '../../local/stack';

export const REGION = 'us-east-1';
export const USER_POOL_ID = `${REGION}_LocalPool`;
export const REDIRECT_URI = 'http://localhost:1/';

export interface Twin {
  readonly url: string;
  readonly client: SeededClient;
  /** What `signIn` needs of a stack: outputs and the secret store. */
  readonly stack: Pick<OfflineStack, 'outputs' | 'secrets'>;
  readonly sdk: CognitoIdentityProviderClient;
  /** The auth function's token endpoint adapter, as the client (with the real secret unless another is given). */
  tokenEndpoint(secret?: string): OAuthTokenEndpoint;
  identityProvider(secret?: string, client?: CognitoIdentityProviderClient): CognitoIdentityProvider;
  dispose(): Promise<void>;
}

/** A fixed secret, as the Secrets Manager adapter would return it. */
export const fixedSecret = (value: string): SecretSource => ({
  current: async () => value,
  previous: async () => undefined,
});

export async function startTwin(
  rotationGraceSeconds: number,
  options: Pick<LocalCognitoOptions, 'managedLoginAuthTime'> = {},
): Promise<Twin> {
  const dir = await mkdtemp(join(tmpdir(), 'cg-twin-'));
  const cognito = await startCognito({
    dir,
    host: '127.0.0.1',
    port: 0,
    envName: 'COGNITO_PORT',
    region: REGION,
    userPoolId: USER_POOL_ID,
    logLevel: 'silent',
    ...options,
  });
  const client = await seedUserPool({
    cognitoUrl: cognito.url,
    region: REGION,
    userPoolId: USER_POOL_ID,
    redirectUri: REDIRECT_URI,
    rotationGraceSeconds,
  });
  const sdk = new CognitoIdentityProviderClient({
    endpoint: cognito.url,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const outputs = {
    hostedUiUrl: cognito.url,
    tokenEndpoint: `${cognito.url}/oauth2/token`,
    region: REGION,
    userPoolId: USER_POOL_ID,
    clientId: client.clientId,
    redirectUri: REDIRECT_URI,
  } as StackOutputs;
  const secrets = {
    current: async (name: string) => (name === LOCAL_SECRETS.clientSecret ? client.clientSecret : undefined),
  } as OfflineStack['secrets'];
  return {
    url: cognito.url,
    client,
    stack: { outputs, secrets },
    sdk,
    tokenEndpoint: (secret = client.clientSecret) =>
      new OAuthTokenEndpoint({
        domainUrl: cognito.url,
        issuer: `https://cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`,
        clientId: client.clientId,
        clientSecret: fixedSecret(secret),
        redirectUri: REDIRECT_URI,
        scopes: ['openid', 'email', 'profile'],
        allowInsecureRequests: true,
      }),
    identityProvider: (secret = client.clientSecret, sdkClient = sdk) =>
      new CognitoIdentityProvider(
        { userPoolId: USER_POOL_ID, clientId: client.clientId, clientSecret: fixedSecret(secret) },
        sdkClient,
      ),
    dispose: async () => {
      sdk.destroy();
      await cognito.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
