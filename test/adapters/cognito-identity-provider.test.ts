// The Cognito identity-provider adapter against cognito-local: RevokeToken and ListUsers for real, global sign-out
// "unsupported".

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoIdentityProvider } from '../../lambdas/adapters/cognito-identity-provider';
import { OAuthTokenEndpoint } from '../../lambdas/adapters/oauth-token-endpoint';
import { UpstreamError } from '../../lambdas/sessions/ports';
import type { LocalCognito } from '../../local/cognito';
import { startCognito } from '../../local/cognito';
import { DEMO_USERS, seedUserPool } from '../../local/seed';
import type { StackOutputs } from '../../local/stack';
import { signIn } from '../helpers/sign-in';

const REGION = 'us-east-1';
const USER_POOL_ID = `${REGION}_LocalPool`;
const REDIRECT_URI = 'http://localhost:1/';
let dir: string;
let cognito: LocalCognito;
let sdk: CognitoIdentityProviderClient;
let clientId: string;

function idp(client = sdk): CognitoIdentityProvider {
  return new CognitoIdentityProvider({ userPoolId: USER_POOL_ID, clientId }, client);
}

async function signedIn(): Promise<string> {
  const [alice] = DEMO_USERS;
  const outputs = {
    hostedUiUrl: cognito.url,
    tokenEndpoint: `${cognito.url}/oauth2/token`,
    region: REGION,
    userPoolId: USER_POOL_ID,
    clientId,
    redirectUri: REDIRECT_URI,
  } as StackOutputs;
  return (await signIn(outputs, alice.username, alice.password)).refreshToken;
}

function tokenEndpoint(): OAuthTokenEndpoint {
  return new OAuthTokenEndpoint({
    domainUrl: cognito.url,
    issuer: `https://cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`,
    clientId,
    allowInsecureRequests: true,
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cg-cognito-'));
  cognito = await startCognito({
    dir,
    host: '127.0.0.1',
    port: 0,
    envName: 'COGNITO_PORT',
    region: REGION,
    userPoolId: USER_POOL_ID,
    logLevel: 'silent',
  });
  clientId = await seedUserPool({
    cognitoUrl: cognito.url,
    region: REGION,
    userPoolId: USER_POOL_ID,
    redirectUri: REDIRECT_URI,
  });
  sdk = new CognitoIdentityProviderClient({
    endpoint: cognito.url,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  sdk.destroy();
  await cognito.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('CognitoIdentityProvider', () => {
  it('revokes a refresh token: the refresh grant refuses it afterwards', async () => {
    const refreshToken = await signedIn();
    expect((await tokenEndpoint().refresh(refreshToken)).ok).toBe(true);
    await idp().revokeRefreshToken(refreshToken);
    expect(await tokenEndpoint().refresh(refreshToken)).toEqual({ ok: false, error: 'invalid_grant' });
  });

  it('treats revoking an already revoked or unknown token as done', async () => {
    const refreshToken = await signedIn();
    await idp().revokeRefreshToken(refreshToken);
    await expect(idp().revokeRefreshToken(refreshToken)).resolves.toBeUndefined();
    await expect(idp().revokeRefreshToken('never-issued')).resolves.toBeUndefined();
  });

  it("reports the emulator's missing AdminUserGlobalSignOut as unsupported", async () => {
    expect(await idp().globalSignOut('any-user')).toBe('unsupported');
  });

  it('finds users by email prefix with their sub, username and status', async () => {
    const page = await idp().findByEmailPrefix('ali', 20);
    expect(page.users).toEqual([
      {
        sub: expect.stringMatching(/^[0-9a-f-]{36}$/),
        username: expect.any(String),
        email: 'alice@example.com',
        enabled: true,
        status: 'CONFIRMED',
      },
    ]);
    expect(page.next).toBeUndefined();
    expect((await idp().findByEmailPrefix('nobody', 20)).users).toEqual([]);
  });

  it('fails with UpstreamError when Cognito is unreachable', async () => {
    const unreachable = new CognitoIdentityProviderClient({
      endpoint: 'http://127.0.0.1:9',
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    await expect(idp(unreachable).globalSignOut('any-user')).rejects.toThrow(UpstreamError);
    await expect(idp(unreachable).revokeRefreshToken('token')).rejects.toThrow(UpstreamError);
    await expect(idp(unreachable).findByEmailPrefix('a', 20)).rejects.toThrow(UpstreamError);
    unreachable.destroy();
  });
});
