// Performs the signaling core's effects: frames first, then closes; a gone socket's stale row is dropped.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { MetricDimension, MetricName } from '../shared/metric-names';
import type { Observability } from '../shared/observability';
import type { Effects } from './signaling';
import type { ConnectionSender, ConnectionStore } from './ports';

export interface EffectPorts {
  readonly sender: ConnectionSender;
  readonly connections: ConnectionStore;
  readonly obs: Observability;
}

/** Sends every frame in order, then closes sockets (one `SocketsClosed{Cause}` each). */
export async function performEffects(effects: Effects, ports: EffectPorts): Promise<void> {
  const gone = new Set<string>();
  for (const { to, frame } of effects.outbound) {
    if (gone.has(to)) continue;
    if (!(await ports.sender.send(to, frame))) gone.add(to);
  }
  for (const { connectionId, cause } of effects.close) {
    if (!gone.has(connectionId) && !(await ports.sender.close(connectionId))) gone.add(connectionId);
    ports.obs.metrics
      .singleMetric()
      .addDimension(MetricDimension.Cause, cause)
      .addMetric(MetricName.SocketsClosed, MetricUnit.Count, 1);
  }
  // 410 Gone: the socket closed without a `$disconnect` we saw; its row and membership would linger until TTL.
  for (const connectionId of gone) {
    const row = await ports.connections.delete(connectionId);
    if (row?.room) await ports.connections.removeMember(row.room, connectionId);
  }
}
