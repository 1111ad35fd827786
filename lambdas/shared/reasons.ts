// Typed reason codes shared by logs, metrics, error bodies and alarms (ARCHITECTURE §6).

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
] as const;

/** A stable machine-readable reason; callers switch on it. */
export type ReasonCode = (typeof REASON_CODES)[number];

/** What a revocation applies to: one token (jti), one sign-in session (origin_jti) or every token of a user. */
export type RevocationScope = 'token' | 'session' | 'user';

export const REVOCATION_SCOPES: readonly RevocationScope[] = ['token', 'session', 'user'];
