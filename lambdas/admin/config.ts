// Admin function configuration, read once at cold start; fails fast with a ConfigError.

import type { Env } from '../shared/config';
import { integerEnv } from '../shared/config';
import { DEFAULT_STEP_UP_MAX_AGE_SECONDS } from '../shared/route-policy';
import type { SessionsConfig } from '../sessions/config';
import { loadSessionsConfig } from '../sessions/config';
import { AdminEnv } from './env';

export interface AdminConfig extends SessionsConfig {
  /** Replaces `maxAuthAgeSeconds` of the step-up routes in the route table. */
  readonly stepUpMaxAgeSeconds: number;
}

/** The step-up age the function accepts: up to a day (the stage config asks for at least a minute; tests less). */
export const STEP_UP_MAX_AGE_RANGE = { min: 1, max: 86_400 } as const;

export function loadAdminConfig(env: Env): AdminConfig {
  return {
    ...loadSessionsConfig(env, AdminEnv),
    stepUpMaxAgeSeconds: integerEnv(
      env,
      AdminEnv.stepUpMaxAgeSeconds,
      DEFAULT_STEP_UP_MAX_AGE_SECONDS,
      STEP_UP_MAX_AGE_RANGE,
    ),
  };
}
