// The authorize core: bearer token -> verify signature and claims -> deny-list -> Allow or a typed Deny.

import type { AccessClaims, Identity } from '../shared/claims';
import { identityOf } from '../shared/claims';
import type { Clock, RevocationReader, TokenVerifier } from '../shared/ports';
import type { BearerError, ReasonCode, RevocationScope } from '../shared/reasons';
import type { RevocationCause } from '../shared/revocation-cause';
import { revocationCause } from '../shared/revocation-cause';
import { revokingRecord } from '../shared/revocation-rules';
import type { RoutePolicy } from '../shared/route-policy';
import { policyRefusal } from '../shared/route-policy';

export interface AuthorizeDeps {
  readonly verifier: TokenVerifier;
  readonly revocations: RevocationReader;
  readonly clock: Clock;
  /** Deny tokens without `origin_jti` (they could not be revoked by session). */
  readonly requireSessionId: boolean;
  /**
   * `enforce` denies revoked tokens; `monitor` lets a correctly signed, unexpired but revoked token through and
   * reports it as `wouldDeny` (deny-list rollout). Every other failure is denied in both modes.
   */
  readonly mode: EnforcementMode;
  /**
   * App clients (none by default) whose tokens skip a policy's `scopes` (never its step-up age): the verification client signs in
   * with AdminInitiateAuth, and "to generate an access token with custom scopes, you must request it through your
   * user pool public endpoints" (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html).
   */
  readonly scopeExemptClientIds?: readonly string[];
}

/** A request's device-binding refusal (lambdas/authorizer/dpop-binding.ts). */
export interface ProofRefusal {
  readonly reason: ReasonCode;
  readonly wwwAuthenticate: string;
  /** Stage `dpop: 'monitor'`: allowed, reported as `wouldDeny`. */
  readonly monitorOnly: boolean;
}

/** The device-binding check of one request, run once the token verified (before the deny-list read). */
export type ProofCheck = (claims: AccessClaims) => Promise<ProofRefusal | undefined>;

export type EnforcementMode = 'enforce' | 'monitor';
export const ENFORCEMENT_MODES: readonly EnforcementMode[] = ['enforce', 'monitor'];

export type Decision =
  | {
      readonly effect: 'Allow';
      readonly identity: Identity;
      /** Monitor mode only: the deny this request would have received under `enforce`. */
      readonly wouldDeny?: { readonly reason: ReasonCode; readonly scope?: RevocationScope };
    }
  | {
      readonly effect: 'Deny';
      readonly reason: ReasonCode;
      readonly scope?: RevocationScope;
      /** Revocations: who ended the session (from the deny-list entry's reason), for the denial's message. */
      readonly cause?: RevocationCause;
      /** The challenge's error code when not the reason's own (a malformed request rather than a bad token). */
      readonly bearerError?: BearerError;
      /** Present once the token verified: who was denied (for the log line). */
      readonly claims?: AccessClaims;
      /** The whole challenge when it has parameters of its own (`scope`, `max_age`). */
      readonly wwwAuthenticate?: string;
    };

/**
 * Decides on a raw access token (already extracted from its transport), held to the route's `policy` (scopes,
 * step-up) when given. The policy is checked before the deny-list: a token that can't pass costs no store read.
 */
export async function authorizeToken(
  token: string | undefined,
  deps: AuthorizeDeps,
  policy?: RoutePolicy,
  proof?: ProofCheck,
): Promise<Decision> {
  if (!token) return { effect: 'Deny', reason: 'ERR_TOKEN_MISSING' };
  const verified = await deps.verifier.verify(token); // signature first: garbage never reaches the store
  if (!verified.ok) return { effect: 'Deny', reason: verified.reason };
  const claims = verified.claims;
  if (deps.requireSessionId && !claims.originJti)
    return { effect: 'Deny', reason: 'ERR_TOKEN_CLAIMS', claims };
  const exempt = deps.scopeExemptClientIds?.includes(claims.clientId) ?? false;
  const refusal = policy
    ? policyRefusal(exempt ? { ...policy, scopes: [] } : policy, claims, deps.clock.nowSeconds())
    : undefined;
  if (refusal) {
    const { reason, wwwAuthenticate } = refusal;
    return { effect: 'Deny', reason, claims, wwwAuthenticate };
  }
  const unproven = proof ? await proof(claims) : undefined;
  if (unproven && !unproven.monitorOnly) {
    return { effect: 'Deny', reason: unproven.reason, claims, wwwAuthenticate: unproven.wwwAuthenticate };
  }
  let revoking;
  try {
    const records = await deps.revocations.lookup(claims); // one round trip
    revoking = revokingRecord(claims, records, deps.clock.nowSeconds());
  } catch {
    return { effect: 'Deny', reason: 'ERR_STORE_UNAVAILABLE', claims }; // fail closed
  }
  if (!revoking) {
    const wouldDeny = unproven ? { wouldDeny: { reason: unproven.reason } } : {};
    return { effect: 'Allow', identity: identityOf(claims), ...wouldDeny };
  }
  const { scope } = revoking;
  if (deps.mode === 'monitor') {
    return {
      effect: 'Allow',
      identity: identityOf(claims),
      wouldDeny: { reason: 'ERR_TOKEN_REVOKED', scope },
    };
  }
  const cause = revocationCause(revoking.reason);
  return { effect: 'Deny', reason: 'ERR_TOKEN_REVOKED', scope, ...(cause ? { cause } : {}), claims };
}

/** The auth-scheme is case-insensitive (RFC 7235 §2.1, https://www.rfc-editor.org/rfc/rfc7235#section-2.1). */
const BEARER = /^[Bb][Ee][Aa][Rr][Ee][Rr] ([A-Za-z0-9\-_.=+/]{1,8192})$/;

/**
 * Extracts the token from an Authorization header value (`Bearer` in any case). Exactly one space, no surrounding
 * whitespace, at most 8 KB of token characters; anything else is treated as malformed (undefined when absent).
 */
export function parseBearer(header: string | undefined): { token?: string; malformed: boolean } {
  if (header === undefined || header === '') return { malformed: false };
  const match = BEARER.exec(header);
  return match ? { token: match[1], malformed: false } : { malformed: true };
}
