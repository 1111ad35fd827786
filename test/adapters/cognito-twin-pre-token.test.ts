// The twin runs the pre token generation trigger (V2_0) when it mints, and GetTokensFromRefreshToken passes
// ClientMetadata to it (API_GetTokensFromRefreshToken.html, user-pool-lambda-pre-token-generation.html).
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AdminInitiateAuthCommand,
  GetTokensFromRefreshTokenCommand,
  RevokeTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DEMO_USERS } from '../../local/seed';
import { seedVerification } from '../../local/seed-verification';
import { CognitoBoundTokens } from '../../lambdas/adapters/cognito-bound-tokens';
import { UpstreamError } from '../../lambdas/sessions/ports';
import type { Twin } from '../helpers/cognito-twin';
import { fixedSecret, REGION, startTwin, USER_POOL_ID } from '../helpers/cognito-twin';
import { newDeviceKey } from '../helpers/dpop';
import { decodePayload } from '../helpers/mint-token';
import { signIn } from '../helpers/sign-in';

const GRACE_SECONDS = 1;
let twin: Twin;
const [alice] = DEMO_USERS;

beforeAll(async () => {
  twin = await startTwin(GRACE_SECONDS);
});

afterAll(async () => {
  await twin?.dispose();
});

const signedIn = () => signIn(twin.stack, alice.username, alice.password);
const getTokens = (
  refreshToken: string,
  metadata?: Record<string, string>,
  secret = twin.client.clientSecret,
) =>
  twin.sdk.send(
    new GetTokensFromRefreshTokenCommand({
      RefreshToken: refreshToken,
      ClientId: twin.client.clientId,
      ClientSecret: secret,
      ...(metadata ? { ClientMetadata: metadata } : {}),
    }),
  );

describe('GetTokensFromRefreshToken with ClientMetadata', () => {
  it('binds the new access token to the thumbprint (cnf.jkt) and leaves the ID token and other claims alone', async () => {
    const { jkt } = await newDeviceKey();
    const { refreshToken, accessToken: first } = await signedIn();
    const result = (await getTokens(refreshToken, { jkt })).AuthenticationResult!;
    const access = decodePayload(result.AccessToken!);
    expect(access.cnf).toEqual({ jkt });
    expect(decodePayload(first).cnf).toBeUndefined(); // the code exchange carries no metadata
    expect(decodePayload(result.IdToken!).cnf).toBeUndefined();
    expect(access.origin_jti).toBe(decodePayload(first).origin_jti);
    expect(access.sub).toBe(decodePayload(first).sub);
    expect(result.RefreshToken).toBeDefined(); // rotation on
  });

  it('mints an unbound token when the metadata has no valid thumbprint', async () => {
    const { refreshToken } = await signedIn();
    const result = (await getTokens(refreshToken, { jkt: 'not-a-thumbprint', sub: 'someone-else' }))
      .AuthenticationResult!;
    const access = decodePayload(result.AccessToken!);
    expect(access.cnf).toBeUndefined();
    expect(access.sub).not.toBe('someone-else');
  });

  it('rejects a wrong client secret (NotAuthorizedException)', async () => {
    const { refreshToken } = await signedIn();
    await expect(getTokens(refreshToken, undefined, 'wrong')).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
  });

  it('rejects a rotated-away token after the grace period with RefreshTokenReuseException', async () => {
    const { refreshToken: first } = await signedIn();
    await getTokens(first);
    await sleep((GRACE_SECONDS + 1) * 1000 + 100);
    await expect(getTokens(first)).rejects.toMatchObject({ name: 'RefreshTokenReuseException' });
  });

  it('rejects an unknown refresh token (NotAuthorizedException)', async () => {
    await expect(getTokens('bm90LWEtdG9rZW4')).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });
});

describe('CognitoBoundTokens (the auth function adapter) against the twin', () => {
  const adapter = (secret = twin.client.clientSecret) =>
    new CognitoBoundTokens({ clientId: twin.client.clientId, clientSecret: fixedSecret(secret) }, twin.sdk);

  it('returns rotated tokens whose access token carries cnf.jkt', async () => {
    const { jkt } = await newDeviceKey();
    const { refreshToken } = await signedIn();
    const grant = await adapter().refresh(refreshToken, jkt);
    if (!grant.ok) throw new Error(grant.error);
    expect(decodePayload(grant.tokens.accessToken).cnf).toEqual({ jkt });
    expect(grant.tokens.refreshToken).toBeDefined();
    expect(grant.tokens.expiresIn).toBeGreaterThan(0);
  });

  it('answers invalid_grant for a reused token (RefreshTokenReuseException), a value and not an outage', async () => {
    const { jkt } = await newDeviceKey();
    const { refreshToken } = await signedIn();
    await adapter().refresh(refreshToken, jkt);
    await sleep((GRACE_SECONDS + 1) * 1000 + 100);
    expect(await adapter().refresh(refreshToken, jkt)).toEqual({ ok: false, error: 'invalid_grant' });
  });

  it('fails as an outage, not as reuse, when the client secret is refused', async () => {
    const { jkt } = await newDeviceKey();
    const { refreshToken } = await signedIn();
    await expect(adapter('wrong').refresh(refreshToken, jkt)).rejects.toBeInstanceOf(UpstreamError);
  });
});

describe('AdminInitiateAuth refresh tokens (the verification client: no secret, no rotation)', () => {
  it('binds through GetTokensFromRefreshToken with { jkt }, in the same session, and RevokeToken ends them', async () => {
    const { clientId, user } = await seedVerification({
      cognitoUrl: twin.url,
      region: REGION,
      userPoolId: USER_POOL_ID,
    });
    const signedIn = (
      await twin.sdk.send(
        new AdminInitiateAuthCommand({
          UserPoolId: USER_POOL_ID,
          ClientId: clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
        }),
      )
    ).AuthenticationResult!;
    const { jkt } = await newDeviceKey();
    const refresh = (metadata?: Record<string, string>) =>
      twin.sdk.send(
        new GetTokensFromRefreshTokenCommand({
          RefreshToken: signedIn.RefreshToken,
          ClientId: clientId,
          ...(metadata ? { ClientMetadata: metadata } : {}),
        }),
      );

    const bound = (await refresh({ jkt })).AuthenticationResult!;

    const access = decodePayload(bound.AccessToken!);
    expect(access.cnf).toEqual({ jkt });
    expect(access.origin_jti).toBe(decodePayload(signedIn.AccessToken!).origin_jti);
    expect(access.auth_time).toBe(decodePayload(signedIn.AccessToken!).iat);
    expect(bound.RefreshToken).toBeUndefined(); // rotation off: the refresh token stays
    await twin.sdk.send(new RevokeTokenCommand({ ClientId: clientId, Token: signedIn.RefreshToken }));
    await expect(refresh()).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });
});
