// Scheduled sweep (EventBridge, every minute): closes sockets whose token expired, even if they never send again.

import { ApiGatewayConnectionSender } from '../adapters/api-gateway-connection-sender';
import { DynamoConnectionStore } from '../adapters/dynamo-connection-store';
import { createObservability } from '../shared/observability';
import { systemClock } from '../shared/ports';
import { loadConnectionsConfig } from './config';
import { performEffects } from './effects';
import { sweep } from './signaling';

const config = loadConnectionsConfig(process.env);
const obs = createObservability('signaling-sweep');
const connections = new DynamoConnectionStore(config.connectionsTable);
const sender = new ApiGatewayConnectionSender(config.connectionsEndpoint);

export const handler = async (): Promise<{ closed: number }> => {
  const effects = await sweep(connections, systemClock);
  await performEffects(effects, { sender, connections, obs });
  if (effects.close.length > 0) obs.logger.info('sweep closed expired sockets', { event: 'ws_sweep', closed: effects.close.length });
  return { closed: effects.close.length };
};
