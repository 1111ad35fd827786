// Authorizer configuration, read once at cold start; fails fast with a ConfigError.

import type { Env } from '../shared/config';
import { booleanEnv, optionalEnv, requireEnv } from '../shared/config';
import { AuthorizerEnv } from './env';

export interface AuthorizerConfig {
  readonly userPoolId: string;
  readonly clientId: string;
  readonly revocationTable: string;
  readonly jwksUri?: string;
  readonly requireSessionId: boolean;
}

export function loadAuthorizerConfig(env: Env): AuthorizerConfig {
  const jwksUri = optionalEnv(env, AuthorizerEnv.jwksUri);
  return {
    userPoolId: requireEnv(env, AuthorizerEnv.userPoolId),
    clientId: requireEnv(env, AuthorizerEnv.clientId),
    revocationTable: requireEnv(env, AuthorizerEnv.revocationTable),
    ...(jwksUri ? { jwksUri } : {}),
    requireSessionId: booleanEnv(env, AuthorizerEnv.requireSessionId, true),
  };
}
