// The verifier adapter with the real aws-jwt-verify, a local RSA key and Cognito-shaped tokens; no network.

import { createHmac, createPublicKey } from 'node:crypto';
import { CognitoTokenVerifier } from '../../lambdas/adapters/cognito-token-verifier';
import { AUTH_TIME_SKEW_SECONDS } from '../../lambdas/shared/claims';
import {
  accessTokenClaims,
  base64url,
  rsaTestKey,
  signRs256,
  TEST_CLIENT_ID,
  TEST_POOL_ID,
} from '../helpers/jwt';

const key = rsaTestKey('test-kid-1');
const otherKey = rsaTestKey('test-kid-1'); // same kid, different key: a forgery

function verifier(): CognitoTokenVerifier {
  const v = new CognitoTokenVerifier({
    userPoolId: TEST_POOL_ID,
    clientId: TEST_CLIENT_ID,
    jwksUri: 'http://127.0.0.1:9/unreachable/jwks.json', // any fetch fails: only cached keys count
    jwksTimeoutMs: 200,
  });
  v.cacheJwks({ keys: [key.publicJwk as never] });
  return v;
}

function hs256WithPublicKey(): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: key.kid }));
  const payload = base64url(JSON.stringify(accessTokenClaims()));
  // the attacker only knows the public key
  const publicPem = createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' }) as string;
  const signature = createHmac('sha256', publicPem).update(`${header}.${payload}`).digest();
  return `${header}.${payload}.${base64url(signature)}`;
}

describe('CognitoTokenVerifier', () => {
  it('accepts a valid access token and returns its claims', async () => {
    const result = await verifier().verify(signRs256(key, accessTokenClaims()));
    expect(result).toEqual({
      ok: true,
      claims: expect.objectContaining({
        sub: 'aaaaaaaa-1111-2222-3333-444444444444',
        username: 'alice',
        jti: 'jti-1',
        originJti: 'origin-jti-1',
        groups: ['admins'],
        scopes: ['openid', 'email'],
      }),
    });
  });

  it('returns the device key thumbprint of a bound token (cnf.jkt, RFC 9449 §6.1)', async () => {
    const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
    const result = await verifier().verify(signRs256(key, accessTokenClaims({ cnf: { jkt } })));
    expect(result).toMatchObject({ ok: true, claims: { jkt } });
  });

  const now = Math.floor(Date.now() / 1000);
  const noExp = accessTokenClaims();
  delete noExp.exp;
  const cases: Array<[string, () => string, string]> = [
    [
      'denies an expired token',
      () => signRs256(key, accessTokenClaims({ exp: now - 10 })),
      'ERR_TOKEN_EXPIRED',
    ],
    [
      'denies a token for another client',
      () => signRs256(key, accessTokenClaims({ client_id: 'other' })),
      'ERR_TOKEN_CLAIMS',
    ],
    [
      'denies an ID token used as access token',
      () => signRs256(key, accessTokenClaims({ token_use: 'id' })),
      'ERR_TOKEN_CLAIMS',
    ],
    [
      'denies a token from another issuer',
      () =>
        signRs256(
          key,
          accessTokenClaims({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' }),
        ),
      'ERR_TOKEN_CLAIMS',
    ],
    ['denies a correctly signed token without exp', () => signRs256(key, noExp), 'ERR_TOKEN_CLAIMS'],
    [
      'denies a token whose cnf binding is not { jkt: <thumbprint> } (never read as unbound)',
      () => signRs256(key, accessTokenClaims({ cnf: { jkt: 'short' } })),
      'ERR_TOKEN_CLAIMS',
    ],
    [
      'denies a token whose cnf is a string',
      () => signRs256(key, accessTokenClaims({ cnf: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' })),
      'ERR_TOKEN_CLAIMS',
    ],
    [
      'denies a token without jti',
      () => signRs256(key, accessTokenClaims({ jti: undefined })),
      'ERR_TOKEN_CLAIMS',
    ],
    [
      'denies alg none',
      () =>
        `${base64url('{"alg":"none","kid":"test-kid-1"}')}.${base64url(JSON.stringify(accessTokenClaims()))}.c2ln`,
      'ERR_TOKEN_SIGNATURE',
    ],
    [
      'denies alg none with an empty signature as malformed',
      () =>
        `${base64url('{"alg":"none","kid":"test-kid-1"}')}.${base64url(JSON.stringify(accessTokenClaims()))}.`,
      'ERR_TOKEN_MALFORMED',
    ],
    ['denies HS256 signed with the public key', hs256WithPublicKey, 'ERR_TOKEN_SIGNATURE'],
    [
      'denies a token signed by another key under the same kid',
      () => signRs256(otherKey, accessTokenClaims()),
      'ERR_TOKEN_SIGNATURE',
    ],
    [
      'denies a tampered payload',
      () => {
        const [h, , s] = signRs256(key, accessTokenClaims()).split('.');
        return `${h}.${base64url(JSON.stringify(accessTokenClaims({ sub: 'someone-else' })))}.${s}`;
      },
      'ERR_TOKEN_SIGNATURE',
    ],
    ['denies garbage', () => 'not-a-jwt', 'ERR_TOKEN_MALFORMED'],
    [
      // A future auth_time passes any step-up age and never falls below a user watermark.
      'denies an auth_time later than iat plus the skew',
      () => signRs256(key, accessTokenClaims({ iat: now, auth_time: now + AUTH_TIME_SKEW_SECONDS + 1 })),
      'ERR_TOKEN_CLAIMS',
    ],
  ];

  it('accepts an auth_time up to the skew after iat', async () => {
    const token = signRs256(key, accessTokenClaims({ iat: now, auth_time: now + AUTH_TIME_SKEW_SECONDS }));
    expect(await verifier().verify(token)).toEqual(
      expect.objectContaining({
        ok: true,
        claims: expect.objectContaining({ authTime: now + AUTH_TIME_SKEW_SECONDS }),
      }),
    );
  });

  it.each(cases)('%s', async (_name, token, reason) => {
    expect(await verifier().verify(token())).toEqual({ ok: false, reason });
  });

  it('denies an unknown kid with ERR_JWKS_UNAVAILABLE when the JWKS endpoint is unreachable', async () => {
    const stranger = rsaTestKey('unknown-kid');
    expect(await verifier().verify(signRs256(stranger, accessTokenClaims()))).toEqual({
      ok: false,
      reason: 'ERR_JWKS_UNAVAILABLE',
    });
  });
});
