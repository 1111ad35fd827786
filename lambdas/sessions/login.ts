// The token handler's sign-in: POST /auth/login starts it (sealed login cookie), POST /auth/session completes it.

import type { DpopReasonCode } from '../shared/reasons';
import { meaningOf } from '../shared/reasons';
import type { AuthDeps } from './auth-core';
import { tokenBody } from './auth-core';
import {
  clearedCookie,
  LOGIN_COOKIE,
  LOGIN_COOKIE_MAX_AGE,
  loginCookie,
  openLoginCookie,
  refreshCookie,
} from './cookie';
import { bindSignIn, sessionProof } from './device-binding';
import type { Outcome } from './outcome';
import { fail, ok, SessionErrorCode } from './outcome';
import type { SessionRecord } from './ports';
import { refreshFingerprint } from './refresh-registry';
import { endReplacedSession } from './replaced-session';
import { revokedSignIn } from './revoked-sign-in';
import type { SessionRequest } from './request';
import { csrfRefusal, isJson } from './request';

const CODE = /^[A-Za-z0-9\-._~]{1,2048}$/;
const STATE = /^[A-Za-z0-9\-._~]{1,128}$/;
const MAX_BODY = 8192;

/**
 * POST /auth/login [`{ "reauthenticate": true }`]: `{ authorizeUrl }`, and a sealed `__Host-` login cookie with the
 * state, nonce and PKCE verifier generated here: the browser never holds them in clear. Every sign-in makes managed
 * login ask for credentials (`prompt=login`), so `reauthenticate` (the page's answer to a step-up challenge) is
 * accepted and changes nothing (docs/sessions.md, "Every sign-in asks for the password").
 */
export async function startLogin(request: SessionRequest, deps: AuthDeps): Promise<Outcome> {
  const refused = csrfRefusal(request, deps.config.allowedOrigins);
  if (refused) return refused;
  const options = parseLoginBody(request);
  if (!options)
    return fail(400, SessionErrorCode.badRequest, 'body must be empty or JSON { reauthenticate }');
  const proof = deps.binding
    ? await sessionProof(request, '/auth/login', deps.binding, { required: deps.binding.mode === 'enforce' })
    : { ok: true as const };
  if (!proof.ok) return proofRefused(proof.reason);
  const jkt = proof.jkt ? { jkt: proof.jkt } : {};
  const start = await deps.tokens.startAuthorization();
  const expiresAt = deps.clock.nowSeconds() + LOGIN_COOKIE_MAX_AGE;
  const { state, nonce, codeVerifier } = start;
  return ok(
    { authorizeUrl: start.authorizeUrl },
    { cookies: [await loginCookie(deps.sealer, { state, nonce, codeVerifier, expiresAt, ...jkt })] },
  );
}

/**
 * POST /auth/session `{ code, state }`: only with the login cookie whose state matches (a cross-site post carries
 * neither the header, nor JSON, nor that cookie: login CSRF changes nothing). The code is redeemed with the
 * verifier and the client secret; the answer sets the sealed refresh cookie and clears the login cookie.
 */
export async function signIn(request: SessionRequest, deps: AuthDeps): Promise<Outcome> {
  const refused = csrfRefusal(request, deps.config.allowedOrigins);
  if (refused) return refused;
  if (!isJson(request.contentType)) {
    return fail(415, SessionErrorCode.badRequest, 'Content-Type must be application/json');
  }
  const input = parseSignInBody(request.body);
  if (!input) return fail(400, SessionErrorCode.badRequest, 'body must be JSON { code, state }');
  const login = await openLoginCookie(deps.sealer, request.cookies, deps.clock.nowSeconds());
  const clearLogin = [clearedCookie(LOGIN_COOKIE)];
  if (!login) {
    return fail(400, SessionErrorCode.badRequest, 'no sign-in in progress in this browser; start again', {
      cookies: clearLogin,
    });
  }
  if (login.jkt) {
    // The sign-in started with a device key: only that key may complete it.
    const proof = deps.binding
      ? await sessionProof(request, '/auth/session', deps.binding, { boundTo: login.jkt })
      : ({ ok: false, reason: 'ERR_DPOP_MISSING' } as const);
    if (!proof.ok) return proofRefused(proof.reason, clearLogin);
  }
  const grant = await deps.tokens.exchangeCode({ ...input, expected: login });
  if (!grant.ok) {
    return fail(400, SessionErrorCode.badRequest, `the sign-in was refused (${grant.error})`, {
      cookies: clearLogin,
    });
  }
  const { refreshToken } = grant.tokens;
  if (!refreshToken)
    return fail(502, SessionErrorCode.upstream, 'the token endpoint returned no refresh token');
  const verified = await deps.verifier.verify(grant.tokens.accessToken);
  if (!verified.ok) {
    return fail(502, verified.reason, 'the token endpoint returned an access token that does not verify');
  }
  if (!verified.claims.originJti && deps.config.requireSessionId) {
    return fail(
      502,
      'ERR_TOKEN_CLAIMS',
      'access token has no origin_jti: enable token revocation on the app client',
    );
  }
  // Before binding: a sign-in the deny-list refuses costs no further Cognito call.
  const revoked = await revokedSignIn(verified.claims, grant.tokens, deps);
  if (revoked) return revoked;
  const bound =
    login.jkt && deps.binding
      ? await bindSignIn({ refreshToken, claims: verified.claims }, login.jkt, deps.binding, deps.verifier)
      : { ok: true as const, tokens: grant.tokens, claims: verified.claims, refreshToken };
  if (!bound.ok) return fail(502, SessionErrorCode.upstream, bound.message, { cookies: clearLogin });
  const claims = bound.claims;
  const now = deps.clock.nowSeconds();
  const session: SessionRecord = {
    sessionId: claims.originJti ?? deps.newSessionId(),
    sessionIdSource: claims.originJti ? 'origin_jti' : 'server',
    sub: claims.sub,
    username: claims.username,
    createdAt: now,
    ...(claims.authTime !== undefined ? { authTime: claims.authTime } : {}),
    refreshedAt: now,
    refreshFingerprint: refreshFingerprint(bound.refreshToken),
    rotated: [],
    status: 'active',
    latestJti: claims.jti,
    latestJtiExpiresAt: claims.exp,
    expiresAt: now + deps.config.refreshTokenValiditySeconds,
    ...request.client,
    ...(login.jkt ? { jkt: login.jkt } : {}),
  };
  // First: if ending the old session fails, nothing new exists and a new sign-in starts clean.
  const replaced = await endReplacedSession(request.cookies, session.sub, session.sessionId, deps);
  if (!(await deps.sessions.create(session))) {
    return fail(409, SessionErrorCode.conflict, 'this sign-in session is already recorded');
  }
  const cookie = await refreshCookie(
    deps.sealer,
    { sessionId: session.sessionId, refreshToken: bound.refreshToken },
    deps.config.refreshTokenValiditySeconds,
  );
  return ok(tokenBody(bound.tokens), {
    cookies: [cookie, ...clearLogin],
    event: {
      event: 'session_created',
      sub: session.sub,
      sessionId: session.sessionId,
      ...(replaced ? { replacedSessionId: replaced } : {}),
    },
  });
}

/** A refused proof on a sign-in route: 401 with the reason (nothing was bound, nothing is revoked). */
function proofRefused(
  reason: DpopReasonCode | 'ERR_STORE_UNAVAILABLE',
  cookies: readonly string[] = [],
): Outcome {
  // A replay-store outage is ours, not the client's: 503 (retry), as the other store failures answer.
  const status = reason === 'ERR_STORE_UNAVAILABLE' ? 503 : 401;
  return fail(status, reason, meaningOf(reason)?.message ?? 'the DPoP proof was refused', {
    cookies,
    denial: { reason },
  });
}

/** The optional body of /auth/login: nothing, or JSON `{ reauthenticate: boolean }`; undefined when invalid. */
function parseLoginBody(request: SessionRequest): { reauthenticate?: boolean } | undefined {
  if (!request.body) return {};
  if (!isJson(request.contentType) || request.body.length > MAX_BODY) return undefined;
  const parsed = parseJsonObject(request.body);
  const reauthenticate = parsed?.reauthenticate;
  if (!parsed || (reauthenticate !== undefined && typeof reauthenticate !== 'boolean')) return undefined;
  return reauthenticate ? { reauthenticate } : {};
}

function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function parseSignInBody(body: string | null | undefined): { code: string; state: string } | undefined {
  if (!body || body.length > MAX_BODY) return undefined;
  const parsed = parseJsonObject(body);
  if (!parsed) return undefined;
  const { code, state } = parsed;
  if (typeof code !== 'string' || !CODE.test(code)) return undefined;
  if (typeof state !== 'string' || !STATE.test(state)) return undefined;
  return { code, state };
}
