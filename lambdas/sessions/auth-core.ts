// The session core: cookie refresh with rotation + reuse detection, logout, logout-all (sign-in is in login.ts).

import type { AccessClaims, Identity } from '../shared/claims';
import type { Clock, RevocationReader, TokenVerifier } from '../shared/ports';
import type { ReasonCode } from '../shared/reasons';
import { ERR_REVOCATION_NOT_STORED, REVOCATION_NOT_STORED_MESSAGE } from '../shared/reasons';
import { revokingScope } from '../shared/revocation-rules';
import type { RefreshCookieValue } from './cookie';
import { clearedCookie, openRefreshCookie, REFRESH_COOKIE, refreshCookie } from './cookie';
import type { SessionBinding, SessionRoute } from './device-binding';
import { sessionProof } from './device-binding';
import type { EndUserDeps } from './end-session';
import { endSession, endUser } from './end-session';
import type { Denial, Outcome } from './outcome';
import { fail, ok, SessionErrorCode } from './outcome';
import type { CookieSealer, IdentityProvider, SessionRecord, TokenEndpoint, TokenSet } from './ports';
import { classifyPresentedToken, refreshedSession, refreshFingerprint } from './refresh-registry';
import type { SessionRequest } from './request';
import { csrfRefusal } from './request';

export interface AuthCoreConfig {
  /** Lifetime of a session: the refresh token's validity. */
  readonly refreshTokenValiditySeconds: number;
  /** A rotated-away refresh token presented within this many seconds is a race, not reuse. */
  readonly rotationGraceSeconds: number;
  /** Refuse sign-ins whose access token has no `origin_jti` (real Cognito with revocation on always sets it). */
  readonly requireSessionId: boolean;
  /** Origins allowed to call the cookie routes (/auth/login, /auth/session, /auth/refresh). */
  readonly allowedOrigins: readonly string[];
  /** Managed login `/logout` URL (with client_id and logout_uri) the page navigates to after logout. */
  readonly logoutUrl: string;
}

export interface AuthDeps extends EndUserDeps {
  readonly tokens: TokenEndpoint;
  readonly idp: IdentityProvider;
  /** Verifies the access tokens the token endpoint returns: session facts come from verified claims only. */
  readonly verifier: TokenVerifier;
  /** Read side of the deny-list: a session whose user was revoked must not refresh. */
  readonly denyList: RevocationReader;
  /** Seals the login and refresh cookies. */
  readonly sealer: CookieSealer;
  readonly clock: Clock;
  /** A fresh session id for tokens without `origin_jti`. */
  readonly newSessionId: () => string;
  readonly config: AuthCoreConfig;
  /** Device binding (DPoP); absent when the stage's `dpop` option is `off`. */
  readonly binding?: SessionBinding;
}

/** POST /auth/refresh: CSRF check, the reuse registry, the deny-list, then the refresh grant. */
export async function refresh(request: SessionRequest, deps: AuthDeps): Promise<Outcome> {
  const refused = csrfRefusal(request, deps.config.allowedOrigins);
  if (refused) return refused;
  const cookie = await openRefreshCookie(deps.sealer, request.cookies);
  if (cookie.kind === 'absent') {
    return fail(401, 'ERR_TOKEN_MISSING', 'no refresh cookie', { denial: { reason: 'ERR_TOKEN_MISSING' } });
  }
  if (cookie.kind === 'malformed') return noSession({ reason: 'ERR_TOKEN_MALFORMED' });
  const session = await deps.sessions.get(cookie.sessionId);
  if (!session) {
    return noSession({ reason: 'ERR_TOKEN_CLAIMS', sessionId: cookie.sessionId, token: cookie.refreshToken });
  }
  const refusedSession = await refusal(session, cookie, deps);
  if (refusedSession) return refusedSession;
  const keyRefusal = await boundKeyRefusal(session, cookie.refreshToken, request, '/auth/refresh', deps);
  return keyRefusal ?? refreshGrant(session, cookie, request, deps);
}

/**
 * A bound session's route without a proof by its key: no proof or another key's proof is theft (the cookie is
 * used off its device): the session is revoked, reuse/theft metric and alarm. Other proof faults (stale, replayed,
 * malformed) are refused without revoking. Undefined for an unbound session or a good proof.
 */
async function boundKeyRefusal(
  session: SessionRecord,
  presented: string | undefined,
  request: SessionRequest,
  route: SessionRoute,
  deps: AuthDeps,
): Promise<Outcome | undefined> {
  if (!session.jkt) return undefined;
  const proof = deps.binding
    ? await sessionProof(request, route, deps.binding, { boundTo: session.jkt })
    : ({ ok: false, reason: 'ERR_DPOP_MISSING', theft: false } as const); // binding turned off: sign in again
  if (proof.ok) return undefined;
  const { sub, sessionId } = session;
  if (!proof.theft) return noSession({ reason: proof.reason, sub, sessionId, token: presented });
  await endSession(deps, session, { actor: 'system', reason: 'device-key-mismatch' });
  const cognitoRevoked = presented
    ? await deps.idp.revokeRefreshToken(presented).then(
        () => true,
        () => false,
      )
    : false;
  return noSession(
    { reason: proof.reason, sub, sessionId, token: presented },
    { reuseDetected: true, event: { event: 'session_theft_revoked', sub, sessionId, cognitoRevoked } },
  );
}

/**
 * Every refusal of a presented cookie answers the same 401 (unknown, revoked, expired, reused, unreadable): an
 * unauthenticated caller learns nothing about a session; the reason goes to the `auth_denied` log line only.
 */
function noSession(denial: Denial, extra: Pick<Outcome, 'reuseDetected' | 'event'> = {}): Outcome {
  return fail(401, 'ERR_TOKEN_REVOKED', 'no valid session: sign in again', {
    cookies: [clearedCookie(REFRESH_COOKIE)],
    denial,
    ...extra,
  });
}

/**
 * Reuse (a rotated-away token after the grace period, or Cognito refusing the token we hold as current). The record
 * is ended first, so whatever the deny-list or Cognito answer, nobody refreshes this session again: a failed write
 * is counted and alarmed, never answered with anything a thief could retry.
 */
async function reuse(deps: AuthDeps, session: SessionRecord, presented: string): Promise<Outcome> {
  const ended = await endSession(deps, session, { actor: 'system', reason: 'refresh-reuse' });
  // Then Cognito (the presented token's family), regardless: an outage there must not hide the reuse (401, metric,
  // alarm); it is reported in the event line instead.
  const cognitoRevoked = await deps.idp.revokeRefreshToken(presented).then(
    () => true,
    () => false,
  );
  const { sub, sessionId } = session;
  return noSession(
    { reason: 'ERR_REFRESH_REUSE', sub, sessionId, token: presented },
    {
      reuseDetected: true,
      event: {
        event: 'session_reuse_revoked',
        sub,
        sessionId,
        cognitoRevoked,
        recordEnded: ended.recordEnded,
        denyListed: ended.denyListed,
      },
    },
  );
}

/** Why a presented cookie may not refresh, or undefined when it may. Reuse revokes the session here. */
async function refusal(
  session: SessionRecord,
  cookie: RefreshCookieValue,
  deps: AuthDeps,
): Promise<Outcome | undefined> {
  const now = deps.clock.nowSeconds();
  const denial = (reason: ReasonCode): Denial => ({
    reason,
    sub: session.sub,
    sessionId: session.sessionId,
    token: cookie.refreshToken,
  });
  const presented = classifyPresentedToken(
    session,
    refreshFingerprint(cookie.refreshToken),
    now,
    deps.config.rotationGraceSeconds,
  );
  switch (presented) {
    case 'reuse':
      return reuse(deps, session, cookie.refreshToken);
    case 'revoked':
      return noSession({ ...denial('ERR_TOKEN_REVOKED'), scope: 'session' });
    case 'expired':
      return noSession(denial('ERR_TOKEN_EXPIRED'));
    case 'unknown':
      return noSession(denial('ERR_TOKEN_CLAIMS'));
    case 'current':
    case 'grace':
      break;
  }
  // Session entries and user watermarks apply to refresh too (records can lag behind the deny-list); a watermark
  // after the sign-in (auth_time) ends a session recorded after it as well.
  const records = await deps.denyList.lookup({
    jti: session.latestJti,
    originJti: session.sessionId,
    sub: session.sub,
  });
  const scope = revokingScope(
    { iat: session.createdAt, authTime: session.authTime, sub: session.sub },
    records.filter((record) => record.scope !== 'token'),
    now,
  );
  return scope ? noSession({ ...denial('ERR_TOKEN_REVOKED'), scope }) : undefined;
}

async function refreshGrant(
  session: SessionRecord,
  cookie: RefreshCookieValue,
  request: SessionRequest,
  deps: AuthDeps,
): Promise<Outcome> {
  // A bound session refreshes through GetTokensFromRefreshToken, so the new access token carries its cnf.jkt too.
  const grant =
    session.jkt && deps.binding
      ? await deps.binding.tokens.refresh(cookie.refreshToken, session.jkt)
      : await deps.tokens.refresh(cookie.refreshToken);
  if (!grant.ok) {
    const current = refreshFingerprint(cookie.refreshToken) === session.refreshFingerprint;
    // Only we hold the client secret: Cognito refusing the token we hold as current means someone else
    // rotated it (through this function, with a stolen cookie) or ended it. Treat it as reuse.
    if (grant.error === 'invalid_grant' && current) return reuse(deps, session, cookie.refreshToken);
    return noSession({
      reason: 'ERR_TOKEN_REVOKED',
      sub: session.sub,
      sessionId: session.sessionId,
      token: cookie.refreshToken,
    });
  }
  const verified = await deps.verifier.verify(grant.tokens.accessToken);
  if (!verified.ok)
    return fail(502, verified.reason, 'the token endpoint returned an access token that does not verify');
  if (!belongsTo(verified.claims, session) || verified.claims.jkt !== session.jkt) {
    return noSession({
      reason: 'ERR_TOKEN_CLAIMS',
      sub: session.sub,
      sessionId: session.sessionId,
      token: cookie.refreshToken,
    });
  }
  const now = deps.clock.nowSeconds();
  const rotatedTo = grant.tokens.refreshToken;
  const change = {
    ...refreshedSession(
      session,
      {
        ...(rotatedTo ? { newRefreshFingerprint: refreshFingerprint(rotatedTo) } : {}),
        jti: verified.claims.jti,
        exp: verified.claims.exp,
      },
      now,
    ),
    ...request.client, // the device as last seen
  };
  if (!(await deps.sessions.refresh(session.sessionId, session.refreshFingerprint, change))) {
    return fail(409, SessionErrorCode.conflict, 'the session changed during this refresh; retry');
  }
  const rotated = change.refreshFingerprint !== session.refreshFingerprint && rotatedTo !== undefined;
  const cookies = rotated
    ? [
        await refreshCookie(
          deps.sealer,
          { sessionId: session.sessionId, refreshToken: rotatedTo },
          session.expiresAt - now,
        ),
      ]
    : [];
  return ok(tokenBody(grant.tokens), {
    cookies,
    event: { event: 'session_refreshed', sub: session.sub, sessionId: session.sessionId, rotated },
  });
}

function belongsTo(claims: AccessClaims, session: SessionRecord): boolean {
  if (claims.sub !== session.sub) return false;
  return session.sessionIdSource === 'server' || claims.originJti === session.sessionId;
}

/**
 * POST /auth/logout: the session record ended first, then the deny-list (the session entry covers every token of an
 * origin_jti session; a token without one gets its jti), then Cognito RevokeToken of the cookie's refresh token
 * whatever happened before. A failed deny-list write still clears the cookie and answers
 * ERR_REVOCATION_NOT_STORED (503): the session is over, its current access token may live until it expires.
 */
export async function logout(identity: Identity, request: SessionRequest, deps: AuthDeps): Promise<Outcome> {
  const cookie = await openRefreshCookie(deps.sealer, request.cookies);
  const sessionId = identity.sessionId ?? (cookie.kind === 'present' ? cookie.sessionId : undefined);
  const found = sessionId ? await deps.sessions.get(sessionId) : undefined;
  const session = found?.sub === identity.sub ? found : undefined; // never end someone else's session
  const presented = cookie.kind === 'present' ? cookie.refreshToken : undefined;
  const keyRefusal = session && (await boundKeyRefusal(session, presented, request, '/auth/logout', deps));
  if (keyRefusal) return keyRefusal;
  const by = { actor: identity.sub, reason: 'logout' };
  const ended = session ? await endSession(deps, session, by) : undefined;
  const writes: Promise<unknown>[] = [];
  if (!coveredByEndSession(identity, session, deps.clock.nowSeconds())) {
    writes.push(
      deps.revocations.revokeToken({ jti: identity.jti, sub: identity.sub, exp: identity.exp }, by),
    );
  }
  if (identity.sessionId && !session) {
    // No record to end: the session entry must last as long as a refresh token of that session could.
    writes.push(deps.revocations.revokeSession({ sessionId: identity.sessionId, sub: identity.sub }, by));
  }
  const settled = await Promise.allSettled(writes);
  const denyListed = (ended?.denyListed ?? true) && settled.every((result) => result.status === 'fulfilled');
  const cognitoRevoked =
    session && cookie.kind === 'present' && cookie.sessionId === session.sessionId
      ? await deps.idp.revokeRefreshToken(cookie.refreshToken).then(
          () => true,
          () => false,
        )
      : undefined;
  const extra = {
    cookies: [clearedCookie(REFRESH_COOKIE)],
    event: {
      event: 'session_logout',
      sub: identity.sub,
      sessionId,
      ...(cognitoRevoked === undefined ? {} : { cognitoRevoked }),
      ...(ended ? { recordEnded: ended.recordEnded } : {}),
      denyListed,
    },
  };
  if (!denyListed) {
    return fail(503, ERR_REVOCATION_NOT_STORED, REVOCATION_NOT_STORED_MESSAGE, extra);
  }
  return ok({ logoutUrl: deps.config.logoutUrl }, extra);
}

/** Whether ending `session` already denies this token: its session entry (origin_jti), or its latest jti entry. */
function coveredByEndSession(identity: Identity, session: SessionRecord | undefined, now: number): boolean {
  if (!session) return false;
  if (session.sessionIdSource === 'origin_jti') return identity.sessionId === session.sessionId;
  return session.latestJti === identity.jti && session.latestJtiExpiresAt > now;
}

/** POST /auth/logout-all: global sign-out, every session record revoked, user watermark. */
export async function logoutAll(identity: Identity, deps: AuthDeps): Promise<Outcome> {
  // A deleted user's tokens still verify until they expire: write the watermark anyway.
  const result = await endUser(deps, identity.sub, { actor: identity.sub, reason: 'logout-all' }, 'continue');
  const extra = {
    cookies: [clearedCookie(REFRESH_COOKIE)],
    event: {
      event: 'user_logout_all',
      sub: identity.sub,
      globalSignOut: result.globalSignOut,
      denyListed: result.denyListed,
    },
  };
  if (!result.denyListed) {
    return fail(503, ERR_REVOCATION_NOT_STORED, REVOCATION_NOT_STORED_MESSAGE, extra);
  }
  return ok({ logoutUrl: deps.config.logoutUrl, sessionsRevoked: result.sessionsRevoked }, extra);
}

/** The JSON body of a successful sign-in or refresh: tokens for the page's memory, never the refresh token. */
export function tokenBody(tokens: TokenSet): { accessToken: string; idToken?: string; expiresIn: number } {
  return {
    accessToken: tokens.accessToken,
    ...(tokens.idToken ? { idToken: tokens.idToken } : {}),
    expiresIn: tokens.expiresIn,
  };
}
