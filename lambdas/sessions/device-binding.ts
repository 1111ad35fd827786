// Device binding in the token handler (RFC 9449): which key a session route's proof shows, and bound tokens.

import type { AccessClaims } from '../shared/claims';
import type { DpopDeps } from '../shared/dpop';
import { checkProof } from '../shared/dpop';
import { EDGE_PATHS } from '../shared/edge';
import type { TokenVerifier } from '../shared/ports';
import type { DpopReasonCode } from '../shared/reasons';
import type { GrantResult, TokenSet } from './ports';
import type { SessionRequest } from './request';

/** Cognito's GetTokensFromRefreshToken with `ClientMetadata: { jkt }`: tokens the pre token trigger bound. */
export interface BoundTokenSource {
  /** Rotates like the refresh grant; `invalid_grant` for a token Cognito refuses (reused, revoked, unknown). */
  refresh(refreshToken: string, jkt: string): Promise<GrantResult>;
}

/** Present when the stage's `dpop` option is not `off`. */
export interface SessionBinding {
  /** `enforce`: a sign-in needs a proof. `monitor`: a sign-in without one stays unbound. Bound sessions always need it. */
  readonly mode: 'monitor' | 'enforce';
  readonly dpop: DpopDeps;
  readonly tokens: BoundTokenSource;
}

/** The session routes a proof is made for (paths under the API prefix). */
export type SessionRoute = '/auth/login' | '/auth/session' | '/auth/refresh' | '/auth/logout';

export type SessionProof =
  | { readonly ok: true; readonly jkt?: string }
  | {
      readonly ok: false;
      readonly reason: DpopReasonCode | 'ERR_STORE_UNAVAILABLE';
      /** No proof, or another key's, for a bound session: its cookie is being used off its device. */
      readonly theft: boolean;
    };

/**
 * The key a POST to `route` proves. `htu` is the request's Origin (already allowlisted by the CSRF check) plus the
 * edge path, as the browser called it. With `boundTo`, a proof by exactly that key is required; without it, a
 * proof is optional (`required` aside) and its key, if any, is returned.
 */
export async function sessionProof(
  request: SessionRequest,
  route: SessionRoute,
  binding: SessionBinding,
  options: { readonly boundTo?: string; readonly required?: boolean } = {},
): Promise<SessionProof> {
  const { boundTo, required } = options;
  if (!request.dpop) {
    if (boundTo) return { ok: false, reason: 'ERR_DPOP_MISSING', theft: true };
    return required ? { ok: false, reason: 'ERR_DPOP_MISSING', theft: false } : { ok: true };
  }
  const url = `${request.origin ?? ''}${EDGE_PATHS.api}${route}`;
  const decision = await checkProof(
    request.dpop,
    { method: 'POST', url, ...(boundTo ? { jkt: boundTo } : {}) },
    binding.dpop,
  );
  if (decision.ok) return { ok: true, jkt: decision.jkt };
  return { ok: false, reason: decision.reason, theft: decision.reason === 'ERR_DPOP_KEY_MISMATCH' };
}

export type BoundTokens =
  | {
      readonly ok: true;
      readonly tokens: TokenSet;
      readonly claims: AccessClaims;
      readonly refreshToken: string;
    }
  | { readonly ok: false; readonly message: string };

/**
 * Trades the first tokens of a sign-in for bound ones: one GetTokensFromRefreshToken with `{ jkt }` (the token
 * endpoint's code grant passes no metadata to the trigger), so the unbound first access token is never handed out.
 * The new access token must carry exactly this `cnf.jkt`, for the same user and sign-in session.
 */
export async function bindSignIn(
  first: { readonly refreshToken: string; readonly claims: AccessClaims },
  jkt: string,
  binding: SessionBinding,
  verifier: TokenVerifier,
): Promise<BoundTokens> {
  const grant = await binding.tokens.refresh(first.refreshToken, jkt);
  if (!grant.ok) return { ok: false, message: `binding the tokens was refused (${grant.error})` };
  const verified = await verifier.verify(grant.tokens.accessToken);
  if (!verified.ok) return { ok: false, message: 'the bound access token does not verify' };
  const { claims } = verified;
  if (claims.jkt !== jkt || claims.sub !== first.claims.sub || claims.originJti !== first.claims.originJti) {
    return {
      ok: false,
      message: 'the access token is not bound: is the pre token generation trigger attached?',
    };
  }
  return {
    ok: true,
    tokens: grant.tokens,
    claims,
    refreshToken: grant.tokens.refreshToken ?? first.refreshToken,
  };
}
