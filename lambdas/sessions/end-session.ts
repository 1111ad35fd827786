// Ending sessions, shared by logout, refresh reuse and the admin routes: deny-list first, then mark the records.

import type { Clock } from '../shared/ports';
import type { Actor, RevocationService } from '../shared/revocation-service';
import type { GlobalSignOutResult, IdentityProvider, SessionRecord, SessionStore } from './ports';

export interface EndSessionDeps {
  readonly sessions: SessionStore;
  /** Every deny-list write goes through the service, so its listeners (socket closing) always run. */
  readonly revocations: RevocationService;
  readonly clock: Clock;
}

export interface EndUserDeps extends EndSessionDeps {
  readonly idp: IdentityProvider;
}

/**
 * Ends one session: `session#<id>` (every token carrying this origin_jti), the latest access token's `jti` (covers
 * emulator tokens without origin_jti), then the record is marked revoked so /auth/refresh refuses it.
 */
export async function endSession(deps: EndSessionDeps, session: SessionRecord, by: Actor): Promise<void> {
  const now = deps.clock.nowSeconds();
  await deps.revocations.revokeSession({ sessionId: session.sessionId, sub: session.sub }, by);
  if (session.latestJtiExpiresAt > now) {
    await deps.revocations.revokeToken(
      { jti: session.latestJti, sub: session.sub, exp: session.latestJtiExpiresAt },
      by,
    );
  }
  await deps.sessions.markRevoked(session.sessionId, {
    revokedAt: now,
    revokedBy: by.actor,
    revokedReason: by.reason,
  });
}

export interface EndUserResult {
  readonly globalSignOut: GlobalSignOutResult;
  /** Tokens issued before this (epoch seconds) are revoked; absent when nothing was written. */
  readonly notBefore?: number;
  readonly sessionsRevoked: number;
}

/**
 * Ends every session of a user: Cognito global sign-out first (if Cognito fails, nothing else changed and the
 * caller can retry), then the user watermark, then every active record. With `ifUserMissing: 'stop'` a user
 * Cognito does not know changes nothing.
 */
export async function endUser(
  deps: EndUserDeps,
  sub: string,
  by: Actor,
  ifUserMissing: 'stop' | 'continue',
): Promise<EndUserResult> {
  // With email as the username attribute, the username Cognito's admin API takes is the sub.
  const globalSignOut = await deps.idp.globalSignOut(sub);
  if (globalSignOut === 'user-not-found' && ifUserMissing === 'stop')
    return { globalSignOut, sessionsRevoked: 0 };
  const { notBefore } = await deps.revocations.revokeUser({ sub }, by);
  const now = deps.clock.nowSeconds();
  const active = (await deps.sessions.listBySub(sub)).filter((session) => session.status === 'active');
  for (const session of active) {
    await deps.sessions.markRevoked(session.sessionId, {
      revokedAt: now,
      revokedBy: by.actor,
      revokedReason: by.reason,
    });
  }
  return { globalSignOut, ...(notBefore !== undefined ? { notBefore } : {}), sessionsRevoked: active.length };
}
