// Environment variable names of the api function (health, me), shared with the CDK construct.

export const ApiEnv = {
  /** Comma-separated Origins allowed to call the API from a browser (CORS). */
  allowedOrigins: 'ALLOWED_ORIGINS',
} as const;
