// The Cognito identity-provider adapter against the offline Cognito (cognito-local + twin): RevokeToken with the
// client secret, AdminUserGlobalSignOut, ListUsers by email prefix, errors translated.

import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { UpstreamError } from '../../lambdas/sessions/ports';
import { DEMO_USERS } from '../../local/seed';
import type { Twin } from '../helpers/cognito-twin';
import { REGION, startTwin } from '../helpers/cognito-twin';
import { decodePayload } from '../helpers/mint-token';
import { signIn } from '../helpers/sign-in';

let twin: Twin;
const [alice, bob] = DEMO_USERS;

beforeAll(async () => {
  twin = await startTwin(0);
});

afterAll(async () => {
  await twin?.dispose();
});

const signedIn = async (user = alice) => signIn(twin.stack, user.username, user.password);

describe('CognitoIdentityProvider', () => {
  it('revokes a refresh token: the refresh grant refuses it afterwards', async () => {
    const { refreshToken } = await signedIn();
    const rotated = await twin.tokenEndpoint().refresh(refreshToken);
    expect(rotated.ok).toBe(true);
    const current = rotated.ok ? rotated.tokens.refreshToken! : '';
    await twin.identityProvider().revokeRefreshToken(current);
    expect(await twin.tokenEndpoint().refresh(current)).toEqual({ ok: false, error: 'invalid_grant' });
  });

  it('treats revoking an already revoked or unknown token as done', async () => {
    const { refreshToken } = await signedIn();
    await twin.identityProvider().revokeRefreshToken(refreshToken);
    await expect(twin.identityProvider().revokeRefreshToken(refreshToken)).resolves.toBeUndefined();
    await expect(twin.identityProvider().revokeRefreshToken('never-issued')).resolves.toBeUndefined();
  });

  it('does not revoke with a wrong client secret (the token keeps working)', async () => {
    const { refreshToken } = await signedIn();
    await twin.identityProvider('not-the-secret').revokeRefreshToken(refreshToken);
    expect((await twin.tokenEndpoint().refresh(refreshToken)).ok).toBe(true);
  });

  it('signs a user out globally: every refresh token of that user ends, other users keep theirs', async () => {
    const [first, second, other] = [await signedIn(), await signedIn(), await signedIn(bob)];
    const sub = decodePayload(first.accessToken).sub as string;
    expect(await twin.identityProvider().globalSignOut(sub)).toBe('signed-out');
    for (const { refreshToken } of [first, second]) {
      expect(await twin.tokenEndpoint().refresh(refreshToken)).toEqual({ ok: false, error: 'invalid_grant' });
    }
    expect((await twin.tokenEndpoint().refresh(other.refreshToken)).ok).toBe(true);
  });

  it('reports an unknown user', async () => {
    expect(await twin.identityProvider().globalSignOut('00000000-0000-0000-0000-000000000000')).toBe(
      'user-not-found',
    );
  });

  it('finds users by email prefix with their sub, username and status', async () => {
    const page = await twin.identityProvider().findByEmailPrefix('ali', 20);
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
    expect((await twin.identityProvider().findByEmailPrefix('nobody', 20)).users).toEqual([]);
  });

  it('fails with UpstreamError when Cognito is unreachable', async () => {
    const unreachable = new CognitoIdentityProviderClient({
      endpoint: 'http://127.0.0.1:9',
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const idp = twin.identityProvider(undefined, unreachable);
    await expect(idp.globalSignOut('any-user')).rejects.toThrow(UpstreamError);
    await expect(idp.revokeRefreshToken('token')).rejects.toThrow(UpstreamError);
    await expect(idp.findByEmailPrefix('a', 20)).rejects.toThrow(UpstreamError);
    unreachable.destroy();
  });
});
