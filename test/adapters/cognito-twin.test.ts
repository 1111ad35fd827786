// The Cognito twin's rules over real HTTP, through the auth function's own adapters (oauth4webapi, AWS SDK):
// each case names the AWS documentation page the emulated behaviour rests on (docs/cognito-twin.md).

import { setTimeout as sleep } from 'node:timers/promises';
import {
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  DescribeUserPoolClientCommand,
  RevokeTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { GrantResult } from '../../lambdas/sessions/ports';
import { DEMO_USERS } from '../../local/seed';
import type { Twin } from '../helpers/cognito-twin';
import { USER_POOL_ID, startTwin } from '../helpers/cognito-twin';
import { decodePayload } from '../helpers/mint-token';
import { signIn } from '../helpers/sign-in';

const GRACE_SECONDS = 1;
let twin: Twin;
const [alice, bob] = DEMO_USERS;

beforeAll(async () => {
  twin = await startTwin(GRACE_SECONDS);
});

afterAll(async () => {
  await twin?.dispose();
});

const signedIn = (user = alice) => signIn(twin.stack, user.username, user.password);
const refreshed = (result: GrantResult) => {
  if (!result.ok) throw new Error(`refresh refused: ${result.error}`);
  return result.tokens;
};
async function post(body: Record<string, string>, authorization?: string) {
  const response = await fetch(`${twin.url}/oauth2/token`, {
    method: 'POST',
    headers: authorization ? { Authorization: authorization } : {},
    body: new URLSearchParams(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('client authentication (token-endpoint.html: invalid_client)', () => {
  it('requires the secret of a confidential client, by Basic header or client_secret in the body', async () => {
    const { refreshToken } = await signedIn();
    const grant = { grant_type: 'refresh_token', refresh_token: refreshToken };
    const { clientId, clientSecret } = twin.client;
    for (const [body, authorization] of [
      [{ ...grant, client_id: clientId }, undefined],
      [grant, basic(clientId, 'wrong')],
      [{ ...grant, client_id: clientId, client_secret: 'wrong' }, undefined],
      [grant, basic('unknown-client', clientSecret)],
      [{ ...grant, client_secret: clientSecret }, basic(clientId, clientSecret)], // both forms at once
    ] as const) {
      expect(await post(body, authorization)).toMatchObject({
        status: 400,
        body: { error: 'invalid_client' },
      });
    }
    expect((await post({ ...grant, client_id: clientId, client_secret: clientSecret })).status).toBe(200);
  });

  it('answers the adapter with a wrong secret by invalid_client, a value and not an outage', async () => {
    expect(await twin.tokenEndpoint('wrong').refresh('x')).toEqual({ ok: false, error: 'invalid_client' });
  });

  it('keeps the generated secret across UpdateUserPoolClient (the seed runs on every start)', async () => {
    const { UserPoolClient } = await twin.sdk.send(
      new DescribeUserPoolClientCommand({ UserPoolId: USER_POOL_ID, ClientId: twin.client.clientId }),
    );
    expect(UserPoolClient?.ClientSecret).toBe(twin.client.clientSecret);
  });
});

describe('tokens (token-revocation.html, cognito-revoke-refresh-tokens: jti and origin_jti)', () => {
  it('gives access and ID tokens one origin_jti per sign-in, kept across rotations; jti always new', async () => {
    const first = await signedIn();
    const second = await signedIn();
    const [access, id] = [decodePayload(first.accessToken), decodePayload(first.idToken)];
    expect(access.origin_jti).toEqual(expect.any(String));
    expect(id.origin_jti).toBe(access.origin_jti);
    expect(decodePayload(second.accessToken).origin_jti).not.toBe(access.origin_jti);
    const next = refreshed(await twin.tokenEndpoint().refresh(first.refreshToken));
    const rotated = decodePayload(next.accessToken);
    expect(rotated.origin_jti).toBe(access.origin_jti);
    expect(rotated.jti).not.toBe(access.jti);
    expect(decodePayload(next.idToken!).origin_jti).toBe(access.origin_jti);
  });

  it('grants the requested OAuth scopes and answers expires_in = the access token lifetime', async () => {
    const tokens = await signedIn();
    const access = decodePayload(tokens.accessToken);
    expect(access.scope).toBe('openid email profile cognito-guard/signaling cognito-guard/admin');
    expect((access.exp as number) - (access.iat as number)).toBe(900);
    expect(refreshed(await twin.tokenEndpoint().refresh(tokens.refreshToken)).expiresIn).toBe(900);
  });

  it('keeps the sign-in auth_time across refreshes (amazon-cognito-user-pools-using-the-access-token.html)', async () => {
    const tokens = await signedIn();
    const authTime = decodePayload(tokens.accessToken).auth_time;
    expect(decodePayload(tokens.idToken).auth_time).toBe(authTime);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // cognito-local would stamp a later second
    const next = refreshed(await twin.tokenEndpoint().refresh(tokens.refreshToken));
    expect(decodePayload(next.accessToken).iat).toBeGreaterThan(authTime as number);
    expect(decodePayload(next.accessToken).auth_time).toBe(authTime);
    expect(decodePayload(next.idToken!).auth_time).toBe(authTime);
  });
});

describe('rotation (amazon-cognito-user-pools-using-the-refresh-token.html, API_RefreshTokenRotationType.html)', () => {
  it('returns a new refresh token on every refresh; the old one works for the grace period, then invalid_grant', async () => {
    const { refreshToken: first } = await signedIn();
    const second = refreshed(await twin.tokenEndpoint().refresh(first)).refreshToken!;
    expect(second).not.toBe(first);
    expect((await twin.tokenEndpoint().refresh(first)).ok).toBe(true); // a retry within the grace period
    await sleep((GRACE_SECONDS + 1) * 1000 + 100);
    expect(await twin.tokenEndpoint().refresh(first)).toEqual({ ok: false, error: 'invalid_grant' });
  });

  it('does not end the family on reuse: the current token keeps working (the caller must revoke)', async () => {
    const { refreshToken: first } = await signedIn();
    const second = refreshed(await twin.tokenEndpoint().refresh(first)).refreshToken!;
    await sleep((GRACE_SECONDS + 1) * 1000 + 100);
    expect((await twin.tokenEndpoint().refresh(first)).ok).toBe(false);
    expect((await twin.tokenEndpoint().refresh(second)).ok).toBe(true);
  });

  it('refuses a disabled user (no tokens for a disabled account)', async () => {
    const { refreshToken, accessToken } = await signedIn(bob);
    const Username = decodePayload(accessToken).username as string;
    await twin.sdk.send(new AdminDisableUserCommand({ UserPoolId: USER_POOL_ID, Username }));
    try {
      expect(await twin.tokenEndpoint().refresh(refreshToken)).toEqual({ ok: false, error: 'invalid_grant' });
    } finally {
      await twin.sdk.send(new AdminEnableUserCommand({ UserPoolId: USER_POOL_ID, Username }));
    }
  });
});

describe('RevokeToken (API_RevokeToken.html)', () => {
  it('ends the whole family, whichever of its tokens is revoked', async () => {
    const { refreshToken: first } = await signedIn();
    const second = refreshed(await twin.tokenEndpoint().refresh(first)).refreshToken!;
    await twin.identityProvider().revokeRefreshToken(first);
    expect(await twin.tokenEndpoint().refresh(second)).toEqual({ ok: false, error: 'invalid_grant' });
  });

  it('requires the client secret of a confidential client (NotAuthorizedException)', async () => {
    const { refreshToken } = await signedIn();
    await expect(
      twin.sdk.send(new RevokeTokenCommand({ ClientId: twin.client.clientId, Token: refreshToken })),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    expect((await twin.tokenEndpoint().refresh(refreshToken)).ok).toBe(true);
  });
});
