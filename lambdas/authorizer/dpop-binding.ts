// The REST authorizer's device binding (RFC 9449 §7): the Authorization scheme, and the proof a bound token needs.

import type { AccessClaims } from '../shared/claims';
import type { DpopDeps, DpopMode } from '../shared/dpop';
import { checkProof, dpopChallenge, dpopErrorOf } from '../shared/dpop';
import { EDGE_PATHS } from '../shared/edge';
import type { DpopReasonCode } from '../shared/reasons';
import type { ProofCheck } from './authorize';

/** `Authorization: Bearer <token>` or `DPoP <token>` (RFC 9449 §7.1); anything else is malformed. */
export interface Credential {
  readonly scheme?: 'Bearer' | 'DPoP';
  readonly token?: string;
  readonly malformed: boolean;
}

const CREDENTIAL = /^(Bearer|DPoP) ([A-Za-z0-9\-_.=+/]{1,8192})$/;

/** Same strictness as parseBearer: one space, no surrounding whitespace, at most 8 KB of token characters. */
export function parseCredential(header: string | undefined): Credential {
  if (header === undefined || header === '') return { malformed: false };
  const match = CREDENTIAL.exec(header);
  if (!match) return { malformed: true };
  return { scheme: match[1] as 'Bearer' | 'DPoP', token: match[2], malformed: false };
}

/** The stage's device binding as the authorizer applies it. */
export interface DpopPolicy {
  readonly mode: Exclude<DpopMode, 'off'>;
  readonly deps: DpopDeps;
  /** The public origin of the app (the distribution or custom domain): proofs are made for its URLs. */
  readonly appUrl: string;
}

/** What the proof of one REST request is checked against. */
export interface RestProofRequest {
  readonly credential: Credential;
  /** The `DPoP` header; null when sent more than once (refused). */
  readonly proof: string | undefined | null;
  readonly method: string;
  /** The path below the API prefix (`/me`), as the stage sees it. */
  readonly path: string;
  /** The route declares `dpop: 'required'`: unbound tokens are refused too. */
  readonly required?: boolean;
}

/** One request's binding inputs, whatever carried them. */
interface ProofRequest {
  /** `Bearer` refuses a bound token; undefined (a socket without a proof entry) asks for the proof. */
  readonly scheme: 'Bearer' | 'DPoP' | undefined;
  readonly token: string;
  readonly proof: string | undefined | null;
  readonly method: string;
  readonly url: string;
  readonly required?: boolean;
}

const DPOP_PREFIX = 'dpop.';

/**
 * `$connect`: browsers cannot set headers on a handshake, so the proof rides as one more `Sec-WebSocket-Protocol`
 * entry `dpop.<proof>` (htm GET, htu the public wss URL, ath of the `bearer.` token). More than one is refused.
 */
export function websocketProofCheck(policy: DpopPolicy, protocols: string, token: string): ProofCheck {
  const entries = protocols
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.startsWith(DPOP_PREFIX));
  const proof = entries.length > 1 ? null : entries[0]?.slice(DPOP_PREFIX.length);
  const url = `${policy.appUrl.replace(/^http/, 'ws')}${EDGE_PATHS.ws}`;
  return proofCheck(policy, {
    scheme: proof === undefined ? undefined : 'DPoP',
    token,
    proof,
    method: 'GET',
    url,
  });
}

/**
 * The binding rules of one request: a token with `cnf.jkt` only as `DPoP <token>` with a proof by that key for
 * this method and the public URL (never the execute-api one) and this token (`ath`); the `DPoP` scheme only for
 * bound tokens (no downgrade either way). `monitor` reports what `enforce` refuses.
 */
export function restProofCheck(policy: DpopPolicy, request: RestProofRequest): ProofCheck {
  const { credential, proof, method, path, required } = request;
  const url = `${policy.appUrl}${EDGE_PATHS.api}${path}`;
  const token = credential.token ?? '';
  return proofCheck(policy, { scheme: credential.scheme, token, proof, method, url, required });
}

/**
 * The signaling `reauth` frame's rule: a bound token comes with a fresh proof by its key for the socket (htm GET,
 * htu the public wss URL, ath of the new token), as at `$connect`. Only in `enforce`: monitor lets it through.
 */
export function reauthProofCheck(
  policy: DpopPolicy,
): ((token: string, proof: string | undefined) => ProofCheck) | undefined {
  if (policy.mode !== 'enforce') return undefined;
  const url = `${policy.appUrl.replace(/^http/, 'ws')}${EDGE_PATHS.ws}`;
  return (token, proof) => {
    const scheme = proof === undefined ? undefined : 'DPoP';
    return proofCheck(policy, { scheme, token, proof, method: 'GET', url });
  };
}

function proofCheck(policy: DpopPolicy, request: ProofRequest): ProofCheck {
  return async (claims: AccessClaims) => {
    const reason = await refusalReason(policy, request, claims);
    if (!reason) return undefined;
    const error = reason === 'ERR_STORE_UNAVAILABLE' ? 'invalid_dpop_proof' : dpopErrorOf(reason);
    return {
      reason,
      wwwAuthenticate: dpopChallenge({ reason, error }),
      monitorOnly: policy.mode === 'monitor',
    };
  };
}

async function refusalReason(
  policy: DpopPolicy,
  request: ProofRequest,
  claims: AccessClaims,
): Promise<DpopReasonCode | 'ERR_STORE_UNAVAILABLE' | undefined> {
  if (!claims.jkt) {
    if (request.scheme === 'DPoP') return 'ERR_DPOP_SCHEME';
    return request.required ? 'ERR_DPOP_REQUIRED' : undefined;
  }
  if (request.scheme === 'Bearer') return 'ERR_DPOP_SCHEME';
  if (request.proof === null) return 'ERR_DPOP_MALFORMED';
  const { method, url, token } = request;
  const decision = await checkProof(
    request.proof,
    { method, url, accessToken: token, jkt: claims.jkt },
    policy.deps,
  );
  return decision.ok ? undefined : decision.reason;
}
