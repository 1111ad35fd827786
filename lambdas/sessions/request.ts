// What the session routes read from a request, and the CSRF defence of the public cookie routes.

import type { Outcome } from './outcome';
import { fail } from './outcome';

/** The header a browser page must send on the cookie routes; a cross-site form or image cannot set it. */
export const CSRF_HEADER = 'X-CognitoGuard-CSRF';

/** The parts of a request the session routes read. */
export interface SessionRequest {
  readonly body?: string | null;
  readonly origin?: string;
  readonly csrfHeader?: string;
  readonly contentType?: string;
  /** Every `Cookie` header value. */
  readonly cookies: readonly string[];
  /** Where the request came from, recorded on the session (what the user sees of their devices). */
  readonly client?: ClientFacts;
  /** The `DPoP` header (RFC 9449 proof), when sent once; never logged. */
  readonly dpop?: string;
}

/** The device facts a session record keeps: User-Agent and client IP, when known. */
export interface ClientFacts {
  readonly userAgent?: string;
  readonly ip?: string;
}

/** The longest User-Agent a session record keeps. */
export const MAX_USER_AGENT = 256;

/**
 * The CSRF defence of /auth/login, /auth/session and /auth/refresh: the custom header (which forces a CORS
 * preflight cross-site) and an allowlisted Origin. Undefined when the request passes.
 */
export function csrfRefusal(request: SessionRequest, allowedOrigins: readonly string[]): Outcome | undefined {
  const origin = request.origin;
  if (request.csrfHeader === '1' && origin && allowedOrigins.includes(origin)) return undefined;
  return fail(403, 'ERR_CSRF', `requires the ${CSRF_HEADER}: 1 header and an allowed Origin`, {
    denial: { reason: 'ERR_CSRF' },
  });
}

/** `application/json`, optionally with parameters (`; charset=utf-8`): a simple cross-site form cannot send it. */
export function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}
