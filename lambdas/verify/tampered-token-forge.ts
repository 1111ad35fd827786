// TokenForge for real deployments: edits a real token's claims, so the result also carries a broken signature.

import { joinJwt, splitJwt } from './jwt-parts';
import type { TokenForge } from './ports';

/**
 * Only Cognito can sign for a real pool, so the expired and other-client tokens made here fail on their signature
 * before their claims are read: these checks prove such tokens are refused, not which rule refused them.
 */
export const tamperedTokenForge: TokenForge = {
  kind: 'tampered',
  expired(real) {
    const parts = splitJwt(real);
    const exp = typeof parts.payload.iat === 'number' ? parts.payload.iat - 60 : 1;
    return joinJwt({ ...parts, payload: { ...parts.payload, exp } });
  },
  otherClient(real) {
    const parts = splitJwt(real);
    return joinJwt({ ...parts, payload: { ...parts.payload, client_id: OTHER_CLIENT_ID } });
  },
};

/** A syntactically valid Cognito app client id that no pool issued (26 lowercase alphanumerics). */
export const OTHER_CLIENT_ID = 'verifyotherclient000000000';
