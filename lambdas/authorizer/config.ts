// Authorizer configuration, read once at cold start; fails fast with a ConfigError.

import type { Env } from '../shared/config';
import { booleanEnv, ConfigError, listEnv, optionalEnv, requireEnv } from '../shared/config';
import type { EnforcementMode } from './authorize';
import { ENFORCEMENT_MODES } from './authorize';
import { AuthorizerEnv } from './env';

export interface AuthorizerConfig {
  readonly userPoolId: string;
  readonly clientId: string;
  /** Also accepted: the verification app client (see AuthorizerEnv.verificationClientId). */
  readonly verificationClientId?: string;
  readonly revocationTable: string;
  readonly jwksUri?: string;
  readonly requireSessionId: boolean;
  readonly mode: EnforcementMode;
}

export function loadAuthorizerConfig(env: Env): AuthorizerConfig {
  const jwksUri = optionalEnv(env, AuthorizerEnv.jwksUri);
  const verificationClientId = optionalEnv(env, AuthorizerEnv.verificationClientId);
  return {
    userPoolId: requireEnv(env, AuthorizerEnv.userPoolId),
    clientId: requireEnv(env, AuthorizerEnv.clientId),
    ...(verificationClientId ? { verificationClientId } : {}),
    revocationTable: requireEnv(env, AuthorizerEnv.revocationTable),
    ...(jwksUri ? { jwksUri } : {}),
    requireSessionId: booleanEnv(env, AuthorizerEnv.requireSessionId, true),
    mode: enforcementMode(env),
  };
}

/** The `$connect` authorizer also checks the browser Origin. */
export interface ConnectAuthorizerConfig extends AuthorizerConfig {
  readonly allowedOrigins: readonly string[];
}

export function loadConnectAuthorizerConfig(env: Env): ConnectAuthorizerConfig {
  const allowedOrigins = listEnv(env, AuthorizerEnv.allowedOrigins);
  if (allowedOrigins.length === 0)
    throw new ConfigError(`missing environment variable ${AuthorizerEnv.allowedOrigins}`);
  return { ...loadAuthorizerConfig(env), allowedOrigins };
}

export function enforcementMode(env: Env): EnforcementMode {
  const value = optionalEnv(env, AuthorizerEnv.enforcementMode) ?? 'enforce';
  if (!ENFORCEMENT_MODES.includes(value as EnforcementMode)) {
    throw new ConfigError(`${AuthorizerEnv.enforcementMode} must be one of ${ENFORCEMENT_MODES.join(', ')}`);
  }
  return value as EnforcementMode;
}
