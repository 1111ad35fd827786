// Test helper: Cognito-shaped access tokens signed with cognito-local's (public!) key, any header or claim overridden.
import { WEB_CLIENT_SCOPES } from '../../lambdas/shared/oauth-scopes';
import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import emulatorKey from 'cognito-local/lib/keys/cognitoLocal.private.json';
import type { TestKey } from './jwt';
import { signRs256 } from './jwt';

/** cognito-local's signing key: every offline stack trusts it, so tests can mint tokens it accepts. */
export const EMULATOR_KEY: TestKey = (() => {
  const privateKey = createPrivateKey({ key: emulatorKey.jwk, format: 'jwk' });
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return {
    kid: emulatorKey.jwk.kid,
    privateKey,
    publicJwk: { ...publicJwk, kid: emulatorKey.jwk.kid, alg: 'RS256', use: 'sig' },
  };
})();

export interface TokenAudience {
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
}

/**
 * A Cognito access token for the pool and client (as real Cognito issues them: with `origin_jti`), issued now,
 * valid 15 minutes. `claims` override or add claims (`undefined` removes one); `header` overrides the JOSE header.
 */
export function mintAccessToken(
  audience: TokenAudience,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    sub: randomUUID(),
    iss: `https://cognito-idp.${audience.region}.amazonaws.com/${audience.userPoolId}`,
    client_id: audience.clientId,
    origin_jti: randomUUID(),
    event_id: randomUUID(),
    token_use: 'access',
    scope: WEB_CLIENT_SCOPES.join(' '), // what the page's sign-in is granted
    auth_time: now,
    iat: now,
    exp: now + 900,
    jti: randomUUID(),
    ...claims,
  };
  return signRs256(EMULATOR_KEY, { username: payload.sub, ...payload }, header);
}

/** The payload of a JWT, unverified (tests only). */
export function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}
