// The signed-in user's own sessions: list them (device, IP, when created and last used) and end any one of them.

import type { Identity } from '../shared/claims';
import { ERR_REVOCATION_NOT_STORED, REVOCATION_NOT_STORED_MESSAGE } from '../shared/reasons';
import type { AuthDeps } from './auth-core';
import { logout } from './auth-core';
import { isSessionId } from './cookie';
import { deviceName } from './device-name';
import { endSession } from './end-session';
import type { Outcome } from './outcome';
import { fail, ok, SessionErrorCode } from './outcome';
import type { SessionRecord } from './ports';
import type { SessionRequest } from './request';

/** What a user sees of one of their sessions: no fingerprints, no token ids. */
export interface OwnSessionView {
  readonly sessionId: string;
  readonly createdAt: number;
  /** The last refresh (the sign-in until then), epoch seconds. */
  readonly lastUsedAt: number;
  readonly userAgent?: string;
  /** The device as a person names it ("Chrome on Linux"), parsed from `userAgent`; absent when unrecognised. */
  readonly device?: string;
  readonly ip?: string;
  /** The session of the token that asked. */
  readonly current: boolean;
}

/** GET /me/sessions: the caller's active, unexpired sessions, newest first. */
export async function listOwnSessions(identity: Identity, deps: AuthDeps): Promise<Outcome> {
  const now = deps.clock.nowSeconds();
  const active = (await deps.sessions.listBySub(identity.sub))
    .filter((session) => session.status === 'active' && session.expiresAt > now)
    .sort((a, b) => b.createdAt - a.createdAt);
  return ok({ sessions: active.map((session) => ownView(session, identity)) });
}

function ownView(session: SessionRecord, identity: Identity): OwnSessionView {
  const device = deviceName(session.userAgent);
  return {
    sessionId: session.sessionId,
    createdAt: session.createdAt,
    lastUsedAt: session.refreshedAt,
    ...(session.userAgent !== undefined ? { userAgent: session.userAgent } : {}),
    ...(device !== undefined ? { device } : {}),
    ...(session.ip !== undefined ? { ip: session.ip } : {}),
    current: session.sessionId === identity.sessionId,
  };
}

/**
 * POST /me/sessions/{sessionId}/revoke: ends one of the caller's own active sessions the way logout does (deny-list
 * entries through the revocation service, so its sockets close; the record revoked, so its cookie never refreshes).
 * The current session is logged out (Cognito RevokeToken too, cookie cleared). Anything else, including another
 * user's session, answers 404 and changes nothing.
 */
export async function revokeOwnSession(
  identity: Identity,
  sessionId: string | undefined,
  request: SessionRequest,
  deps: AuthDeps,
): Promise<Outcome> {
  if (!isSessionId(sessionId)) return fail(400, SessionErrorCode.badRequest, 'invalid session id');
  const session = await deps.sessions.get(sessionId);
  if (!session || session.sub !== identity.sub || session.status !== 'active') {
    return fail(404, SessionErrorCode.notFound, 'no such active session of yours');
  }
  if (sessionId === identity.sessionId) return logout(identity, request, deps);
  const ended = await endSession(deps, session, { actor: identity.sub, reason: 'user-revoke' });
  const event = { event: 'session_revoked_by_user', sub: identity.sub, sessionId };
  if (!ended.denyListed) {
    return fail(503, ERR_REVOCATION_NOT_STORED, REVOCATION_NOT_STORED_MESSAGE, { event });
  }
  if (!ended.recordEnded) throw new Error('session record not marked revoked'); // the store is down: 503
  return ok({ sessionId, status: 'revoked' }, { event });
}
