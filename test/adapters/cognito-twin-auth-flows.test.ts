// The twin refuses the API sign-ins Cognito refuses: a confidential client without its SECRET_HASH
// (API_InitiateAuth.html, signing-up-users-in-your-app.html#cognito-user-pools-computing-secret-hash), and an auth flow
// the client's ExplicitAuthFlows does not enable (API_CreateUserPoolClient.html), whatever cognito-local would accept.

import { createHmac } from 'node:crypto';
import type { AuthFlowType, ExplicitAuthFlowsType } from '@aws-sdk/client-cognito-identity-provider';
import {
  AdminInitiateAuthCommand,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DEMO_USERS } from '../../local/seed';
import { seedVerification, VERIFY_USER } from '../../local/seed-verification';
import type { Twin } from '../helpers/cognito-twin';
import { REGION, USER_POOL_ID, startTwin } from '../helpers/cognito-twin';

let twin: Twin;
let verificationClientId: string;
const [alice] = DEMO_USERS;

beforeAll(async () => {
  twin = await startTwin(1);
  ({ clientId: verificationClientId } = await seedVerification({
    cognitoUrl: twin.url,
    region: REGION,
    userPoolId: USER_POOL_ID,
  }));
});

afterAll(async () => {
  await twin?.dispose();
});

/** Base64(HMAC-SHA256(client secret, username + client id)): "Computing secret hash values". */
const secretHash = (username: string, clientId: string, secret: string) =>
  createHmac('sha256', secret)
    .update(username + clientId)
    .digest('base64');

const password = (user: { username: string; password: string }) => ({
  USERNAME: user.username,
  PASSWORD: user.password,
});

/** The error name and message a call fails with (or `ok` with its tokens). */
async function outcome(send: Promise<{ AuthenticationResult?: { AccessToken?: string } }>) {
  try {
    const result = await send;
    return { ok: Boolean(result.AuthenticationResult?.AccessToken) };
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
}

const initiate = (ClientId: string, AuthFlow: AuthFlowType, AuthParameters: Record<string, string>) =>
  outcome(twin.sdk.send(new InitiateAuthCommand({ ClientId, AuthFlow, AuthParameters })));
const adminInitiate = (ClientId: string, AuthFlow: AuthFlowType, AuthParameters: Record<string, string>) =>
  outcome(
    twin.sdk.send(
      new AdminInitiateAuthCommand({ UserPoolId: USER_POOL_ID, ClientId, AuthFlow, AuthParameters }),
    ),
  );

async function clientWith(flows: ExplicitAuthFlowsType[] | undefined): Promise<string> {
  const created = await twin.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: USER_POOL_ID,
      ClientName: `flows-${flows?.join('-') ?? 'default'}`,
      ...(flows ? { ExplicitAuthFlows: flows } : {}),
    }),
  );
  return created.UserPoolClient!.ClientId!;
}

describe('secret hash of a confidential client (API_InitiateAuth.html: SECRET_HASH)', () => {
  it('rejects USER_PASSWORD_AUTH on the web client without SECRET_HASH (NotAuthorizedException)', async () => {
    const { clientId } = twin.client;
    expect(await initiate(clientId, 'USER_PASSWORD_AUTH', password(alice))).toEqual({
      name: 'NotAuthorizedException',
      message: `Client ${clientId} is configured with secret but SECRET_HASH was not received`,
    });
  });

  it('rejects a SECRET_HASH computed with another secret (Unable to verify secret hash)', async () => {
    const { clientId } = twin.client;
    const wrong = secretHash(alice.username, clientId, 'not-the-secret');
    for (const result of [
      await initiate(clientId, 'USER_PASSWORD_AUTH', { ...password(alice), SECRET_HASH: wrong }),
      await adminInitiate(clientId, 'ADMIN_USER_PASSWORD_AUTH', { ...password(alice), SECRET_HASH: wrong }),
    ]) {
      expect(result).toEqual({
        name: 'NotAuthorizedException',
        message: `Unable to verify secret hash for client ${clientId}`,
      });
    }
  });
});

describe('auth flows the client enables (API_CreateUserPoolClient.html: ExplicitAuthFlows)', () => {
  it('rejects USER_PASSWORD_AUTH on the web client, even with the right SECRET_HASH (it enables the admin flow only)', async () => {
    const { clientId, clientSecret } = twin.client;
    const hashed = { ...password(alice), SECRET_HASH: secretHash(alice.username, clientId, clientSecret) };
    expect(await initiate(clientId, 'USER_PASSWORD_AUTH', hashed)).toEqual({
      name: 'InvalidParameterException',
      message: 'USER_PASSWORD_AUTH flow not enabled for this client',
    });
    expect(await adminInitiate(clientId, 'ADMIN_USER_PASSWORD_AUTH', hashed)).toEqual({ ok: true });
  });

  it('rejects USER_PASSWORD_AUTH on the verification client, which signs in with AdminInitiateAuth only', async () => {
    expect(await initiate(verificationClientId, 'USER_PASSWORD_AUTH', password(VERIFY_USER))).toEqual({
      name: 'InvalidParameterException',
      message: 'USER_PASSWORD_AUTH flow not enabled for this client',
    });
    expect(
      await adminInitiate(verificationClientId, 'ADMIN_USER_PASSWORD_AUTH', password(VERIFY_USER)),
    ).toEqual({
      ok: true,
    });
  });

  it("gives a client created without ExplicitAuthFlows Cognito's default (SRP, custom, refresh): no password sign-in", async () => {
    const clientId = await clientWith(undefined);
    expect(await initiate(clientId, 'USER_PASSWORD_AUTH', password(alice))).toMatchObject({
      name: 'InvalidParameterException',
    });
    expect(await adminInitiate(clientId, 'ADMIN_USER_PASSWORD_AUTH', password(alice))).toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('signs in with a flow the client enables, and refreshes only when ALLOW_REFRESH_TOKEN_AUTH is listed', async () => {
    const withRefresh = await clientWith(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    const withoutRefresh = await clientWith(['ALLOW_USER_PASSWORD_AUTH']);
    for (const clientId of [withRefresh, withoutRefresh]) {
      expect(await initiate(clientId, 'USER_PASSWORD_AUTH', password(alice))).toEqual({ ok: true });
    }
    const signedIn = await twin.sdk.send(
      new InitiateAuthCommand({
        ClientId: withoutRefresh,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: password(alice),
      }),
    );
    const REFRESH_TOKEN = signedIn.AuthenticationResult!.RefreshToken!;
    expect(await initiate(withoutRefresh, 'REFRESH_TOKEN_AUTH', { REFRESH_TOKEN })).toEqual({
      name: 'InvalidParameterException',
      message: 'REFRESH_TOKEN_AUTH flow not enabled for this client',
    });
  });
});
