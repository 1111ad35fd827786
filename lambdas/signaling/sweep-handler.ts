// Scheduled sweep (EventBridge, every minute): closes sockets whose token expired or was revoked, even if silent.

import { countColdStart, createObservability } from '../shared/observability';
import { systemClock } from '../shared/ports';
import { loadSweepConfig } from './config';
import { buildCheckedConnections, buildEffectPorts } from './deps';
import { performEffects, recordSignalingFailure } from './effects';
import { sweep } from './signaling';

const config = loadSweepConfig(process.env);
const obs = createObservability('signaling-sweep');
const ports = buildEffectPorts(config, obs);
const checked = buildCheckedConnections(config, config.revocationTable);

export const handler = async (): Promise<{ closed: number; skipped: number }> => {
  countColdStart(obs);
  const { effects, skipped } = await sweep(checked, systemClock);
  await performEffects(effects, ports);
  // Rows it could not read (unprocessed after retries, unreadable) wait for their next frame or the next run.
  if (skipped > 0) recordSignalingFailure(obs, 'ERR_SWEEP_SKIPPED', { skipped });
  if (effects.close.length > 0)
    obs.logger.info('sweep closed sockets', { event: 'ws_sweep', closed: effects.close.length });
  return { closed: effects.close.length, skipped };
};
