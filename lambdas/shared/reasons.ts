// Typed reason codes shared by logs, metrics, error bodies and alarms (ARCHITECTURE §6), with their HTTP meaning.

export const REASON_CODES = [
  'ERR_TOKEN_MISSING',
  'ERR_TOKEN_MALFORMED',
  'ERR_TOKEN_SIGNATURE',
  'ERR_TOKEN_EXPIRED',
  'ERR_TOKEN_CLAIMS',
  'ERR_TOKEN_REVOKED',
  'ERR_ORIGIN',
  'ERR_FORBIDDEN',
  'ERR_JWKS_UNAVAILABLE',
  'ERR_STORE_UNAVAILABLE',
  'ERR_REFRESH_REUSE',
  'ERR_CSRF',
  'ERR_STEP_UP_REQUIRED',
  'ERR_TOO_MANY_CONNECTIONS',
] as const;

/**
 * Not an authorizer denial, so not in REASON_CODES: a session route ended the session (its record revoked, Cognito
 * RevokeToken called) but the deny-list write failed, so access tokens already issued may work until they expire.
 * The session routes answer it with 503 and REVOCATION_NOT_STORED_MESSAGE; it is counted and alarms.
 */
export const ERR_REVOCATION_NOT_STORED = 'ERR_REVOCATION_NOT_STORED';

/** The message of ERR_REVOCATION_NOT_STORED, for a page to show as is. */
export const REVOCATION_NOT_STORED_MESSAGE =
  'the session is ended and cannot be refreshed, but its access token could not be revoked: it may work until it expires (at most one access-token lifetime)';

/**
 * Device-binding (DPoP, RFC 9449) refusals: kept apart from REASON_CODES so the AuthDenied spike alarm keeps its
 * ten metrics; they are still reason codes (logs, metrics, error bodies) with a `DPoP` challenge (lambdas/shared/dpop.ts).
 */
export const DPOP_REASON_CODES = [
  'ERR_DPOP_MISSING',
  'ERR_DPOP_MALFORMED',
  'ERR_DPOP_ALG',
  'ERR_DPOP_KEY',
  'ERR_DPOP_SIGNATURE',
  'ERR_DPOP_REQUEST',
  'ERR_DPOP_STALE',
  'ERR_DPOP_ATH',
  'ERR_DPOP_KEY_MISMATCH',
  'ERR_DPOP_REPLAY',
  'ERR_DPOP_NONCE',
  'ERR_DPOP_SCHEME',
  'ERR_DPOP_REQUIRED',
] as const;

/** A device-binding refusal. */
export type DpopReasonCode = (typeof DPOP_REASON_CODES)[number];

/** A stable machine-readable reason; callers switch on it. */
export type ReasonCode = (typeof REASON_CODES)[number] | DpopReasonCode;

/** What a revocation applies to: one token (jti), one sign-in session (origin_jti) or every token of a user. */
export type RevocationScope = 'token' | 'session' | 'user';

export const REVOCATION_SCOPES: readonly RevocationScope[] = ['token', 'session', 'user'];

/** The RFC 6750 §3.1 error codes of a `WWW-Authenticate: Bearer` challenge. */
export type BearerError =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  /** RFC 9470 §3: the authentication is too old (`max_age`) or too weak (`acr_values`). */
  | 'insufficient_user_authentication';

export interface ReasonMeaning {
  /** HTTP status of a REST denial with this reason. */
  readonly status: 401 | 403;
  /** The challenge's `error`; absent when no credential was sent (RFC 6750 §3.1: then no error code). */
  readonly bearerError?: BearerError;
  /** A sentence for the `message` of the error body; plain text without quotes or backslashes (JSON-safe as is). */
  readonly message: string;
}

/**
 * What each reason means to a client. Authorizer denials (token reasons, outages: fail closed) are all 401, since
 * API Gateway gives one status per gateway response type; group and origin refusals are 403.
 */
export const REASON_MEANINGS: Readonly<Record<ReasonCode, ReasonMeaning>> = {
  ERR_TOKEN_MISSING: { status: 401, message: 'no bearer token was sent' },
  ERR_TOKEN_MALFORMED: {
    status: 401,
    bearerError: 'invalid_token',
    message: 'the credential is not a well-formed bearer token',
  },
  ERR_TOKEN_SIGNATURE: {
    status: 401,
    bearerError: 'invalid_token',
    message: 'the token signature does not verify with the user pool keys',
  },
  ERR_TOKEN_EXPIRED: { status: 401, bearerError: 'invalid_token', message: 'the token expired' },
  ERR_TOKEN_CLAIMS: {
    status: 401,
    bearerError: 'invalid_token',
    message: 'the token was not issued for this app (issuer, client, token use or required claims)',
  },
  ERR_TOKEN_REVOKED: { status: 401, bearerError: 'invalid_token', message: 'the token was revoked' },
  ERR_ORIGIN: { status: 403, bearerError: 'invalid_request', message: 'this Origin is not allowed' },
  ERR_FORBIDDEN: {
    status: 403,
    bearerError: 'insufficient_scope',
    message: 'the caller lacks the required group or scope',
  },
  ERR_JWKS_UNAVAILABLE: {
    status: 401,
    bearerError: 'invalid_token',
    message: 'the signing keys cannot be fetched, so no token is accepted (fail closed); retry',
  },
  ERR_STORE_UNAVAILABLE: {
    status: 401,
    bearerError: 'invalid_token',
    message: 'the revocation store is unavailable, so no token is accepted (fail closed); retry',
  },
  ERR_REFRESH_REUSE: {
    status: 401,
    bearerError: 'invalid_token',
    message: 'a rotated refresh token was reused: the whole session is revoked',
  },
  ERR_CSRF: {
    status: 403,
    bearerError: 'invalid_request',
    message: 'the request lacks the CSRF header or comes from an Origin that is not allowed',
  },
  ERR_STEP_UP_REQUIRED: {
    status: 401,
    bearerError: 'insufficient_user_authentication',
    message: 'this operation needs a more recent sign-in: sign in again and retry',
  },
  // Only `$connect` refuses with it (a handshake status, 429); never a REST answer.
  ERR_TOO_MANY_CONNECTIONS: {
    status: 403,
    message: 'this user already has the most WebSocket connections allowed open: close one and retry',
  },
  ERR_DPOP_MISSING: { status: 401, message: 'this credential is bound to a device key: send a DPoP proof' },
  ERR_DPOP_MALFORMED: {
    status: 401,
    message: 'the DPoP proof is not a well-formed dpop+jwt (typ, jti, htm, htu, iat)',
  },
  ERR_DPOP_ALG: { status: 401, message: 'the DPoP proof must be signed with ES256' },
  ERR_DPOP_KEY: {
    status: 401,
    message: 'the DPoP proof must carry a public P-256 key (jwk) and no private part',
  },
  ERR_DPOP_SIGNATURE: { status: 401, message: 'the DPoP proof signature does not verify with its own key' },
  ERR_DPOP_REQUEST: { status: 401, message: 'the DPoP proof was made for another method or URL' },
  ERR_DPOP_STALE: { status: 401, message: 'the DPoP proof is too old or from the future (iat)' },
  ERR_DPOP_ATH: { status: 401, message: 'the DPoP proof does not carry the hash of this access token (ath)' },
  ERR_DPOP_KEY_MISMATCH: {
    status: 401,
    message: 'the DPoP proof was signed by another key than the one bound',
  },
  ERR_DPOP_REPLAY: { status: 401, message: 'this DPoP proof was already used' },
  ERR_DPOP_NONCE: { status: 401, message: 'the DPoP proof must carry the nonce the server sent' },
  ERR_DPOP_REQUIRED: {
    status: 401,
    message: 'this route needs a device-bound token: sign in from the page with its device key',
  },
  ERR_DPOP_SCHEME: {
    status: 401,
    message: 'a device-bound token must be sent as Authorization DPoP with a proof, never as Bearer',
  },
};

/**
 * The `WWW-Authenticate` value for a denial (RFC 6750 §3): `Bearer error="…", error_description="<REASON>"`, or
 * `Bearer realm="…"` alone when no credential was sent. `bearerError` overrides the reason's own error code (e.g.
 * `invalid_request` for a malformed request rather than a malformed token). `params` are appended as quoted
 * auth-params: `scope` (RFC 6750 §3) or `max_age` (RFC 9470 §3); values are scope tokens or digits.
 */
export function bearerChallenge(
  reason: string,
  bearerError?: BearerError,
  params: Readonly<Record<string, string>> = {},
): string {
  const error = bearerError ?? meaningOf(reason)?.bearerError;
  if (!error) return `Bearer realm="${REALM}"`;
  const extra = Object.entries(params).map(([name, value]) => `, ${name}="${value}"`);
  return `Bearer realm="${REALM}", error="${error}", error_description="${reason}"${extra.join('')}`;
}

/** The realm of every challenge. */
export const REALM = 'cognito-guard';

/** The meaning of a reason code, undefined for codes that are not auth reasons (ERR_NOT_FOUND, ...). */
export function meaningOf(reason: string): ReasonMeaning | undefined {
  return (REASON_MEANINGS as Record<string, ReasonMeaning | undefined>)[reason];
}
