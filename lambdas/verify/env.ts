// Environment variable names of the revocation canary, shared by its config loader and the Canary construct.

export const VerifyEnv = {
  apiUrl: 'VERIFY_API_URL',
  wsUrl: 'VERIFY_WS_URL',
  userPoolId: 'USER_POOL_ID',
  verifyClientId: 'VERIFICATION_CLIENT_ID',
  /** The Secrets Manager secret `{ username, password }` of the verification user. */
  secretArn: 'VERIFY_SECRET_ARN',
  /** The mode and cache TTL the stack was deployed with (the journey also asks /health for the live mode). */
  enforcementMode: 'ENFORCEMENT_MODE',
  authorizerCacheTtlSeconds: 'AUTHORIZER_CACHE_TTL_SECONDS',
  /** The stage's device binding mode (`off`, `monitor`, `enforce`): the binding checks run only in `enforce`. */
  deviceBinding: 'DPOP_MODE',
  /** Where the stack remembers used proof ids (`table`, `instance`): the replayed-proof check runs only with `table`. */
  replayGuard: 'DPOP_REPLAY_GUARD',
} as const;
