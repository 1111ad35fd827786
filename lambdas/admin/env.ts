// Environment variable names of the admin function (/admin/*), shared by its config loader and the CDK stack.

import { AuthEnv } from '../auth/env';

export const AdminEnv = {
  userPoolId: AuthEnv.userPoolId,
  clientId: AuthEnv.clientId,
  revocationTable: AuthEnv.revocationTable,
  sessionsTable: AuthEnv.sessionsTable,
  allowedOrigins: AuthEnv.allowedOrigins,
  refreshTokenValiditySeconds: AuthEnv.refreshTokenValiditySeconds,
  /** Step-up: how recent a sign-in the admin revoke routes require (seconds). */
  stepUpMaxAgeSeconds: 'STEP_UP_MAX_AGE_SECONDS',
} as const;
