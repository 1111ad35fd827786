// Signaling configuration, read once at cold start; fails fast with a ConfigError.

import type { AuthorizerConfig } from '../authorizer/config';
import { loadAuthorizerConfig } from '../authorizer/config';
import type { Env } from '../shared/config';
import { ConfigError, integerEnv, requireEnv } from '../shared/config';
import { AuthorizerEnv } from '../authorizer/env';
import { DEFAULT_MAX_CONNECTIONS_PER_USER, SignalingEnv } from './env';

/** Where open sockets live and how to reach them: all a socket closer needs. */
export interface ConnectionsConfig {
  readonly connectionsTable: string;
  readonly connectionsEndpoint: string;
}

/** The message handler also verifies tokens (`reauth`) and reads the deny-list, like the authorizer. */
export interface SignalingConfig extends ConnectionsConfig {
  readonly auth: AuthorizerConfig;
  /** Most sockets one user may have open at once. */
  readonly maxConnectionsPerUser: number;
}

export function loadConnectionsConfig(env: Env): ConnectionsConfig {
  const connectionsEndpoint = requireEnv(env, SignalingEnv.connectionsEndpoint);
  if (!/^https?:\/\/[^/]+/.test(connectionsEndpoint)) {
    throw new ConfigError(`${SignalingEnv.connectionsEndpoint} must be an http(s) URL`);
  }
  return { connectionsTable: requireEnv(env, SignalingEnv.connectionsTable), connectionsEndpoint };
}

export function loadSignalingConfig(env: Env): SignalingConfig {
  return {
    ...loadConnectionsConfig(env),
    auth: loadAuthorizerConfig(env),
    maxConnectionsPerUser: integerEnv(
      env,
      SignalingEnv.maxConnectionsPerUser,
      DEFAULT_MAX_CONNECTIONS_PER_USER,
      {
        min: 1,
        max: 1000,
      },
    ),
  };
}

/** The sweep reads the deny-list too: a revoked socket whose push-close failed is closed within a minute. */
export interface SweepConfig extends ConnectionsConfig {
  readonly revocationTable: string;
}

export function loadSweepConfig(env: Env): SweepConfig {
  return { ...loadConnectionsConfig(env), revocationTable: requireEnv(env, AuthorizerEnv.revocationTable) };
}
