// Test helper: mint JWTs with any header/claims, signed by a given key (never used by production code).

import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JsonWebKey & { kid: string; alg: string; use: string };
}

export function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

/** A fresh RSA-2048 key pair with its public JWK (alg RS256, use sig). */
export function rsaTestKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  return { kid, privateKey, publicJwk: { ...jwk, kid, alg: 'RS256', use: 'sig' } };
}

/** Signs `header.payload` with RS256; header defaults to `{ alg: 'RS256', kid }`. */
export function signRs256(key: TestKey, payload: object, header: object = {}): string {
  const signingInput = `${base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header }))}.${base64url(
    JSON.stringify(payload),
  )}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(key.privateKey);
  return `${signingInput}.${base64url(signature)}`;
}

export const TEST_REGION = 'us-east-1';
export const TEST_POOL_ID = 'us-east-1_TestPool1';
export const TEST_CLIENT_ID = 'testclientid1234567890';
export const TEST_ISSUER = `https://cognito-idp.${TEST_REGION}.amazonaws.com/${TEST_POOL_ID}`;

/** Claims of a valid Cognito access token for the test pool, issued now, valid 15 minutes. */
export function accessTokenClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: 'aaaaaaaa-1111-2222-3333-444444444444',
    'cognito:groups': ['admins'],
    iss: TEST_ISSUER,
    client_id: TEST_CLIENT_ID,
    origin_jti: 'origin-jti-1',
    event_id: 'event-1',
    token_use: 'access',
    scope: 'openid email',
    auth_time: now,
    iat: now,
    exp: now + 900,
    jti: 'jti-1',
    username: 'alice',
    ...overrides,
  };
}
