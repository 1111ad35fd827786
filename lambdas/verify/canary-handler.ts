// Revocation canary (EventBridge schedule): runs the `npm run verify` journey against its own stack, one metric per check.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { MetricDimension, MetricName } from '../shared/metric-names';
import { countColdStart, createObservability } from '../shared/observability';
import { loadCanaryDeployment } from './config';
import { buildJourneyDeps } from './deps';
import { runJourney } from './journey';
import { tamperedTokenForge } from './tampered-token-forge';

const deployment = loadCanaryDeployment(process.env);
const obs = createObservability('verify-canary');
const deps = buildJourneyDeps(deployment, tamperedTokenForge);

export const handler = async (): Promise<{ passed: number; failed: number }> => {
  countColdStart(obs);
  // One repetition per probe: fewer AuthDenied data points per run (see docs/verify.md, cost and noise).
  const report = await runJourney(deployment, deps, { repetitions: 1 });
  for (const check of report.checks) {
    // The reason never contains a token (see CheckResult).
    obs.logger[check.passed ? 'info' : 'error']('verify check', { event: 'verify_check', ...check });
    obs.metrics
      .singleMetric()
      .addDimension(MetricDimension.Check, check.name)
      .addMetric(MetricName.VerifyCheckFailed, MetricUnit.Count, check.passed ? 0 : 1);
  }
  const failed = report.checks.filter((check) => !check.passed).length;
  obs.metrics.addMetric(MetricName.VerifyChecksFailed, MetricUnit.Count, failed);
  obs.metrics.publishStoredMetrics();
  obs.logger.info('verify journey', {
    event: 'verify_journey',
    passed: report.checks.length - failed,
    failed,
    revocationDelayMs: report.revocationDelayMs,
  });
  return { passed: report.checks.length - failed, failed };
};
