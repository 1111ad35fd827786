// Performs the signaling core's effects: frames first, then closes; a gone socket's stale row is dropped.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SignalingFailureReason } from '../shared/metric-names';
import { MetricDimension, MetricName } from '../shared/metric-names';
import type { Observability } from '../shared/observability';
import type { Effects } from './signaling';
import { onDisconnect } from './signaling';
import type { ConnectionSender, ConnectionStore } from './ports';

export interface EffectPorts {
  readonly sender: ConnectionSender;
  readonly connections: ConnectionStore;
  readonly obs: Observability;
}

/**
 * Sends every frame in order, then closes sockets (one `SocketsClosed{Cause}` each). One frame that cannot be
 * posted (other than 410 Gone) is logged and counted and never keeps the others from their frames.
 */
export async function performEffects(effects: Effects, ports: EffectPorts): Promise<void> {
  const gone = new Set<string>();
  for (const { to, frame } of effects.outbound) {
    if (gone.has(to)) continue;
    try {
      if (!(await ports.sender.send(to, frame))) gone.add(to);
    } catch (error) {
      recordSignalingFailure(
        ports.obs,
        'ERR_SEND_FAILED',
        { connectionId: to, frameType: frame.type },
        error,
      );
    }
  }
  for (const { connectionId, cause } of effects.close) {
    try {
      if (!gone.has(connectionId) && !(await ports.sender.close(connectionId))) gone.add(connectionId);
    } catch (error) {
      recordSignalingFailure(ports.obs, 'ERR_SEND_FAILED', { connectionId, frameType: 'close' }, error);
      continue;
    }
    ports.obs.metrics
      .singleMetric()
      .addDimension(MetricDimension.Cause, cause)
      .addMetric(MetricName.SocketsClosed, MetricUnit.Count, 1);
  }
  // 410 Gone: the socket closed without a `$disconnect` we saw (yet). Handled as that `$disconnect`: its row, room
  // membership and place in its user's count go, and its room is told (its own `$disconnect` then finds nothing).
  for (const connectionId of gone) {
    let left: Effects;
    try {
      left = await onDisconnect(connectionId, ports.connections);
    } catch (error) {
      // Best effort: TTL drops the row, and a user's socket count heals itself when it is full (see the store).
      recordSignalingFailure(
        ports.obs,
        'ERR_STORE_UNAVAILABLE',
        { connectionId, step: 'forget-gone' },
        error,
      );
      continue;
    }
    await performEffects(left, ports); // ends: each round deletes the rows it found gone
  }
}

/** One `ws_failure` line (reason, where, the error's name; never a frame body) and one `SignalingFailures{Reason}`. */
export function recordSignalingFailure(
  obs: Observability,
  reason: SignalingFailureReason,
  facts: Readonly<Record<string, string | number | undefined>>,
  error?: unknown,
): void {
  obs.logger.error('signaling failure', {
    event: 'ws_failure',
    reason,
    ...facts,
    ...(error === undefined
      ? {}
      : {
          errorName: error instanceof Error ? error.name : typeof error,
          errorMessage: error instanceof Error ? error.message : undefined,
        }),
  });
  obs.metrics
    .singleMetric()
    .addDimension(MetricDimension.Reason, reason)
    .addMetric(MetricName.SignalingFailures, MetricUnit.Count, 1);
}
