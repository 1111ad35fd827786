// Revocation canary: the `npm run verify` journey on a schedule, a metric per check, one alarm on any failure.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as path from 'node:path';
import {
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  MetricDimension,
  MetricName,
} from '../../lambdas/shared/metric-names';
import { VerifyEnv } from '../../lambdas/verify/env';
import type { Monitoring } from './monitoring';
import { NodeFunction } from './node-function';
import type { VerificationAccess } from './verification-access';

export interface CanaryProps {
  /** How often the journey runs (1..720 minutes). */
  readonly everyMinutes: number;
  /** The client, user and secret it signs in with. */
  readonly verification: VerificationAccess;
  readonly userPoolId: string;
  /** REST API and signaling WebSocket base URLs of this stack. */
  readonly apiUrl: string;
  readonly wsUrl: string;
  /** What the stack was deployed with; the journey fails unless `enforce` and 0. */
  readonly enforcementMode: string;
  readonly authorizerCacheTtlSeconds: number;
  /** The stage's device binding mode: the journey's binding checks run in `enforce`, are skipped otherwise. */
  readonly deviceBinding: string;
  /** Where the stage remembers used proof ids: the replayed-proof check runs only with `table`. */
  readonly replayGuard: string;
  /** Its alarm notifies this topic and shows on this dashboard. */
  readonly monitoring: Monitoring;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export class Canary extends Construct {
  public readonly function: NodeFunction;
  public readonly schedule: events.Rule;
  /** "Revocation is not being enforced": any failed check, or no run at all, within two schedule periods. */
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: CanaryProps) {
    super(scope, id);
    this.function = new NodeFunction(this, 'Function', {
      entry: path.join(__dirname, '..', '..', 'lambdas', 'verify', 'canary-handler.ts'),
      serviceName: 'verify-canary',
      description: 'Revocation canary: signs in, logs out, proves revoked tokens and sockets are refused',
      // The journey: ~20 requests, a 2 s socket wait and, when revocation fails, 10 s of polling.
      timeout: Duration.seconds(60),
      logRetention: props.logRetention,
      environment: {
        [VerifyEnv.apiUrl]: props.apiUrl,
        [VerifyEnv.wsUrl]: props.wsUrl,
        [VerifyEnv.userPoolId]: props.userPoolId,
        [VerifyEnv.verifyClientId]: props.verification.client.userPoolClientId,
        [VerifyEnv.secretArn]: props.verification.secret.secretArn,
        [VerifyEnv.enforcementMode]: props.enforcementMode,
        [VerifyEnv.authorizerCacheTtlSeconds]: String(props.authorizerCacheTtlSeconds),
        [VerifyEnv.deviceBinding]: props.deviceBinding,
        [VerifyEnv.replayGuard]: props.replayGuard,
      },
    });
    props.verification.grantSignIn(this.function);

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'Runs the revocation canary',
      schedule: events.Schedule.rate(Duration.minutes(props.everyMinutes)),
      targets: [new targets.LambdaFunction(this.function.function, { retryAttempts: 0 })],
    });

    // Two schedule periods: every window holds at least one run although the schedule and the periods drift.
    const period = Duration.minutes(2 * props.everyMinutes);
    const failures = new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: MetricName.VerifyChecksFailed,
      dimensionsMap: { [MetricDimension.Service]: METRIC_SERVICE },
      statistic: cloudwatch.Stats.MAXIMUM,
      period,
    });
    this.alarm = new cloudwatch.Alarm(this, 'RevocationNotEnforcedAlarm', {
      metric: failures,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // A canary that did not report proves nothing: silence pages too.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription:
        'Revocation is not being enforced (or the canary could not prove it): see docs/verify.md "When the canary alarm fires"',
    });
    props.monitoring.addAlarm(this.alarm);
    props.monitoring.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Revocation canary: failed checks',
        left: [
          new cloudwatch.MathExpression({
            expression: `SEARCH('{${METRIC_NAMESPACE},${MetricDimension.Service},${MetricDimension.Check}} MetricName="${MetricName.VerifyCheckFailed}"', 'Maximum', ${period.toSeconds()})`,
            label: MetricName.VerifyCheckFailed,
            period,
          }),
        ],
        width: 24,
        height: 6,
      }),
    );
  }
}
