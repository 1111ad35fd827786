// RevocationListener that makes every revocation visible: `revoked` log line, `TokensRevoked{Scope}`, folds, failures.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { MetricDimension, MetricName } from './metric-names';
import type { Observability } from './observability';
import type { RevocationKey, RevocationRecord } from './ports';
import type { RevocationListener } from './revocation-service';
import { FOLD_REASON } from './revocation-service';

/** Pass to `new RevocationService(writer, clock, config, [new RevocationRecorder(obs), ...])` in every revoking function. */
export class RevocationRecorder implements RevocationListener {
  constructor(private readonly obs: Observability) {}

  /** Logs who revoked what and why (the "revocations by actor" query reads these fields); never a token. */
  async revoked(key: RevocationKey, record: RevocationRecord): Promise<void> {
    this.obs.logger.info('revoked', {
      event: 'revoked',
      ...revocationFields(key, record),
      revokedAt: record.revokedAt,
      expiresAt: record.expiresAt,
    });
    this.obs.metrics
      .singleMetric()
      .addDimension(MetricDimension.Scope, record.scope)
      .addMetric(MetricName.TokensRevoked, MetricUnit.Count, 1);
    if (record.reason === FOLD_REASON) {
      this.obs.metrics.singleMetric().addMetric(MetricName.DenyListFolded, MetricUnit.Count, 1);
    }
  }

  /** A revocation that could not be stored: one `revocation_not_stored` line and `RevocationWritesFailed` (alarmed). */
  async notStored(key: RevocationKey, record: RevocationRecord, error: unknown): Promise<void> {
    const { name, message } = error instanceof Error ? error : new Error('non-error thrown');
    this.obs.logger.error('revocation not stored', {
      event: 'revocation_not_stored',
      ...revocationFields(key, record),
      errorName: name,
      errorMessage: message,
    });
    this.obs.metrics.singleMetric().addMetric(MetricName.RevocationWritesFailed, MetricUnit.Count, 1);
  }
}

/** Who revoked what and why, as both log lines name it: scope, actor, reason, user and the jti or session id. */
function revocationFields(key: RevocationKey, record: RevocationRecord): Record<string, unknown> {
  return {
    scope: record.scope,
    actor: record.actor,
    reason: record.reason,
    sub: record.sub,
    ...(key.scope === 'token' ? { jti: key.jti } : {}),
    ...(key.scope === 'session' ? { sessionId: key.sessionId } : {}),
  };
}
