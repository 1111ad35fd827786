// Builds the connections store, the both-ends reader and the @connections sender once per cold start.

import { ApiGatewayConnectionSender } from '../adapters/api-gateway-connection-sender';
import { DynamoCheckedConnections, DynamoConnectionStore } from '../adapters/dynamo-connection-store';
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

/** Rows and deny-list entries together: the signaling function and the sweep. */
export function buildCheckedConnections(
  config: ConnectionsConfig,
  revocationTable: string,
): DynamoCheckedConnections {
  return new DynamoCheckedConnections(config.connectionsTable, revocationTable);
}

/**
 * The RevocationListener for every function that revokes (logout, logout-all, admin, refresh reuse):
 * `new RevocationService(writer, clock, config, [buildSocketCloser(loadConnectionsConfig(process.env), obs)])`.
 */
export function buildSocketCloser(config: ConnectionsConfig, obs: Observability): SocketCloser {
  return new SocketCloser(buildEffectPorts(config, obs));
}
