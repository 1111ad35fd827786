// Builds the connections store + @connections sender once per cold start, for the signaling functions and socket closers.

import { ApiGatewayConnectionSender } from '../adapters/api-gateway-connection-sender';
import { DynamoConnectionStore } from '../adapters/dynamo-connection-store';
import type { Observability } from '../shared/observability';
import type { ConnectionsConfig } from './config';
import type { EffectPorts } from './effects';
import { SocketCloser } from './socket-closer';

export function buildEffectPorts(config: ConnectionsConfig, obs: Observability): EffectPorts {
  return {
    connections: new DynamoConnectionStore(config.connectionsTable),
    sender: new ApiGatewayConnectionSender(config.connectionsEndpoint),
    obs,
  };
}

/**
 * The RevocationListener for every function that revokes (logout, logout-all, admin, refresh reuse):
 * `new RevocationService(writer, clock, config, [buildSocketCloser(loadConnectionsConfig(process.env), obs)])`.
 */
export function buildSocketCloser(config: ConnectionsConfig, obs: Observability): SocketCloser {
  return new SocketCloser(buildEffectPorts(config, obs));
}
