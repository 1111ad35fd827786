// DPoP (RFC 9449) proof rules as values: header, claims, request binding, key binding; crypto behind a port.

import { createHash } from 'node:crypto';
import type { Clock } from './ports';
import type { DpopReasonCode } from './reasons';
import { REALM } from './reasons';

/** The only proof algorithm accepted (WebCrypto ECDSA P-256 in browsers; no RSA, no HMAC, never `none`). */
export const DPOP_ALGORITHM = 'ES256';
/** RFC 9449 §4.2: the proof's `typ` header. */
export const DPOP_TYPE = 'dpop+jwt';
/** A proof older than this (by its `iat`) is stale: the window in which a captured proof could be replayed. */
export const DPOP_MAX_AGE_SECONDS = 60;
/** A proof at most this far in the future is accepted (client clocks drift). */
export const DPOP_MAX_FUTURE_SECONDS = 10;
/** Longest proof accepted (a P-256 proof with `ath` and `nonce` is about 700 characters). */
export const DPOP_MAX_LENGTH = 4096;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/; // empty signature: alg none, refused by alg
const JTI = /^[\x21-\x7e]{16,256}$/; // printable, at least 16 chars: enough entropy to be unique per request
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/; // RFC 7638 SHA-256 thumbprint, base64url without padding

/**
 * Device-binding rollout, like the deny-list's: `off` mints unbound tokens; `monitor` binds them and logs and counts
 * what `enforce` would refuse; `enforce` refuses it.
 */
export type DpopMode = 'off' | 'monitor' | 'enforce';
export const DPOP_MODES: readonly DpopMode[] = ['off', 'monitor', 'enforce'];

/**
 * Where used proof ids are remembered (docs/device-binding.md#replay): `table`, one conditional write per proof to
 * the deny-list table, so a replay is refused whichever instance it reaches; `instance`, the memory of each warm
 * Lambda instance, free, but a replay that reaches another instance within the window passes.
 */
export type ReplayGuardKind = 'table' | 'instance';
export const REPLAY_GUARD_KINDS: readonly ReplayGuardKind[] = ['table', 'instance'];

/** The RFC 9449 §7.1 error code of a `WWW-Authenticate: DPoP` challenge. */
export type DpopError = 'invalid_dpop_proof' | 'invalid_token' | 'use_dpop_nonce';

/** A refusal with the challenge's error code. */
export interface DpopRefusal {
  readonly ok: false;
  readonly reason: DpopReasonCode | 'ERR_STORE_UNAVAILABLE';
  readonly error: DpopError;
}

/** A proof that passed every rule: the key it was signed with, and its own id. */
export interface AcceptedProof {
  readonly ok: true;
  /** RFC 7638 SHA-256 thumbprint of the proof's key (base64url). */
  readonly jkt: string;
  readonly jti: string;
}

export type DpopDecision = AcceptedProof | DpopRefusal;

/** A proof whose signature verified with the public key in its own header. */
export interface SignedProof {
  readonly payload: Readonly<Record<string, unknown>>;
  /** RFC 7638 SHA-256 thumbprint of the header's `jwk` (base64url). */
  readonly thumbprint: string;
}

export type ProofVerification =
  | { readonly ok: true; readonly proof: SignedProof }
  | { readonly ok: false; readonly reason: DpopReasonCode };

/** Verifies a proof's ES256 signature with its embedded `jwk` and computes the key's thumbprint. Never throws. */
export interface DpopProofVerifier {
  verify(proof: string): Promise<ProofVerification>;
}

/** Remembers proof ids for their acceptance window: true the first time a key uses an id. Throws on outage. */
export interface ProofReplayGuard {
  firstUse(jkt: string, jti: string, expiresAtSeconds: number): Promise<boolean>;
}

/** The request a proof must be made for, and the key it must be signed with. */
export interface ProofExpectation {
  /** HTTP method as sent (`GET`, `POST`; `GET` for a WebSocket handshake). */
  readonly method: string;
  /** The request URL as the browser sent it (public origin + path); query and fragment are ignored. */
  readonly url: string;
  /** The access token sent with the proof: then `ath` must be its hash. */
  readonly accessToken?: string;
  /** The bound key's thumbprint (the token's `cnf.jkt`, the session's), when the credential is bound. */
  readonly jkt?: string;
  /** The nonce the server requires, when it requires one. */
  readonly nonce?: string;
}

export interface DpopDeps {
  readonly verifier: DpopProofVerifier;
  readonly clock: Clock;
  /** Without a guard, a proof may be replayed within its window (documented in docs/device-binding.md). */
  readonly replay?: ProofReplayGuard;
}

/**
 * Checks one `DPoP` header value against the request it came with. Cheap rules first (shape, header), then the
 * signature, then the claims, then the key binding, then replay (the only rule that may cost a store call).
 */
export async function checkProof(
  proof: string | undefined,
  expected: ProofExpectation,
  deps: DpopDeps,
): Promise<DpopDecision> {
  if (proof === undefined || proof === '') return refuse('ERR_DPOP_MISSING');
  if (proof.length > DPOP_MAX_LENGTH || !COMPACT_JWS.test(proof)) return refuse('ERR_DPOP_MALFORMED');
  const headerReason = headerRefusal(decodeSegment(proof.split('.')[0] ?? ''));
  if (headerReason) return refuse(headerReason);
  const verified = await deps.verifier.verify(proof);
  if (!verified.ok) return refuse(verified.reason);
  const now = deps.clock.nowSeconds();
  const claimsReason = claimsRefusal(verified.proof.payload, expected, now);
  if (claimsReason) return refuse(claimsReason);
  const jkt = verified.proof.thumbprint;
  if (expected.jkt !== undefined && expected.jkt !== jkt) return refuse('ERR_DPOP_KEY_MISMATCH');
  const jti = verified.proof.payload.jti as string;
  if (deps.replay) {
    const iat = verified.proof.payload.iat as number;
    let first: boolean;
    try {
      first = await deps.replay.firstUse(jkt, jti, iat + DPOP_MAX_AGE_SECONDS);
    } catch {
      return { ok: false, reason: 'ERR_STORE_UNAVAILABLE', error: 'invalid_dpop_proof' }; // fail closed
    }
    if (!first) return refuse('ERR_DPOP_REPLAY');
  }
  return { ok: true, jkt, jti };
}

/** Why a decoded proof header is refused before any crypto runs (RFC 9449 §4.3 checks 4-7), or undefined. */
export function headerRefusal(header: unknown): DpopReasonCode | undefined {
  if (!isObject(header) || header.typ !== DPOP_TYPE) return 'ERR_DPOP_MALFORMED';
  if (header.alg !== DPOP_ALGORITHM) return 'ERR_DPOP_ALG';
  const jwk = header.jwk;
  if (!isObject(jwk) || jwk.kty !== 'EC' || jwk.crv !== 'P-256') return 'ERR_DPOP_KEY';
  if ('d' in jwk || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') return 'ERR_DPOP_KEY';
  if ('crit' in header) return 'ERR_DPOP_MALFORMED'; // no extension we understand
  return undefined;
}

/** Why a verified proof's claims do not fit the request (RFC 9449 §4.3 checks 8-12), or undefined. */
export function claimsRefusal(
  payload: Readonly<Record<string, unknown>>,
  expected: ProofExpectation,
  nowSeconds: number,
): DpopReasonCode | undefined {
  const { jti, htm, htu, iat, ath, nonce } = payload;
  if (typeof jti !== 'string' || !JTI.test(jti)) return 'ERR_DPOP_MALFORMED';
  if (typeof htm !== 'string' || typeof htu !== 'string') return 'ERR_DPOP_MALFORMED';
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return 'ERR_DPOP_MALFORMED';
  if (htm !== expected.method || !sameTarget(htu, expected.url)) return 'ERR_DPOP_REQUEST';
  if (iat < nowSeconds - DPOP_MAX_AGE_SECONDS || iat > nowSeconds + DPOP_MAX_FUTURE_SECONDS) {
    return 'ERR_DPOP_STALE';
  }
  if (expected.nonce !== undefined && nonce !== expected.nonce) return 'ERR_DPOP_NONCE';
  if (expected.accessToken !== undefined && ath !== accessTokenHash(expected.accessToken))
    return 'ERR_DPOP_ATH';
  return undefined;
}

/** RFC 9449 §4.2 `ath`: base64url SHA-256 of the access token's ASCII bytes. */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** Whether a value is syntactically an RFC 7638 SHA-256 thumbprint (43 base64url characters). */
export function isThumbprint(value: unknown): value is string {
  return typeof value === 'string' && THUMBPRINT.test(value);
}

/**
 * `htu` vs the request URL, ignoring query and fragment (RFC 9449 §4.3 check 9), after the syntax-based
 * normalization URL parsing does (scheme and host case, default port, dot segments; RFC 3986 §6.2.2-6.2.3).
 */
export function sameTarget(htu: string, url: string): boolean {
  const a = parseUrl(htu);
  const b = parseUrl(url);
  return a !== undefined && b !== undefined && a === b;
}

function parseUrl(value: string): string | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (!['https:', 'wss:', 'http:', 'ws:'].includes(url.protocol) || url.username || url.password)
    return undefined;
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** The `WWW-Authenticate` value of a DPoP refusal (RFC 9449 §7.1), naming the accepted algorithm. */
export function dpopChallenge(refusal: Pick<DpopRefusal, 'reason' | 'error'>): string {
  const { reason, error } = refusal;
  return `DPoP realm="${REALM}", error="${error}", error_description="${reason}", algs="${DPOP_ALGORITHM}"`;
}

function refuse(reason: DpopReasonCode): DpopRefusal {
  return { ok: false, reason, error: dpopErrorOf(reason) };
}

/** The §7.1 error code of a reason: the nonce has its own; a token in the wrong scheme or unbound is `invalid_token`. */
export function dpopErrorOf(reason: DpopReasonCode): DpopError {
  if (reason === 'ERR_DPOP_NONCE') return 'use_dpop_nonce';
  if (reason === 'ERR_DPOP_SCHEME' || reason === 'ERR_DPOP_REQUIRED') return 'invalid_token';
  return 'invalid_dpop_proof';
}

function decodeSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
