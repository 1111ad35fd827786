// Ports: the tiny interfaces through which pure cores reach I/O (adapters implement them).

import type { AccessClaims } from './claims';
import type { ReasonCode, RevocationScope } from './reasons';

export type VerifyResult =
  { readonly ok: true; readonly claims: AccessClaims } | { readonly ok: false; readonly reason: ReasonCode };

/** Verifies a Cognito access token's signature and claims. Never throws for a bad token; a JWKS outage is a reason. */
export interface TokenVerifier {
  verify(token: string): Promise<VerifyResult>;
}

/** One stored deny-list entry. */
export interface RevocationRecord {
  readonly scope: RevocationScope;
  readonly sub: string;
  /** Epoch seconds. */
  readonly revokedAt: number;
  /** Epoch seconds; the entry is ignored after this even if TTL deletion has not happened yet. */
  readonly expiresAt: number;
  /** For `user` entries: tokens issued before this (epoch seconds) are revoked. */
  readonly notBefore?: number;
  readonly reason: string;
  readonly actor: string;
}

/** Reads the deny-list entries that may apply to a token, in one round trip. Throws when the store is unreachable. */
export interface RevocationReader {
  lookup(claims: Pick<AccessClaims, 'jti' | 'originJti' | 'sub'>): Promise<readonly RevocationRecord[]>;
}

/**
 * What a write did: `superseded` means a user watermark at least as late already stood, so nothing changed;
 * `over-budget` means stored, and the user's item is now past its size budget: fold it (raise the watermark).
 */
export type PutOutcome = 'stored' | 'superseded' | 'over-budget';

/** Writes deny-list entries. A user watermark only ever moves forward (a late event must not lower it). */
export interface RevocationWriter {
  put(key: RevocationKey, record: RevocationRecord): Promise<PutOutcome>;
}

export type RevocationKey =
  | { readonly scope: 'token'; readonly jti: string }
  | { readonly scope: 'session'; readonly sessionId: string }
  | { readonly scope: 'user'; readonly sub: string };

export interface Clock {
  /** Epoch seconds. */
  nowSeconds(): number;
}

export const systemClock: Clock = { nowSeconds: () => Math.floor(Date.now() / 1000) };
