// Events-in function configuration (pool, deny-list, lifetimes), read once at cold start; fails fast with a ConfigError.

import { AuthEnv } from '../auth/env';
import type { Env } from '../shared/config';
import { integerEnv, requireEnv } from '../shared/config';

export interface CognitoEventsConfig {
  /** Only changes to this pool revoke. */
  readonly userPoolId: string;
  readonly revocationTable: string;
  /** How long a user watermark must be remembered (the refresh-token validity). */
  readonly refreshTokenValiditySeconds: number;
}

const TEN_YEARS = 10 * 365 * 86400;

export function loadCognitoEventsConfig(env: Env): CognitoEventsConfig {
  return {
    userPoolId: requireEnv(env, AuthEnv.userPoolId),
    revocationTable: requireEnv(env, AuthEnv.revocationTable),
    refreshTokenValiditySeconds: integerEnv(env, AuthEnv.refreshTokenValiditySeconds, 7 * 86400, {
      min: 3600,
      max: TEN_YEARS,
    }),
  };
}
