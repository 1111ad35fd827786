// Environment variable names of the auth function (/auth/*), shared by its config loader and the CDK stack.

import { AuthorizerEnv } from '../authorizer/env';

export const AuthEnv = {
  /** Same names as the authorizer's: the offline stack runs every handler in one process env. */
  userPoolId: AuthorizerEnv.userPoolId,
  clientId: AuthorizerEnv.clientId,
  revocationTable: AuthorizerEnv.revocationTable,
  /** Optional: fetch the JWKS from this URL (offline). */
  jwksUri: AuthorizerEnv.jwksUri,
  /** "true" (default) refuses sign-ins whose access token lacks `origin_jti`; "false" offline (emulator tokens). */
  requireSessionId: AuthorizerEnv.requireSessionId,
  /** Comma-separated browser Origins: CORS, and the Origin allowlist of the cookie routes (CSRF). */
  allowedOrigins: AuthorizerEnv.allowedOrigins,
  /** The sessions table (see SessionTableSchema). */
  sessionsTable: 'SESSIONS_TABLE_NAME',
  /** Base URL of the user-pool domain: `/oauth2/token` and `/logout` live under it. */
  cognitoDomainUrl: 'COGNITO_DOMAIN_URL',
  /** "true" allows an http:// domain URL, and only on 127.0.0.1 / localhost (the offline emulator). */
  allowInsecureTokenEndpoint: 'ALLOW_INSECURE_TOKEN_ENDPOINT',
  /** Where managed login sends the browser after `/logout` (one of the client's logout URLs). */
  logoutRedirectUri: 'LOGOUT_REDIRECT_URI',
  /** The app client's refresh-token validity in seconds: session and cookie lifetime. @default 604800 (7 days) */
  refreshTokenValiditySeconds: 'REFRESH_TOKEN_VALIDITY_SECONDS',
  /** Secrets Manager secret (ARN or name) holding the web app client's secret. Never the secret itself. */
  clientSecretId: 'CLIENT_SECRET_ID',
  /** Secrets Manager secret (ARN or name) whose value the cookie-sealing keys derive from (AWSCURRENT + AWSPREVIOUS). */
  cookieKeySecretId: 'COOKIE_KEY_SECRET_ID',
  /** Where managed login returns the browser with `code` and `state`: the page (one of the client's callback URLs). */
  redirectUri: 'REDIRECT_URI',
  /** The app client's refresh-token rotation grace period in seconds. @default 10 */
  rotationGraceSeconds: 'REFRESH_ROTATION_GRACE_SECONDS',
  /** Device binding (DPoP): `off` (default), `monitor` or `enforce` (the stage option `dpop`). */
  dpopMode: AuthorizerEnv.dpopMode,
  /** Where used proof ids are remembered: `table` (default) or `instance` (the stage option `dpopReplayGuard`). */
  dpopReplayGuard: AuthorizerEnv.dpopReplayGuard,
} as const;
