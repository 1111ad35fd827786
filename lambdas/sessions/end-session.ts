// Ending sessions, shared by logout, refresh reuse and the admin routes: session records first, then the deny-list.

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

/** What ending a session achieved; a store failure is reported here, never thrown, so the caller still ends the rest. */
export interface EndSessionResult {
  /** The record is marked revoked: /auth/refresh refuses it, so the session can mint no token any more. */
  readonly recordEnded: boolean;
  /** The deny-list refuses the session's access tokens already issued. */
  readonly denyListed: boolean;
}

/**
 * Ends one session. The record first: once it is revoked, no token of the session can be minted (only our auth
 * function holds the client secret, and it refuses the record), so the deny-list entry only has to outlive the
 * access tokens already minted. With origin_jti the session entry covers them all; an emulator session (no
 * origin_jti in its tokens) gets its latest access token's `jti`. If the record cannot be marked, the session entry
 * lives as long as the refresh token could (refresh checks it too). The caller revokes the refresh token at Cognito
 * whatever this answers.
 */
export async function endSession(
  deps: EndSessionDeps,
  session: SessionRecord,
  by: Actor,
): Promise<EndSessionResult> {
  const now = deps.clock.nowSeconds();
  const recordEnded = await deps.sessions
    .markRevoked(session.sessionId, { revokedAt: now, revokedBy: by.actor, revokedReason: by.reason })
    .then(
      () => true,
      () => false,
    );
  const { sessionId, sub } = session;
  const writes: Promise<unknown>[] = [];
  if (!recordEnded || session.sessionIdSource === 'origin_jti') {
    const tokensValidFor = recordEnded ? accessTokenLifetime(session) : undefined;
    writes.push(deps.revocations.revokeSession({ sessionId, sub, tokensValidFor }, by));
  }
  if (session.sessionIdSource !== 'origin_jti' && session.latestJtiExpiresAt > now) {
    writes.push(
      deps.revocations.revokeToken({ jti: session.latestJti, sub, exp: session.latestJtiExpiresAt }, by),
    );
  }
  const settled = await Promise.allSettled(writes);
  return { recordEnded, denyListed: settled.every((result) => result.status === 'fulfilled') };
}

/**
 * How long the session's access tokens live: what its latest mint recorded (exp minus the time of that mint), or
 * undefined when the record cannot say (then the entry lives as long as a refresh token could: revoke more).
 */
function accessTokenLifetime(session: SessionRecord): number | undefined {
  const lifetime = session.latestJtiExpiresAt - session.refreshedAt;
  return Number.isFinite(lifetime) && lifetime > 0 ? lifetime : undefined;
}

export interface EndUserResult {
  readonly globalSignOut: GlobalSignOutResult;
  /** Tokens issued before this (epoch seconds) are revoked; absent when nothing was written. */
  readonly notBefore?: number;
  readonly sessionsRevoked: number;
  /** False when the watermark write failed: the records are ended, issued access tokens may work until exp. */
  readonly denyListed: boolean;
}

/**
 * Ends every session of a user: Cognito global sign-out first (if Cognito fails, nothing else changed and the
 * caller can retry), then every active record, then the user watermark. A failed watermark write is reported in the
 * result; a failed record write is thrown after the watermark was attempted. With `ifUserMissing: 'stop'` a user
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
  if (globalSignOut === 'user-not-found' && ifUserMissing === 'stop') {
    return { globalSignOut, sessionsRevoked: 0, denyListed: true };
  }
  const now = deps.clock.nowSeconds();
  const revocation = { revokedAt: now, revokedBy: by.actor, revokedReason: by.reason };
  const records = deps.sessions.listBySub(sub).then(async (sessions) => {
    const active = sessions.filter((session) => session.status === 'active');
    for (const session of active) await deps.sessions.markRevoked(session.sessionId, revocation);
    return active.length;
  });
  const [ended, watermark] = await Promise.allSettled([records, deps.revocations.revokeUser({ sub }, by)]);
  if (ended.status === 'rejected') throw ended.reason; // the session store is down: 503, watermark attempted
  const notBefore = watermark.status === 'fulfilled' ? watermark.value.notBefore : undefined;
  return {
    globalSignOut,
    ...(notBefore !== undefined ? { notBefore } : {}),
    sessionsRevoked: ended.value,
    denyListed: watermark.status === 'fulfilled',
  };
}
