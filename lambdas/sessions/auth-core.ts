// The session core: sign-in code exchange, cookie refresh with rotation + reuse detection, logout, logout-all.

import type { AccessClaims, Identity } from '../shared/claims';
import type { Clock, RevocationReader, TokenVerifier } from '../shared/ports';
import { revokingScope } from '../shared/revocation-rules';
import type { RefreshCookieValue } from './cookie';
import { parseRefreshCookie } from './cookie';
import type { EndUserDeps } from './end-session';
import { endSession, endUser } from './end-session';
import type { Outcome } from './outcome';
import { fail, ok, SessionErrorCode } from './outcome';
import type { IdentityProvider, SessionRecord, TokenEndpoint, TokenSet } from './ports';
import { classifyPresentedToken, refreshedSession, refreshFingerprint } from './refresh-registry';

/** The header a browser page must send on /auth/refresh; a cross-site form or image cannot set it. */
export const CSRF_HEADER = 'X-CognitoGuard-CSRF';

export interface AuthCoreConfig {
  /** Lifetime of a session: the refresh token's validity. */
  readonly refreshTokenValiditySeconds: number;
  /** A rotated-away refresh token presented within this many seconds is a race, not reuse. */
  readonly rotationGraceSeconds: number;
  /** Refuse sign-ins whose access token has no `origin_jti` (real Cognito with revocation on always sets it). */
  readonly requireSessionId: boolean;
  /** Origins allowed to call /auth/refresh. */
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
  readonly clock: Clock;
  /** A fresh session id for tokens without `origin_jti`. */
  readonly newSessionId: () => string;
  readonly config: AuthCoreConfig;
}

/** The parts of a request the session routes read. */
export interface SessionRequest {
  readonly body?: string | null;
  readonly origin?: string;
  readonly csrfHeader?: string;
  /** Every `Cookie` header value. */
  readonly cookies: readonly string[];
}

const CODE = /^[A-Za-z0-9\-._~]{1,2048}$/;
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/; // RFC 7636 §4.1
const MAX_BODY = 8192;

/** POST /auth/session: `{ code, codeVerifier, redirectUri }` -> tokens in the body, refresh token in the cookie. */
export async function signIn(request: SessionRequest, deps: AuthDeps): Promise<Outcome> {
  const input = parseSignInBody(request.body);
  if (!input) {
    return fail(400, SessionErrorCode.badRequest, 'body must be JSON { code, codeVerifier, redirectUri }');
  }
  const grant = await deps.tokens.exchangeCode(input);
  if (!grant.ok)
    return fail(400, SessionErrorCode.badRequest, `the token endpoint refused the code (${grant.error})`);
  const { refreshToken } = grant.tokens;
  if (!refreshToken)
    return fail(502, SessionErrorCode.upstream, 'the token endpoint returned no refresh token');
  const verified = await deps.verifier.verify(grant.tokens.accessToken);
  if (!verified.ok)
    return fail(502, verified.reason, 'the token endpoint returned an access token that does not verify');
  const claims = verified.claims;
  if (!claims.originJti && deps.config.requireSessionId) {
    return fail(
      502,
      'ERR_TOKEN_CLAIMS',
      'access token has no origin_jti: enable token revocation on the app client',
    );
  }
  const now = deps.clock.nowSeconds();
  const session: SessionRecord = {
    sessionId: claims.originJti ?? deps.newSessionId(),
    sessionIdSource: claims.originJti ? 'origin_jti' : 'server',
    sub: claims.sub,
    username: claims.username,
    createdAt: now,
    refreshedAt: now,
    refreshFingerprint: refreshFingerprint(refreshToken),
    rotated: [],
    status: 'active',
    latestJti: claims.jti,
    latestJtiExpiresAt: claims.exp,
    expiresAt: now + deps.config.refreshTokenValiditySeconds,
  };
  if (!(await deps.sessions.create(session))) {
    return fail(409, SessionErrorCode.conflict, 'this sign-in session is already recorded');
  }
  return ok(tokenBody(grant.tokens), {
    cookie: {
      set: { sessionId: session.sessionId, refreshToken },
      maxAgeSeconds: deps.config.refreshTokenValiditySeconds,
    },
    event: { event: 'session_created', sub: session.sub, sessionId: session.sessionId },
  });
}

/** POST /auth/refresh: CSRF check, the reuse registry, the deny-list, then the refresh grant. */
export async function refresh(request: SessionRequest, deps: AuthDeps): Promise<Outcome> {
  const origin = request.origin;
  if (request.csrfHeader !== '1' || !origin || !deps.config.allowedOrigins.includes(origin)) {
    return fail(403, 'ERR_CSRF', `requires the ${CSRF_HEADER}: 1 header and an allowed Origin`, {
      denial: { reason: 'ERR_CSRF' },
    });
  }
  const cookie = parseRefreshCookie(request.cookies);
  if (cookie.kind === 'absent') {
    return fail(401, 'ERR_TOKEN_MISSING', 'no refresh cookie', { denial: { reason: 'ERR_TOKEN_MISSING' } });
  }
  if (cookie.kind === 'malformed') {
    return fail(401, 'ERR_TOKEN_MALFORMED', 'unreadable refresh cookie', {
      cookie: 'clear',
      denial: { reason: 'ERR_TOKEN_MALFORMED' },
    });
  }
  const session = await deps.sessions.get(cookie.sessionId);
  if (!session) return unknownSession(cookie);
  const refused = await refusal(session, cookie, deps);
  return refused ?? refreshGrant(session, cookie, deps);
}

/** Why a presented cookie may not refresh, or undefined when it may. Reuse revokes the session here. */
async function refusal(
  session: SessionRecord,
  cookie: RefreshCookieValue,
  deps: AuthDeps,
): Promise<Outcome | undefined> {
  const now = deps.clock.nowSeconds();
  const denial = { sub: session.sub, sessionId: session.sessionId, token: cookie.refreshToken };
  const presented = classifyPresentedToken(
    session,
    refreshFingerprint(cookie.refreshToken),
    now,
    deps.config.rotationGraceSeconds,
  );
  switch (presented) {
    case 'reuse':
      await endSession(deps, session, { actor: 'system', reason: 'refresh-reuse' });
      return fail(401, 'ERR_REFRESH_REUSE', 'a rotated refresh token was reused: the session is revoked', {
        cookie: 'clear',
        denial: { reason: 'ERR_REFRESH_REUSE', ...denial },
        reuseDetected: true,
      });
    case 'revoked':
      return fail(401, 'ERR_TOKEN_REVOKED', 'the session was revoked', {
        cookie: 'clear',
        denial: { reason: 'ERR_TOKEN_REVOKED', scope: 'session', ...denial },
      });
    case 'expired':
      return fail(401, 'ERR_TOKEN_EXPIRED', 'the session expired', {
        cookie: 'clear',
        denial: { reason: 'ERR_TOKEN_EXPIRED', ...denial },
      });
    case 'unknown':
      return fail(401, 'ERR_TOKEN_CLAIMS', 'the refresh token does not belong to this session', {
        cookie: 'clear',
        denial: { reason: 'ERR_TOKEN_CLAIMS', ...denial },
      });
    case 'current':
    case 'grace':
      break;
  }
  // Session entries and user watermarks apply to refresh too (records can lag behind the deny-list).
  const records = await deps.denyList.lookup({
    jti: session.latestJti,
    originJti: session.sessionId,
    sub: session.sub,
  });
  const scope = revokingScope(
    { iat: session.createdAt, sub: session.sub },
    records.filter((record) => record.scope !== 'token'),
    now,
  );
  if (!scope) return undefined;
  return fail(401, 'ERR_TOKEN_REVOKED', `the ${scope} was revoked`, {
    cookie: 'clear',
    denial: { reason: 'ERR_TOKEN_REVOKED', scope, ...denial },
  });
}

function unknownSession(cookie: RefreshCookieValue): Outcome {
  return fail(401, 'ERR_TOKEN_CLAIMS', 'unknown session', {
    cookie: 'clear',
    denial: { reason: 'ERR_TOKEN_CLAIMS', sessionId: cookie.sessionId, token: cookie.refreshToken },
  });
}

async function refreshGrant(
  session: SessionRecord,
  cookie: RefreshCookieValue,
  deps: AuthDeps,
): Promise<Outcome> {
  const denial = { sub: session.sub, sessionId: session.sessionId, token: cookie.refreshToken };
  const grant = await deps.tokens.refresh(cookie.refreshToken);
  if (!grant.ok) {
    return fail(401, 'ERR_TOKEN_REVOKED', `the token endpoint refused the refresh token (${grant.error})`, {
      cookie: 'clear',
      denial: { reason: 'ERR_TOKEN_REVOKED', ...denial },
    });
  }
  const verified = await deps.verifier.verify(grant.tokens.accessToken);
  if (!verified.ok)
    return fail(502, verified.reason, 'the token endpoint returned an access token that does not verify');
  if (!belongsTo(verified.claims, session)) {
    return fail(401, 'ERR_TOKEN_CLAIMS', 'the refreshed tokens belong to another session', {
      cookie: 'clear',
      denial: { reason: 'ERR_TOKEN_CLAIMS', ...denial },
    });
  }
  const now = deps.clock.nowSeconds();
  const rotatedTo = grant.tokens.refreshToken;
  const change = refreshedSession(
    session,
    {
      ...(rotatedTo ? { newRefreshFingerprint: refreshFingerprint(rotatedTo) } : {}),
      jti: verified.claims.jti,
      exp: verified.claims.exp,
    },
    now,
  );
  if (!(await deps.sessions.refresh(session.sessionId, session.refreshFingerprint, change))) {
    return fail(409, SessionErrorCode.conflict, 'the session changed during this refresh; retry');
  }
  const rotated = change.refreshFingerprint !== session.refreshFingerprint && rotatedTo !== undefined;
  return ok(tokenBody(grant.tokens), {
    ...(rotated
      ? {
          cookie: {
            set: { sessionId: session.sessionId, refreshToken: rotatedTo },
            maxAgeSeconds: session.expiresAt - now,
          },
        }
      : {}),
    event: { event: 'session_refreshed', sub: session.sub, sessionId: session.sessionId, rotated },
  });
}

function belongsTo(claims: AccessClaims, session: SessionRecord): boolean {
  if (claims.sub !== session.sub) return false;
  return session.sessionIdSource === 'server' || claims.originJti === session.sessionId;
}

/**
 * POST /auth/logout: Cognito RevokeToken for the cookie's refresh token (first: if Cognito fails nothing changed and
 * the caller can retry), then this token's jti and this session on the deny-list, the record marked revoked.
 */
export async function logout(identity: Identity, request: SessionRequest, deps: AuthDeps): Promise<Outcome> {
  const cookie = parseRefreshCookie(request.cookies);
  const sessionId = identity.sessionId ?? (cookie.kind === 'present' ? cookie.sessionId : undefined);
  const found = sessionId ? await deps.sessions.get(sessionId) : undefined;
  const session = found?.sub === identity.sub ? found : undefined; // never end someone else's session
  if (session && cookie.kind === 'present' && cookie.sessionId === session.sessionId) {
    await deps.idp.revokeRefreshToken(cookie.refreshToken);
  }
  const by = { actor: identity.sub, reason: 'logout' };
  await deps.revocations.revokeToken({ jti: identity.jti, sub: identity.sub, exp: identity.exp }, by);
  if (session) await endSession(deps, session, by);
  else if (identity.sessionId)
    await deps.revocations.revokeSession({ sessionId: identity.sessionId, sub: identity.sub }, by);
  return ok(
    { logoutUrl: deps.config.logoutUrl },
    { cookie: 'clear', event: { event: 'session_logout', sub: identity.sub, sessionId } },
  );
}

/** POST /auth/logout-all: global sign-out, user watermark, every session record revoked. */
export async function logoutAll(identity: Identity, deps: AuthDeps): Promise<Outcome> {
  // A deleted user's tokens still verify until they expire: write the watermark anyway.
  const result = await endUser(deps, identity.sub, { actor: identity.sub, reason: 'logout-all' }, 'continue');
  return ok(
    { logoutUrl: deps.config.logoutUrl, sessionsRevoked: result.sessionsRevoked },
    {
      cookie: 'clear',
      event: { event: 'user_logout_all', sub: identity.sub, globalSignOut: result.globalSignOut },
    },
  );
}

function tokenBody(tokens: TokenSet): { accessToken: string; idToken?: string; expiresIn: number } {
  return {
    accessToken: tokens.accessToken,
    ...(tokens.idToken ? { idToken: tokens.idToken } : {}),
    expiresIn: tokens.expiresIn,
  };
}

function parseSignInBody(
  body: string | null | undefined,
): { code: string; codeVerifier: string; redirectUri: string } | undefined {
  if (!body || body.length > MAX_BODY) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { code, codeVerifier, redirectUri } = parsed as Record<string, unknown>;
  if (typeof code !== 'string' || !CODE.test(code)) return undefined;
  if (typeof codeVerifier !== 'string' || !CODE_VERIFIER.test(codeVerifier)) return undefined;
  if (typeof redirectUri !== 'string' || redirectUri.length > 2048 || !URL.canParse(redirectUri))
    return undefined;
  return { code, codeVerifier, redirectUri };
}
