// Scheduled sweep (EventBridge, every minute): closes sockets whose token expired, even if they never send again.

import { countColdStart, createObservability } from '../shared/observability';
import { systemClock } from '../shared/ports';
import { loadConnectionsConfig } from './config';
import { buildEffectPorts } from './deps';
import { performEffects } from './effects';
import { sweep } from './signaling';

const config = loadConnectionsConfig(process.env);
const obs = createObservability('signaling-sweep');
const ports = buildEffectPorts(config, obs);

export const handler = async (): Promise<{ closed: number }> => {
  countColdStart(obs);
  const effects = await sweep(ports.connections, systemClock);
  await performEffects(effects, ports);
  if (effects.close.length > 0)
    obs.logger.info('sweep closed expired sockets', { event: 'ws_sweep', closed: effects.close.length });
  return { closed: effects.close.length };
};
