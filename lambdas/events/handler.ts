// EventBridge target for Cognito changes recorded by CloudTrail: revoke the user, close sockets, publish the event.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoRevocationStore } from '../adapters/dynamo-revocation-store';
import { MetricName } from '../shared/metric-names';
import { countColdStart, createObservability } from '../shared/observability';
import { systemClock } from '../shared/ports';
import { RevocationRecorder } from '../shared/revocation-metrics';
import { RevocationService } from '../shared/revocation-service';
import { loadConnectionsConfig } from '../signaling/config';
import { buildSocketCloser } from '../signaling/deps';
import { applyCognitoChange, UnattributableChangeError } from './cognito-changes';
import { loadCognitoEventsConfig } from './config';
import { buildRevocationPublishing } from './publishing';

const config = loadCognitoEventsConfig(process.env);
const obs = createObservability('cognito-events');
const deps = {
  userPoolId: config.userPoolId,
  revocations: new RevocationService(
    new DynamoRevocationStore(config.revocationTable),
    systemClock,
    { refreshTokenValiditySeconds: config.refreshTokenValiditySeconds },
    [
      new RevocationRecorder(obs),
      buildSocketCloser(loadConnectionsConfig(process.env), obs),
      ...buildRevocationPublishing(process.env, obs),
    ],
  ),
};

/** One CloudTrail event per invocation. Throws on a store failure or an unattributable call (retry, then DLQ). */
export const handler = async (event: unknown): Promise<void> => {
  countColdStart(obs);
  try {
    const outcome = await applyCognitoChange(event, deps);
    if (outcome.kind === 'ignored') {
      obs.logger.debug('cognito event ignored', { event: 'cognito_change_ignored', ...outcome });
      return;
    }
    const { change } = outcome;
    obs.logger.info('cognito change revoked', {
      event: 'cognito_change_revoked',
      call: change.call,
      sub: change.sub,
      actor: change.actor,
      changedAt: change.changedAt,
      notBefore: outcome.notBefore,
      eventId: change.eventId,
    });
    obs.metrics.singleMetric().addMetric(MetricName.CognitoChangesRevoked, MetricUnit.Count, 1);
  } catch (error) {
    obs.logger.error('cognito change not applied', {
      event: 'cognito_change_failed',
      ...(error instanceof UnattributableChangeError ? { call: error.call } : {}),
      error: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
};
