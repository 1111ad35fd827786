// Admin function configuration, read once at cold start; fails fast with a ConfigError.

import type { Env } from '../shared/config';
import type { SessionsConfig } from '../sessions/config';
import { loadSessionsConfig } from '../sessions/config';
import { AdminEnv } from './env';

export type AdminConfig = SessionsConfig;

export function loadAdminConfig(env: Env): AdminConfig {
  return loadSessionsConfig(env, AdminEnv);
}
