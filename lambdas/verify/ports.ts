// The verification journey's I/O, behind small ports: the CLI and the canary plug in the same real adapters.

/** Tokens of one sign-in of the verification user (never printed, never logged). */
export interface SignedInSession {
  readonly accessToken: string;
  readonly idToken: string;
  readonly refreshToken: string;
}

/** Signs the verification user in without a browser, and ends what it started. */
export interface VerificationSignIn {
  signIn(): Promise<SignedInSession>;
  /** Cognito RevokeToken: the refresh token (and the tokens it minted) stop working at Cognito. */
  revokeRefreshToken(refreshToken: string): Promise<void>;
  /**
   * Refreshes `session` with ClientMetadata `{ jkt }` (GetTokensFromRefreshToken), which the pre token generation
   * trigger copies into the access token as `cnf.jkt`: a token bound to that device key.
   */
  bind(session: SignedInSession, jkt: string): Promise<SignedInSession>;
}

export interface HttpAnswer {
  readonly status: number;
  /** Parsed JSON body, or undefined when there is none or it is not JSON. */
  readonly body: unknown;
}

/** How a bound token is presented: `Authorization: DPoP <token>`, with a `DPoP` proof header when `proof` is set. */
export interface DpopPresentation {
  readonly proof?: string;
}

/** Calls the deployment's REST API. */
export interface HttpProbe {
  /** `Authorization: Bearer <token>`, or `DPoP <token>` (+ the `DPoP` header) when `dpop` is given. */
  request(method: 'GET' | 'POST', url: string, token?: string, dpop?: DpopPresentation): Promise<HttpAnswer>;
}

/** What a DPoP proof (RFC 9449 §4.2) is made for. */
export interface ProofRequest {
  readonly method: string;
  /** `htu`: the public URL without query and fragment. */
  readonly url: string;
  /** `ath` is its hash. */
  readonly accessToken: string;
  /** Epoch seconds. @default now */
  readonly iat?: number;
}

/** A device key held by the journey, as the page holds one: the private key never leaves it. */
export interface DeviceKey {
  /** RFC 7638 SHA-256 thumbprint of the public key. */
  readonly jkt: string;
  /** A fresh ES256 `dpop+jwt` proof (new `jti`) for `request`. */
  proof(request: ProofRequest): Promise<string>;
}

/** Makes device keys (jose in production). */
export interface DeviceKeys {
  create(): Promise<DeviceKey>;
}

/** An open signaling socket. */
export interface OpenSocket {
  /** Resolves true when the server closes the socket within `timeoutMs`, false otherwise. */
  closedWithin(timeoutMs: number): Promise<boolean>;
  close(): void;
}

export type SocketAttempt =
  | { readonly opened: true; readonly socket: OpenSocket }
  | { readonly opened: false; readonly refusal: string };

/** Opens the deployment's signaling WebSocket (token in `Sec-WebSocket-Protocol`, as the page does). */
export interface SocketProbe {
  open(url: string, accessToken?: string): Promise<SocketAttempt>;
}

/**
 * Makes the tokens that must be refused. `signed` forges validly signed tokens (offline: the emulator's key is
 * public); `tampered` edits a real token's payload, which also breaks its signature (in AWS nobody but Cognito can
 * sign, so an expired or other-client token cannot be made validly).
 */
export interface TokenForge {
  readonly kind: 'signed' | 'tampered';
  /** A token like `real` whose `exp` has passed. */
  expired(real: string): string;
  /** A token like `real` issued to another app client of the same pool. */
  otherClient(real: string): string;
}

/** Milliseconds since some fixed point (performance.now in production, a fake in unit tests). */
export type Stopwatch = () => number;
