// Cold-start wiring of events out: the publisher the env names (bus or file) behind the never-throwing listener.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgePublisher } from '../adapters/eventbridge-publisher';
import { JsonLinesPublisher } from '../adapters/json-lines-publisher';
import type { Env } from '../shared/config';
import { ConfigError, optionalEnv, requireEnv } from '../shared/config';
import { MetricName } from '../shared/metric-names';
import type { Observability } from '../shared/observability';
import type { PublishFailureReporter, RevocationPublisher } from '../shared/revocation-events';
import { RevocationEventPublishing } from '../shared/revocation-events';
import type { RevocationListener } from '../shared/revocation-service';
import { EventsEnv } from './env';

/** Logs one `revocation_event_publish_failed` line (ids only, never a token) and counts `RevocationEventsFailed`. */
export function publishFailureReporter(obs: Observability): PublishFailureReporter {
  return {
    publishFailed(event, error, attempts) {
      obs.logger.error('revocation event not published', {
        event: 'revocation_event_publish_failed',
        detailType: event.detailType,
        sub: event.detail.sub,
        ...(event.detail.jti ? { jti: event.detail.jti } : {}),
        ...(event.detail.sessionId ? { sessionId: event.detail.sessionId } : {}),
        attempts,
        error: error instanceof Error ? error.message : String(error),
      });
      obs.metrics.singleMetric().addMetric(MetricName.RevocationEventsFailed, MetricUnit.Count, 1);
    },
  };
}

/**
 * The listeners that publish revocations: one when the env names a bus (AWS) or a file (offline), none when it
 * names neither (publishing is then off for this function). Both set is a ConfigError.
 */
export function buildRevocationPublishing(env: Env, obs: Observability): RevocationListener[] {
  const bus = optionalEnv(env, EventsEnv.eventBusName);
  const file = optionalEnv(env, EventsEnv.eventsFile);
  if (bus && file) {
    throw new ConfigError(`set one of ${EventsEnv.eventBusName} and ${EventsEnv.eventsFile}, not both`);
  }
  if (!bus && !file) return [];
  const publisher: RevocationPublisher = bus
    ? new EventBridgePublisher(bus)
    : new JsonLinesPublisher({ file: file as string, region: requireEnv(env, 'AWS_REGION') });
  const issuer = requireEnv(env, EventsEnv.issuer);
  return [new RevocationEventPublishing(publisher, publishFailureReporter(obs), { issuer })];
}
