// TokenForge for the offline stack: validly signed refusable tokens, with cognito-local's key (public, in its package).

import { createPrivateKey, createSign } from 'node:crypto';
import emulatorKey from 'cognito-local/lib/keys/cognitoLocal.private.json';
import { joinJwt, splitJwt } from '../lambdas/verify/jwt-parts';
import type { TokenForge } from '../lambdas/verify/ports';
import { OTHER_CLIENT_ID } from '../lambdas/verify/tampered-token-forge';

const privateKey = createPrivateKey({ key: emulatorKey.jwk, format: 'jwk' });

/** Re-signs `real` with changed claims: the authorizer must refuse it on those claims, not on its signature. */
function resign(real: string, claims: Record<string, unknown>): string {
  const parts = splitJwt(real);
  const unsigned = joinJwt({ ...parts, payload: { ...parts.payload, ...claims }, signature: '' });
  const signature = createSign('RSA-SHA256')
    .update(unsigned.slice(0, -1))
    .sign(privateKey)
    .toString('base64url');
  return `${unsigned}${signature}`;
}

/** Offline only: every offline stack trusts this key, no deployment in AWS does. */
export const emulatorTokenForge: TokenForge = {
  kind: 'signed',
  expired(real) {
    const now = Math.floor(Date.now() / 1000);
    return resign(real, { iat: now - 3600, exp: now - 1800 });
  },
  otherClient(real) {
    return resign(real, { client_id: OTHER_CLIENT_ID });
  },
};
