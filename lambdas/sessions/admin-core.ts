// The admin core: list a user's sessions, revoke a user everywhere, revoke one session (caller is in the admins group).

import type { Identity } from '../shared/claims';
import { ERR_REVOCATION_NOT_STORED, REVOCATION_NOT_STORED_MESSAGE } from '../shared/reasons';
import { isSessionId } from './cookie';
import type { EndUserDeps } from './end-session';
import { endSession, endUser } from './end-session';
import type { Outcome } from './outcome';
import { fail, ok, SessionErrorCode } from './outcome';
import type { SessionRecord } from './ports';

const SUB = /^[A-Za-z0-9-]{1,128}$/;

/** What an admin sees of a session: no refresh-token fingerprint beyond its first 12 hex chars (as in logs). */
export interface SessionView {
  readonly sessionId: string;
  readonly sessionIdSource: SessionRecord['sessionIdSource'];
  readonly sub: string;
  readonly username: string;
  readonly status: SessionRecord['status'];
  readonly createdAt: number;
  readonly refreshedAt: number;
  readonly expiresAt: number;
  readonly rotations: number;
  readonly refreshFingerprint: string;
  readonly revokedAt?: number;
  readonly revokedBy?: string;
  readonly revokedReason?: string;
}

/** The admin view of a session record. */
export function sessionView(session: SessionRecord): SessionView {
  return {
    sessionId: session.sessionId,
    sessionIdSource: session.sessionIdSource,
    sub: session.sub,
    username: session.username,
    status: session.status,
    createdAt: session.createdAt,
    refreshedAt: session.refreshedAt,
    expiresAt: session.expiresAt,
    rotations: session.rotated.length,
    refreshFingerprint: session.refreshFingerprint.slice(0, 12),
    ...(session.revokedAt !== undefined ? { revokedAt: session.revokedAt } : {}),
    ...(session.revokedBy !== undefined ? { revokedBy: session.revokedBy } : {}),
    ...(session.revokedReason !== undefined ? { revokedReason: session.revokedReason } : {}),
  };
}

/** GET /admin/users/{sub}/sessions: newest first. */
export async function listSessions(sub: string | undefined, deps: EndUserDeps): Promise<Outcome> {
  if (!sub || !SUB.test(sub)) return fail(400, SessionErrorCode.badRequest, 'invalid user id');
  const sessions = [...(await deps.sessions.listBySub(sub))].sort((a, b) => b.createdAt - a.createdAt);
  return ok({ sub, sessions: sessions.map(sessionView) });
}

/** POST /admin/users/{sub}/revoke: global sign-out + watermark + every session record; unknown users change nothing. */
export async function revokeUser(
  admin: Identity,
  sub: string | undefined,
  deps: EndUserDeps,
): Promise<Outcome> {
  if (!sub || !SUB.test(sub)) return fail(400, SessionErrorCode.badRequest, 'invalid user id');
  const result = await endUser(deps, sub, { actor: `admin:${admin.sub}`, reason: 'admin' }, 'stop');
  if (result.globalSignOut === 'user-not-found') return fail(404, SessionErrorCode.notFound, 'no such user');
  const event = { event: 'admin_revoke_user', sub, actor: admin.sub, globalSignOut: result.globalSignOut };
  if (!result.denyListed) {
    return fail(503, ERR_REVOCATION_NOT_STORED, REVOCATION_NOT_STORED_MESSAGE, { event });
  }
  const { globalSignOut, notBefore, sessionsRevoked } = result;
  return ok({ sub, globalSignOut, notBefore, sessionsRevoked }, { event });
}

/** POST /admin/sessions/{sessionId}/revoke: session# + its latest jti + the record; unknown sessions change nothing. */
export async function revokeSession(
  admin: Identity,
  sessionId: string | undefined,
  deps: EndUserDeps,
): Promise<Outcome> {
  if (!isSessionId(sessionId)) return fail(400, SessionErrorCode.badRequest, 'invalid session id');
  const session = await deps.sessions.get(sessionId);
  if (!session) return fail(404, SessionErrorCode.notFound, 'no such session');
  const ended = await endSession(deps, session, { actor: `admin:${admin.sub}`, reason: 'admin' });
  const event = { event: 'admin_revoke_session', sub: session.sub, sessionId, actor: admin.sub };
  if (!ended.denyListed) {
    return fail(503, ERR_REVOCATION_NOT_STORED, REVOCATION_NOT_STORED_MESSAGE, { event });
  }
  if (!ended.recordEnded) throw new Error('session record not marked revoked'); // the store is down: 503
  return ok({ sessionId, sub: session.sub, status: 'revoked' }, { event });
}
