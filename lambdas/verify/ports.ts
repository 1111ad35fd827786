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
}

export interface HttpAnswer {
  readonly status: number;
  /** Parsed JSON body, or undefined when there is none or it is not JSON. */
  readonly body: unknown;
}

/** Calls the deployment's REST API. */
export interface HttpProbe {
  request(method: 'GET' | 'POST', url: string, bearerToken?: string): Promise<HttpAnswer>;
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
