// Configuration both session functions share (pool, tables, origins, session lifetime), read once at cold start.

import type { Env } from '../shared/config';
import { ConfigError, integerEnv, listEnv, requireEnv } from '../shared/config';
import type { AdminEnv } from '../admin/env';

export interface SessionsConfig {
  readonly userPoolId: string;
  /** `us-east-1` from `us-east-1_AbC`. */
  readonly region: string;
  readonly clientId: string;
  readonly revocationTable: string;
  readonly sessionsTable: string;
  readonly allowedOrigins: readonly string[];
  readonly refreshTokenValiditySeconds: number;
}

const USER_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d+)_[A-Za-z0-9]+$/;
const TEN_YEARS = 10 * 365 * 86400;

/** Reads the shared settings under the given names (each function has its own env const with the same values). */
export function loadSessionsConfig(
  env: Env,
  names: Omit<typeof AdminEnv, 'stepUpMaxAgeSeconds'>,
): SessionsConfig {
  const userPoolId = requireEnv(env, names.userPoolId);
  const region = USER_POOL_ID.exec(userPoolId)?.[1];
  if (!region) throw new ConfigError(`${names.userPoolId} must look like <region>_<id>, got "${userPoolId}"`);
  const allowedOrigins = listEnv(env, names.allowedOrigins);
  if (allowedOrigins.length === 0)
    throw new ConfigError(`missing environment variable ${names.allowedOrigins}`);
  return {
    userPoolId,
    region,
    clientId: requireEnv(env, names.clientId),
    revocationTable: requireEnv(env, names.revocationTable),
    sessionsTable: requireEnv(env, names.sessionsTable),
    allowedOrigins,
    // Cognito allows 60 minutes .. 10 years.
    refreshTokenValiditySeconds: integerEnv(env, names.refreshTokenValiditySeconds, 7 * 86400, {
      min: 3600,
      max: TEN_YEARS,
    }),
  };
}
