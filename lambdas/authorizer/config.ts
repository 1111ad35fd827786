// Authorizer configuration, read once at cold start; fails fast with a ConfigError.

import type { Env } from '../shared/config';
import { booleanEnv, ConfigError, listEnv, optionalEnv, requireEnv } from '../shared/config';
import { DPOP_MODES, type DpopMode, REPLAY_GUARD_KINDS, type ReplayGuardKind } from '../shared/dpop';
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
  /** Device binding: the stage mode and the public origin proofs are made for; absent when `off`. */
  readonly dpop?: {
    readonly mode: 'monitor' | 'enforce';
    readonly appUrl: string;
    readonly replayGuard: ReplayGuardKind;
  };
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
    ...dpopConfig(env),
  };
}

function dpopConfig(env: Env): Pick<AuthorizerConfig, 'dpop'> {
  const mode = dpopModeEnv(env);
  if (mode === 'off') return {};
  const appUrl = requireEnv(env, AuthorizerEnv.appUrl);
  if (!URL.canParse(appUrl) || new URL(appUrl).origin !== appUrl) {
    throw new ConfigError(
      `${AuthorizerEnv.appUrl} must be an origin (scheme://host[:port]), got "${appUrl}"`,
    );
  }
  return { dpop: { mode, appUrl, replayGuard: replayGuardKind(env) } };
}

/** The stage's device binding mode (DPOP_MODE), `fallback` when unset. */
export function dpopModeEnv(env: Env, fallback: DpopMode = 'off'): DpopMode {
  const value = optionalEnv(env, AuthorizerEnv.dpopMode) ?? fallback;
  if (!DPOP_MODES.includes(value as DpopMode)) {
    throw new ConfigError(`${AuthorizerEnv.dpopMode} must be one of ${DPOP_MODES.join(', ')}`);
  }
  return value as DpopMode;
}

/** Where used proof ids are remembered: `table` unless the stage chose `instance`. */
export function replayGuardKind(env: Env): ReplayGuardKind {
  const value = optionalEnv(env, AuthorizerEnv.dpopReplayGuard) ?? 'table';
  if (!REPLAY_GUARD_KINDS.includes(value as ReplayGuardKind)) {
    throw new ConfigError(`${AuthorizerEnv.dpopReplayGuard} must be one of ${REPLAY_GUARD_KINDS.join(', ')}`);
  }
  return value as ReplayGuardKind;
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
