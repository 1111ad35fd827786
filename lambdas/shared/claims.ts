// Verified access-token claims and the identity an authorizer hands to route handlers.

/** Claims of a Cognito access token after signature and claim checks passed. */
export interface AccessClaims {
  readonly sub: string;
  readonly username: string;
  /** Unique per token. */
  readonly jti: string;
  /** Constant for the whole sign-in session (Cognito adds it when revocation is enabled). */
  readonly originJti?: string;
  readonly clientId: string;
  /** Issued-at, epoch seconds. */
  readonly iat: number;
  /** When the user authenticated (`auth_time`), epoch seconds; kept across refreshes. */
  readonly authTime?: number;
  /** Expiry, epoch seconds (required: a token without `exp` never verifies). */
  readonly exp: number;
  readonly groups: readonly string[];
  readonly scopes: readonly string[];
  /** `cnf.jkt` (RFC 9449 §6.1): the token is bound to the device key with this thumbprint and needs its proof. */
  readonly jkt?: string;
}

/**
 * How far `auth_time` may lie after `iat` (seconds). Cognito stamps both, so a sign-in after the token's own issue is
 * a forgery or a broken issuer: it would pass any step-up age and never fall below a user watermark.
 */
export const AUTH_TIME_SKEW_SECONDS = 5;

/** True when the token claims a sign-in later than its own issue (plus the skew): refuse it (`ERR_TOKEN_CLAIMS`). */
export function authTimeInFuture(claims: Pick<AccessClaims, 'iat' | 'authTime'>): boolean {
  return claims.authTime !== undefined && claims.authTime > claims.iat + AUTH_TIME_SKEW_SECONDS;
}

/** The verified identity passed from the authorizer to handlers (API Gateway authorizer context). */
export interface Identity {
  readonly sub: string;
  readonly username: string;
  readonly groups: readonly string[];
  readonly scopes: readonly string[];
  readonly jti: string;
  readonly sessionId?: string;
  /** Issued-at, epoch seconds (user watermarks compare it). */
  readonly iat: number;
  /** `auth_time`, epoch seconds (user watermarks compare it too). */
  readonly authTime?: number;
  readonly exp: number;
}

export function identityOf(claims: AccessClaims): Identity {
  return {
    sub: claims.sub,
    username: claims.username,
    groups: claims.groups,
    scopes: claims.scopes,
    jti: claims.jti,
    ...(claims.originJti ? { sessionId: claims.originJti } : {}),
    iat: claims.iat,
    ...(claims.authTime !== undefined ? { authTime: claims.authTime } : {}),
    exp: claims.exp,
  };
}

/**
 * API Gateway authorizer context values must be strings, numbers or booleans:
 * lists travel space-separated, as OAuth scopes do.
 */
export type AuthorizerContext = Record<string, string | number | boolean>;

export function toAuthorizerContext(identity: Identity): AuthorizerContext {
  return {
    sub: identity.sub,
    username: identity.username,
    groups: identity.groups.join(' '),
    scope: identity.scopes.join(' '),
    jti: identity.jti,
    sessionId: identity.sessionId ?? '',
    iat: identity.iat,
    ...(identity.authTime !== undefined ? { authTime: identity.authTime } : {}),
    exp: identity.exp,
  };
}

/** Reads the identity back from `requestContext.authorizer`; undefined when the context is incomplete. */
export function fromAuthorizerContext(
  context: Record<string, unknown> | null | undefined,
): Identity | undefined {
  if (!context) return undefined;
  const { sub, username, groups, scope, jti, sessionId, iat, authTime, exp } = context;
  if (typeof sub !== 'string' || !sub || typeof jti !== 'string' || !jti) return undefined;
  const issuedAt = Number(iat);
  const expiry = Number(exp);
  if (!Number.isFinite(issuedAt) || !Number.isFinite(expiry)) return undefined;
  const authenticatedAt = authTime === undefined || authTime === '' ? undefined : Number(authTime);
  if (authenticatedAt !== undefined && !Number.isFinite(authenticatedAt)) return undefined;
  const list = (value: unknown) => (typeof value === 'string' && value ? value.split(' ') : []);
  return {
    sub,
    username: typeof username === 'string' ? username : sub,
    groups: list(groups),
    scopes: list(scope),
    jti,
    ...(typeof sessionId === 'string' && sessionId ? { sessionId } : {}),
    iat: issuedAt,
    ...(authenticatedAt !== undefined ? { authTime: authenticatedAt } : {}),
    exp: expiry,
  };
}
