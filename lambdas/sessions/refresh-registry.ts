// Pure rules of refresh-token rotation: fingerprints, the reuse registry decision and the record after a rotation.

import { createHash } from 'node:crypto';
import type { RotatedFingerprint, SessionRecord, SessionRefresh } from './ports';

/** How many rotated-away fingerprints a session remembers (older ones are dropped; Cognito refuses them anyway). */
export const MAX_ROTATED_FINGERPRINTS = 100;

/** SHA-256 hex of a refresh token: what the session record stores instead of the token. */
export function refreshFingerprint(refreshToken: string): string {
  return createHash('sha256').update(refreshToken).digest('hex');
}

/**
 * What a presented refresh token means for its session:
 * - `current`: the token the session holds now;
 * - `grace`: rotated away less than the grace period ago (a concurrent refresh raced it): allowed;
 * - `reuse`: rotated away longer ago: someone replays an old token => revoke the session;
 * - `unknown`: never seen in this session (not proof of theft: refused, nothing revoked);
 * - `revoked` / `expired`: the session has ended.
 */
export type PresentedToken = 'current' | 'grace' | 'reuse' | 'unknown' | 'revoked' | 'expired';

export function classifyPresentedToken(
  session: Pick<SessionRecord, 'status' | 'expiresAt' | 'refreshFingerprint' | 'rotated'>,
  fingerprint: string,
  nowSeconds: number,
  graceSeconds: number,
): PresentedToken {
  if (session.status === 'revoked') return 'revoked';
  if (session.expiresAt <= nowSeconds) return 'expired';
  if (fingerprint === session.refreshFingerprint) return 'current';
  const rotated = session.rotated.find((entry) => entry.fingerprint === fingerprint);
  if (!rotated) return 'unknown';
  return nowSeconds - rotated.rotatedAt <= graceSeconds ? 'grace' : 'reuse';
}

/**
 * The session fields after a successful refresh. When the token endpoint rotated the refresh token, the current
 * fingerprint moves to the registry (bounded, oldest dropped) and the new one becomes current.
 */
export function refreshedSession(
  session: Pick<SessionRecord, 'refreshFingerprint' | 'rotated'>,
  issued: { newRefreshFingerprint?: string; jti: string; exp: number },
  nowSeconds: number,
): SessionRefresh {
  const latest = { latestJti: issued.jti, latestJtiExpiresAt: issued.exp, refreshedAt: nowSeconds };
  const next = issued.newRefreshFingerprint;
  if (next === undefined || next === session.refreshFingerprint) {
    return { refreshFingerprint: session.refreshFingerprint, rotated: session.rotated, ...latest };
  }
  const moved: RotatedFingerprint = { fingerprint: session.refreshFingerprint, rotatedAt: nowSeconds };
  return {
    refreshFingerprint: next,
    rotated: [...session.rotated, moved].slice(-MAX_ROTATED_FINGERPRINTS),
    ...latest,
  };
}
