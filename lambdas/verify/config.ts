// Canary configuration, read once at cold start; fails fast with a ConfigError.

import type { Env } from '../shared/config';
import { ConfigError, requireEnv } from '../shared/config';
import type { VerifyDeployment } from './deployment';
import { VerifyEnv } from './env';

/** The deployment the canary verifies: its own stack, described by the environment the Canary construct sets. */
export function loadCanaryDeployment(env: Env): VerifyDeployment {
  const ttl = Number(requireEnv(env, VerifyEnv.authorizerCacheTtlSeconds));
  if (!Number.isInteger(ttl) || ttl < 0) {
    throw new ConfigError(`${VerifyEnv.authorizerCacheTtlSeconds} must be a non-negative integer`);
  }
  return {
    apiUrl: requireEnv(env, VerifyEnv.apiUrl),
    wsUrl: requireEnv(env, VerifyEnv.wsUrl),
    enforcementMode: requireEnv(env, VerifyEnv.enforcementMode),
    authorizerCacheTtlSeconds: ttl,
    deviceBinding: requireEnv(env, VerifyEnv.deviceBinding),
    replayGuard: requireEnv(env, VerifyEnv.replayGuard),
    region: requireEnv(env, 'AWS_REGION'),
    userPoolId: requireEnv(env, VerifyEnv.userPoolId),
    verifyClientId: requireEnv(env, VerifyEnv.verifyClientId),
    credentials: { secretId: requireEnv(env, VerifyEnv.secretArn) },
  };
}
