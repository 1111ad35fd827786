// A sign-in in a browser that already holds a session of the same user (step-up) ends that older session.

import type { AuthDeps } from './auth-core';
import { openRefreshCookie } from './cookie';
import { endSession } from './end-session';

/**
 * The refresh cookie the browser sent with POST /auth/session is about to be overwritten: its session would stay
 * listed as a device no browser holds. When it is an active session of the user who just signed in, end it (deny-list
 * entries, record revoked, its Cognito refresh token revoked). Another user's session is left alone.
 */
export async function endReplacedSession(
  cookies: readonly string[],
  sub: string,
  newSessionId: string,
  deps: AuthDeps,
): Promise<string | undefined> {
  const cookie = await openRefreshCookie(deps.sealer, cookies);
  if (cookie.kind !== 'present' || cookie.sessionId === newSessionId) return undefined;
  const session = await deps.sessions.get(cookie.sessionId);
  if (!session || session.sub !== sub || session.status !== 'active') return undefined;
  await endSession(deps, session, { actor: sub, reason: 'replaced-by-sign-in' });
  // The record is revoked already, so the old cookie can never refresh: Cognito's copy is best effort.
  await deps.idp.revokeRefreshToken(cookie.refreshToken).catch(() => undefined);
  return session.sessionId;
}
