// Environment variable names of the authorizer, shared by its config loader and the CDK construct.

export const AuthorizerEnv = {
  userPoolId: 'USER_POOL_ID',
  clientId: 'USER_POOL_CLIENT_ID',
  revocationTable: 'REVOCATION_TABLE_NAME',
  /** Optional: fetch the JWKS from this URL instead of Cognito's (offline stack, tests). */
  jwksUri: 'JWKS_URI',
  /** "true" (default) denies tokens without `origin_jti`, which real Cognito always sets with revocation on. */
  requireSessionId: 'REQUIRE_SESSION_ID',
  /** `enforce` (default) or `monitor` (revoked tokens allowed and logged as would_deny). */
  enforcementMode: 'ENFORCEMENT_MODE',
  /**
   * Optional second app client whose access tokens are accepted: the verification client (`npm run verify`, canary),
   * which only AdminInitiateAuth with IAM credentials can sign in to.
   */
  verificationClientId: 'VERIFICATION_CLIENT_ID',
  /** Device binding (DPoP, RFC 9449): `off` (default), `monitor` or `enforce` (the stage option `dpop`). */
  dpopMode: 'DPOP_MODE',
  /** Where used proof ids are remembered: `table` (default) or `instance` (the stage option `dpopReplayGuard`). */
  dpopReplayGuard: 'DPOP_REPLAY_GUARD',
  /** The app's public origin (`https://…`, no path): DPoP proofs are checked against its URLs. Required unless `off`. */
  appUrl: 'APP_URL',
  /** `$connect` only: comma-separated browser Origins allowed to open a socket (absent Origin = non-browser, allowed). */
  allowedOrigins: 'ALLOWED_ORIGINS',
} as const;
