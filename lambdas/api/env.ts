// Environment variable names of the api function (health, me), shared with the CDK construct.

import { AuthorizerEnv } from '../authorizer/env';

export const ApiEnv = {
  /** Comma-separated Origins allowed to call the API from a browser (CORS). */
  allowedOrigins: 'ALLOWED_ORIGINS',
  /** `enforce` (default) or `monitor`: the authorizer's mode, reported by GET /health. Same name as the authorizer's. */
  enforcementMode: AuthorizerEnv.enforcementMode,
} as const;
