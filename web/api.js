// REST calls of the demo page and the one place that turns HTTP failures into sentences a person can act on.
import { boundKeyOf, dpopProof } from './device-key.js';

/** The header /auth/refresh requires (a cross-site form or image cannot set it). */
export const CSRF_HEADER = 'X-CognitoGuard-CSRF';

/** A failed API call: HTTP status, the reason code of the body (`{ error, message }`) when there is one. */
export class ApiError extends Error {
  constructor(status, code, detail, retryAfter) {
    super(explain(status, code, detail, retryAfter));
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

/**
 * Calls the REST API. `token` sends `Authorization: Bearer`, or `DPoP` for a device-bound token; every call carries a
 * `DPoP` proof by this browser's device key (web/device-key.js); `cookie` sends the refresh cookie (credentials) and
 * the CSRF header. Resolves with the parsed JSON body of a 2xx answer, rejects with ApiError otherwise.
 */
export async function callApi(apiUrl, path, { method = 'GET', token, body, cookie = false } = {}) {
  const headers = new Headers();
  if (token) headers.set('Authorization', `${boundKeyOf(token) ? 'DPoP' : 'Bearer'} ${token}`);
  const proof = await dpopProof(method, `${apiUrl}${path}`, token).catch(() => undefined);
  if (proof) headers.set('DPoP', proof); // without WebCrypto/IndexedDB the call goes unbound; the server decides
  if (cookie) headers.set(CSRF_HEADER, '1');
  if (body !== undefined) headers.set('Content-Type', 'application/json');
  let response;
  try {
    response = await fetch(`${apiUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // The refresh cookie only travels where it is needed; `include` also covers a same-site API origin.
      credentials: cookie ? 'include' : 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, undefined, `cannot reach ${apiUrl}`);
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { message: text.slice(0, 200) };
  }
  if (response.ok) return parsed;
  throw new ApiError(
    response.status,
    typeof parsed?.error === 'string' ? parsed.error : undefined,
    typeof parsed?.message === 'string' ? parsed.message : undefined,
    response.headers.get('Retry-After'),
  );
}

const REASONS = {
  ERR_TOKEN_MISSING: 'no credential was sent',
  ERR_TOKEN_MALFORMED: 'the credential is malformed',
  ERR_TOKEN_SIGNATURE: 'the token signature does not verify',
  ERR_TOKEN_EXPIRED: 'it expired',
  ERR_TOKEN_CLAIMS: 'the token was not issued for this app',
  ERR_TOKEN_REVOKED: 'it was revoked',
  ERR_REFRESH_REUSE: 'an old refresh token was reused, so the whole session was revoked',
  ERR_CSRF: 'the request lacks the CSRF header or comes from an origin that is not allowed',
  ERR_FORBIDDEN: 'your account lacks the required group',
  ERR_STEP_UP_REQUIRED: 'this operation needs a recent sign-in',
  ERR_ORIGIN: 'this page’s origin is not allowed',
  ERR_STORE_UNAVAILABLE: 'the revocation store is unavailable (requests fail closed)',
  ERR_JWKS_UNAVAILABLE: 'the signing keys cannot be fetched (requests fail closed)',
  ERR_DPOP_MISSING: 'this session is bound to a device key and the request carried no proof',
  ERR_DPOP_KEY_MISMATCH: 'the proof was signed by another device key than the session’s',
  ERR_DPOP_STALE: 'the device proof is too old or from the future (check this computer’s clock)',
  ERR_DPOP_SCHEME: 'a device-bound token must be sent with its proof',
};

/**
 * Who ended a revoked session, as the authorizer's denial says it (`the token was revoked (scope session): an
 * administrator ended it`); undefined for other errors.
 */
export function revocationCause(error) {
  return error instanceof ApiError ? causeOf(error.code, error.detail) : undefined;
}

function causeOf(code, detail) {
  const at = code === 'ERR_TOKEN_REVOKED' && typeof detail === 'string' ? detail.indexOf('): ') : -1;
  return at >= 0 ? detail.slice(at + 3) : undefined;
}

/** A short human explanation of a reason code, or undefined for codes without one. */
export function describeReason(code) {
  return REASONS[code];
}

function explain(status, code, detail, retryAfter) {
  const tag = code ? `${status} ${code}` : String(status);
  const why = describeReason(code);
  const cause = causeOf(code, detail);
  switch (true) {
    case status === 0:
      return `Network error: ${detail}. Is the stack running?`;
    case status === 401:
      return `Not signed in (${tag}): ${why ?? 'the access token is missing, expired or revoked'}${cause ? `: ${cause}` : ''}. Sign in again.`;
    case status === 403:
      return `Forbidden (${tag}): ${why ?? detail ?? 'the API refused this request'}.`;
    case status === 429:
      return `Too many requests (429): the API is throttling this client; wait${retryAfter ? ` ${retryAfter} s` : ' a moment'} and retry.`;
    case status === 400 || status === 404 || status === 409:
      return `Request refused (${tag}): ${detail ?? 'invalid request'}.`;
    case status >= 500: {
      const failure = why ?? detail ?? 'unexpected error';
      // Some answers already say to retry ("Cognito is unavailable; retry"): say it once.
      return `The service failed (${tag}): ${failure}${/\bretry\b/i.test(failure) ? ' in a moment.' : '. Retry in a moment.'}`;
    }
    default:
      return `Request failed (${tag})${detail ? `: ${detail}` : ''}.`;
  }
}
