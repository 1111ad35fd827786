// The session cookies: `__Host-` names, sealed values (refresh: session id + refresh token; login: state, nonce,
// PKCE verifier), parsed defensively. The seal (authenticated encryption) is behind the CookieSealer port.

import { isThumbprint } from '../shared/dpop';
import type { CookieSealer } from './ports';

/** `__Host-`: the browser only accepts it with Secure, Path=/ and no Domain, so no subdomain can set or read it. */
export const REFRESH_COOKIE = '__Host-cg_refresh';
/** The sign-in in progress in this browser (between POST /auth/login and POST /auth/session). */
export const LOGIN_COOKIE = '__Host-cg_login';
/** A sign-in must complete within this many seconds. */
export const LOGIN_COOKIE_MAX_AGE = 600;

const SESSION_ID = /^[A-Za-z0-9-]{1,128}$/;
// Cognito refresh tokens are compact JWE (base64url segments and dots); the twin's are base64url.
const REFRESH_TOKEN = /^[A-Za-z0-9\-_.]{1,8192}$/;
const OAUTH_VALUE = /^[A-Za-z0-9\-._~]{22,128}$/; // state, nonce, PKCE verifier (RFC 7636 §4.1 alphabet)
const SEALED = /^[A-Za-z0-9\-_.]{1,12288}$/;

/** The pair the refresh cookie carries: which session, and that session's refresh token. */
export interface RefreshCookieValue {
  readonly sessionId: string;
  readonly refreshToken: string;
}

export type ParsedRefreshCookie =
  | { readonly kind: 'absent' }
  | { readonly kind: 'malformed' }
  | ({ readonly kind: 'present' } & RefreshCookieValue);

/** What the backend keeps for one sign-in: the browser never sees these in clear. */
export interface LoginCookieValue {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
  /** Device binding: the thumbprint of the key the sign-in started with (/auth/session must prove it). */
  readonly jkt?: string;
}

/** Whether a string may be used as a session id (cookie part, path parameter). */
export function isSessionId(value: string | undefined): value is string {
  return value !== undefined && SESSION_ID.test(value);
}

/** `Set-Cookie` for the sealed refresh cookie, living `maxAgeSeconds` (at least 0). */
export async function refreshCookie(
  sealer: CookieSealer,
  value: RefreshCookieValue,
  maxAgeSeconds: number,
): Promise<string> {
  if (!isSessionId(value.sessionId) || !REFRESH_TOKEN.test(value.refreshToken)) {
    throw new Error('refusing to build a refresh cookie from an unexpected value');
  }
  const sealed = await sealer.seal(
    'refresh',
    JSON.stringify({ sid: value.sessionId, rt: value.refreshToken }),
  );
  return setCookie(REFRESH_COOKIE, sealed, maxAgeSeconds);
}

/** `Set-Cookie` for the sealed login cookie (10 minutes). */
export async function loginCookie(sealer: CookieSealer, value: LoginCookieValue): Promise<string> {
  const sealed = await sealer.seal('login', JSON.stringify(value));
  return setCookie(LOGIN_COOKIE, sealed, LOGIN_COOKIE_MAX_AGE);
}

/** `Set-Cookie` that deletes a cookie. */
export function clearedCookie(name: typeof REFRESH_COOKIE | typeof LOGIN_COOKIE): string {
  return setCookie(name, '', 0);
}

function setCookie(name: string, value: string, maxAgeSeconds: number): string {
  const maxAge = Math.max(0, Math.floor(maxAgeSeconds));
  return `${name}=${value}; Max-Age=${maxAge}; Path=/; HttpOnly; Secure; SameSite=Strict`;
}

/**
 * The refresh cookie in the request's `Cookie` header values. More than one, an oddly shaped value, or one that
 * does not open (tampered, truncated, another key or purpose) is `malformed`: ambiguity is never resolved by guessing.
 */
export async function openRefreshCookie(
  sealer: CookieSealer,
  cookieHeaders: readonly string[],
): Promise<ParsedRefreshCookie> {
  const found = findCookie(cookieHeaders, REFRESH_COOKIE);
  if (found === undefined) return { kind: 'absent' };
  const plain = found === null ? undefined : await sealer.open('refresh', found);
  const { sid, rt } = parseObject(plain);
  if (typeof sid !== 'string' || !isSessionId(sid) || typeof rt !== 'string' || !REFRESH_TOKEN.test(rt)) {
    return { kind: 'malformed' };
  }
  return { kind: 'present', sessionId: sid, refreshToken: rt };
}

/** The sign-in in progress, if the login cookie is present, opens, is well formed and has not expired. */
export async function openLoginCookie(
  sealer: CookieSealer,
  cookieHeaders: readonly string[],
  nowSeconds: number,
): Promise<LoginCookieValue | undefined> {
  const found = findCookie(cookieHeaders, LOGIN_COOKIE);
  if (!found) return undefined;
  const { state, nonce, codeVerifier, expiresAt, jkt } = parseObject(await sealer.open('login', found));
  const wellFormed = [state, nonce, codeVerifier].every((v) => typeof v === 'string' && OAUTH_VALUE.test(v));
  if (!wellFormed || typeof expiresAt !== 'number' || expiresAt <= nowSeconds) return undefined;
  if (jkt !== undefined && !isThumbprint(jkt)) return undefined;
  return { state, nonce, codeVerifier, expiresAt, ...(jkt ? { jkt } : {}) } as LoginCookieValue;
}

/** The one sealed value of cookie `name`; `undefined` when absent, `null` when ambiguous or oddly shaped. */
function findCookie(cookieHeaders: readonly string[], name: string): string | undefined | null {
  const values = cookieHeaders
    .flatMap((line) => line.split(';'))
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${name}=`))
    .map((pair) => pair.slice(name.length + 1));
  if (values.length === 0) return undefined;
  const [value = ''] = values;
  return values.length === 1 && SEALED.test(value) ? value : null;
}

function parseObject(plain: string | undefined): Record<string, unknown> {
  if (plain === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(plain);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
