// Ports of the session cores: session records, the OAuth authorization server, Cognito, and the cookie sealer.

/** A refresh token that was replaced by rotation; kept (as a fingerprint) to recognise reuse. */
export interface RotatedFingerprint {
  /** SHA-256 hex of the rotated-away refresh token. */
  readonly fingerprint: string;
  /** Epoch seconds. */
  readonly rotatedAt: number;
}

export type SessionStatus = 'active' | 'revoked';

/** One sign-in session. Stores fingerprints of refresh tokens, never a token. */
export interface SessionRecord {
  /** `origin_jti` of the session's tokens, or a server-generated id when the tokens carry none (emulator). */
  readonly sessionId: string;
  /** Where the id came from: `origin_jti` ids are deny-listable by session; `server` ids are not in any token. */
  readonly sessionIdSource: 'origin_jti' | 'server';
  readonly sub: string;
  readonly username: string;
  /** Epoch seconds. */
  readonly createdAt: number;
  /**
   * `auth_time` of the sign-in, epoch seconds: a user watermark after it ends the session even if the session was
   * recorded later (a managed-login cookie sign-in). Absent in records written before it was kept.
   */
  readonly authTime?: number;
  /** Epoch seconds of the last successful refresh (createdAt until then). */
  readonly refreshedAt: number;
  /** SHA-256 hex of the refresh token the browser should hold now. */
  readonly refreshFingerprint: string;
  /** The reuse registry, oldest first. */
  readonly rotated: readonly RotatedFingerprint[];
  readonly status: SessionStatus;
  /** `jti` and `exp` of the latest access token issued for this session. */
  readonly latestJti: string;
  readonly latestJtiExpiresAt: number;
  /** Epoch seconds: end of the refresh token's validity (also the TTL). */
  readonly expiresAt: number;
  readonly revokedAt?: number;
  readonly revokedBy?: string;
  readonly revokedReason?: string;
  /** The browser's User-Agent at sign-in, then at the latest refresh (shown to the user; at most 256 chars). */
  readonly userAgent?: string;
  /** The client IP at sign-in, then at the latest refresh (shown to the user). */
  readonly ip?: string;
  /** Device binding: RFC 7638 thumbprint of the key every refresh and logout must prove (docs/device-binding.md). */
  readonly jkt?: string;
}

/** The fields a refresh changes. */
export type SessionRefresh = Pick<
  SessionRecord,
  'refreshFingerprint' | 'rotated' | 'latestJti' | 'latestJtiExpiresAt' | 'refreshedAt' | 'userAgent' | 'ip'
>;

export interface SessionRevocation {
  readonly revokedAt: number;
  readonly revokedBy: string;
  readonly revokedReason: string;
}

/** Session records. Throws when the store is unreachable. */
export interface SessionStore {
  /** Stores a new session; false when the id is already taken. */
  create(record: SessionRecord): Promise<boolean>;
  /** Strongly consistent read. */
  get(sessionId: string): Promise<SessionRecord | undefined>;
  /** Every session of a user (eventually consistent index). */
  listBySub(sub: string): Promise<readonly SessionRecord[]>;
  /**
   * Applies a refresh only if the session is still active and its current fingerprint is still `expected`
   * (a concurrent refresh or a revocation wins); false otherwise.
   */
  refresh(sessionId: string, expected: string, change: SessionRefresh): Promise<boolean>;
  /** Marks an existing session revoked (idempotent); false when there is no such session. */
  markRevoked(sessionId: string, revocation: SessionRevocation): Promise<boolean>;
}

/** Tokens from the token endpoint. */
export interface TokenSet {
  readonly accessToken: string;
  readonly idToken?: string;
  /** Absent on a refresh without rotation. */
  readonly refreshToken?: string;
  /** Access-token lifetime in seconds. */
  readonly expiresIn: number;
}

/** A grant either yields tokens or an OAuth error code (`invalid_grant`, ...). Outages throw. */
export type GrantResult =
  { readonly ok: true; readonly tokens: TokenSet } | { readonly ok: false; readonly error: string };

/** A new authorization-code request: where the browser goes, and what only the backend keeps. */
export interface AuthorizationStart {
  /** Managed login `/oauth2/authorize` with client, redirect URI, scopes, state, nonce and the PKCE S256 challenge. */
  readonly authorizeUrl: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** The user pool's OAuth 2.0 endpoints, used as the confidential app client (client secret + PKCE). */
export interface TokenEndpoint {
  /**
   * Fresh state, nonce and PKCE verifier, and the authorize URL that carries them. Managed login must ask for
   * credentials even within its session cookie's hour (`prompt=login`): its cookie outlives a revoke-all.
   */
  startAuthorization(): Promise<AuthorizationStart>;
  /** Redeems a code; `state` is checked against the expected one and the ID token's `nonce` too. */
  exchangeCode(grant: {
    code: string;
    state: string;
    expected: Pick<AuthorizationStart, 'state' | 'nonce' | 'codeVerifier'>;
  }): Promise<GrantResult>;
  refresh(refreshToken: string): Promise<GrantResult>;
}

/** What a sealed cookie is for: a value sealed for one purpose never opens as another. */
export type CookiePurpose = 'refresh' | 'login';

/**
 * Authenticated encryption of cookie values with a key only the auth function holds; the key id travels inside
 * the value so keys can rotate (values sealed with the previous key still open).
 */
export interface CookieSealer {
  seal(purpose: CookiePurpose, plaintext: string): Promise<string>;
  /** The plaintext, or undefined for anything this sealer did not seal for `purpose` (tampered, truncated, old key). */
  open(purpose: CookiePurpose, sealed: string): Promise<string | undefined>;
}

/** What the identity provider did with a global sign-out. */
export type GlobalSignOutResult = 'signed-out' | 'user-not-found' | 'unsupported';

/** Cognito's user-pool API. Outages and unexpected errors throw. */
export interface IdentityProvider {
  /** Revokes a refresh token (and Cognito's view of its access tokens); resolves when it is unusable. */
  revokeRefreshToken(refreshToken: string): Promise<void>;
  /** Invalidates every refresh token of the user. `unsupported` only from an emulator lacking the operation. */
  globalSignOut(username: string): Promise<GlobalSignOutResult>;
}

/** The identity provider or its token endpoint is unreachable or answered something unexpected (502, retry). */
export class UpstreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamError';
  }
}
