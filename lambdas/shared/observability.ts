// Powertools Logger + Metrics created once per function, and the one auth-failure log line (never a raw token).

import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, METRIC_SERVICE, MetricDimension, MetricName } from './metric-names';
import type { ReasonCode, RevocationScope } from './reasons';

export interface Observability {
  /** The function's name in logs and in the `Function` metric dimension. */
  readonly serviceName: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * Call once at module scope of each function. Logs carry the function's `serviceName`; metrics carry the fixed
 * METRIC_SERVICE dimension (bounded cardinality, one series per reason/scope/cause across functions), and the
 * cold-start metric carries the function name.
 */
export function createObservability(serviceName: string): Observability {
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({
    namespace: METRIC_NAMESPACE,
    serviceName: METRIC_SERVICE,
    functionName: serviceName,
  });
  return { serviceName, logger, metrics };
}

/** Call at the start of every invocation: emits `ColdStart{function_name}` on the first one only (Powertools tracks it). */
export function countColdStart(obs: Observability): void {
  obs.metrics.captureColdStartMetric();
}

/** First 12 hex chars of SHA-256: lets operators correlate a token across lines without logging it. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

export interface DeniedRequest {
  readonly reason: ReasonCode;
  readonly scope?: RevocationScope;
  readonly route: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly sub?: string;
  readonly jti?: string;
  readonly sessionId?: string;
  /** Why, in words, when the reason code alone is not clear (e.g. "token in query string"). */
  readonly detail?: string;
  /** The raw token, only to compute its fingerprint; never logged. */
  readonly token?: string;
}

/**
 * One `auth_denied` line and one `AuthDenied` datapoint per denial, in two dimension sets: `{Reason}` (what) and
 * `{Function}` (where; lets alarms tell an authorizer's denials from its crashes, as Lambda counts both as Errors).
 */
export function recordDenied(obs: Observability, denied: DeniedRequest): void {
  const { token, ...fields } = denied;
  obs.logger.warn('auth denied', {
    event: 'auth_denied',
    ...fields,
    ...(token ? { tokenFingerprint: tokenFingerprint(token) } : {}),
  });
  obs.metrics
    .singleMetric()
    .addDimension(MetricDimension.Reason, denied.reason)
    .addDimensions({ [MetricDimension.Function]: obs.serviceName })
    .addMetric(MetricName.AuthDenied, MetricUnit.Count, 1);
}

/** Monitor mode: one `would_deny` line and one `WouldDeny{Reason}` metric for a revoked token that was let through. */
export function recordWouldDeny(obs: Observability, denied: DeniedRequest): void {
  const { token, ...fields } = denied;
  obs.logger.warn('would deny (monitor mode)', {
    event: 'would_deny',
    ...fields,
    ...(token ? { tokenFingerprint: tokenFingerprint(token) } : {}),
  });
  obs.metrics
    .singleMetric()
    .addDimension(MetricDimension.Reason, denied.reason)
    .addMetric(MetricName.WouldDeny, MetricUnit.Count, 1);
}

/** One `AuthAllowed` metric. */
export function recordAllowed(obs: Observability): void {
  obs.metrics.singleMetric().addMetric(MetricName.AuthAllowed, MetricUnit.Count, 1);
}
