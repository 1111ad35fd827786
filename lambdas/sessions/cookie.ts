// The refresh cookie: `__Host-cg_refresh=<sessionId>:<refreshToken>`, built and parsed defensively.

/** `__Host-`: the browser only accepts it with Secure, Path=/ and no Domain, so no subdomain can set or read it. */
export const REFRESH_COOKIE = '__Host-cg_refresh';

const SESSION_ID = /^[A-Za-z0-9-]{1,128}$/;
// Cognito refresh tokens are compact JWE (base64url segments and dots); the emulator's are uuids.
const REFRESH_TOKEN = /^[A-Za-z0-9\-_.]{1,8192}$/;

/** The pair the cookie carries: which session, and that session's refresh token. */
export interface RefreshCookieValue {
  readonly sessionId: string;
  readonly refreshToken: string;
}

export type ParsedRefreshCookie =
  | { readonly kind: 'absent' }
  | { readonly kind: 'malformed' }
  | ({ readonly kind: 'present' } & RefreshCookieValue);

/** Whether a string may be used as a session id (cookie part, path parameter). */
export function isSessionId(value: string | undefined): value is string {
  return value !== undefined && SESSION_ID.test(value);
}

/** `Set-Cookie` value for a session's refresh token, living `maxAgeSeconds` (at least 0). */
export function refreshCookie(value: RefreshCookieValue, maxAgeSeconds: number): string {
  if (!isSessionId(value.sessionId) || !REFRESH_TOKEN.test(value.refreshToken)) {
    throw new Error('refusing to build a refresh cookie from an unexpected value');
  }
  return cookie(`${value.sessionId}:${value.refreshToken}`, maxAgeSeconds);
}

/** `Set-Cookie` value that deletes the refresh cookie. */
export function clearedRefreshCookie(): string {
  return cookie('', 0);
}

function cookie(value: string, maxAgeSeconds: number): string {
  const maxAge = Math.max(0, Math.floor(maxAgeSeconds));
  return `${REFRESH_COOKIE}=${value}; Max-Age=${maxAge}; Path=/; HttpOnly; Secure; SameSite=Strict`;
}

/**
 * Finds the refresh cookie in the request's `Cookie` header values. More than one refresh cookie, a quoted or
 * oddly shaped value are `malformed`: ambiguity is never resolved by guessing.
 */
export function parseRefreshCookie(cookieHeaders: readonly string[]): ParsedRefreshCookie {
  const values = cookieHeaders
    .flatMap((line) => line.split(';'))
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${REFRESH_COOKIE}=`))
    .map((pair) => pair.slice(REFRESH_COOKIE.length + 1));
  if (values.length === 0) return { kind: 'absent' };
  if (values.length > 1) return { kind: 'malformed' };
  const [value = ''] = values;
  const separator = value.indexOf(':');
  const sessionId = value.slice(0, separator);
  const refreshToken = value.slice(separator + 1);
  if (separator < 0 || !isSessionId(sessionId) || !REFRESH_TOKEN.test(refreshToken))
    return { kind: 'malformed' };
  return { kind: 'present', sessionId, refreshToken };
}
