// Operations view of the guard: alarms to an encrypted SNS topic, one dashboard, saved Logs Insights queries.
import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import {
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  MetricDimension,
  MetricName,
  SIGNALING_FAILURE_REASONS,
} from '../../lambdas/shared/metric-names';
import { REASON_CODES, REVOCATION_SCOPES, type ReasonCode } from '../../lambdas/shared/reasons';

/** Logs Insights: which reasons deny most (every function logs one `auth_denied` line per denial). */
export const TOP_DENIAL_REASONS_QUERY = [
  'fields @timestamp, reason',
  '| filter event = "auth_denied"',
  '| stats count(*) as denials by reason',
  '| sort denials desc',
].join('\n');

/** Logs Insights: who gets denied most, and for how many different reasons (scanners try many). */
export const DENIALS_BY_SOURCE_IP_QUERY = [
  'fields @timestamp, sourceIp, reason',
  '| filter event = "auth_denied"',
  '| stats count(*) as denials, count_distinct(reason) as reasons by sourceIp',
  '| sort denials desc',
  '| limit 50',
].join('\n');

/** Logs Insights: who revoked what (the `revoked` line of every revocation: logout, admin, refresh reuse). */
export const REVOCATIONS_BY_ACTOR_QUERY = [
  'fields @timestamp, actor, scope, reason, sub',
  '| filter event = "revoked"',
  '| stats count(*) as revocations by actor, scope, reason',
  '| sort revocations desc',
].join('\n');

/** Infrastructure outages: the guard fails closed, so every one of these is a denied legitimate user. */
export const OUTAGE_REASONS: readonly ReasonCode[] = ['ERR_STORE_UNAVAILABLE', 'ERR_JWKS_UNAVAILABLE'];

/**
 * Challenges and limits a working client meets and answers (RFC 9470 step-up: sign in again; the per-user socket
 * cap: close a tab): not an attack signal.
 */
export const EXPECTED_CHALLENGES: readonly ReasonCode[] = [
  'ERR_STEP_UP_REQUIRED',
  'ERR_TOO_MANY_CONNECTIONS',
];

/** Client-caused reasons summed by the AuthDenied spike alarm (10: the most metrics one alarm may read). */
export const SPIKE_REASONS: readonly ReasonCode[] = REASON_CODES.filter(
  (reason) => !OUTAGE_REASONS.includes(reason) && !EXPECTED_CHALLENGES.includes(reason),
);

/** A function the guard runs; NodeFunction satisfies it. */
export interface MonitoredFunction {
  readonly function: lambda.IFunction;
  /** Powertools service name: the `Function` dimension of the AuthDenied it emits. */
  readonly serviceName: string;
  readonly logGroup: logs.ILogGroup;
}

export interface MonitoringProps {
  /** Lambda authorizers: Errors that are not denials, and Throttles, page. */
  readonly authorizers: readonly MonitoredFunction[];
  /**
   * The authorizers among them that deny by throwing 'Unauthorized' (the WebSocket `$connect` one: its only way to
   * answer 401), which Lambda counts as Errors; their denials are subtracted. The REST authorizer returns a Deny
   * policy instead. @default - none
   */
  readonly throwingAuthorizers?: readonly MonitoredFunction[];
  /** Every function whose logs the saved queries read (include the authorizers). */
  readonly functions: readonly MonitoredFunction[];
  /** The REST API stage whose 5XX answers page. */
  readonly restStage: apigateway.Stage;
  /** Tables whose throttling pages, by a stable name used in construct ids and labels. */
  readonly tables: Readonly<Record<string, dynamodb.ITable>>;
  /** Subscribed to the alarm topic. @default - no subscription */
  readonly alarmEmail?: string;
  /** Client-caused denials per period that page. @default 100 */
  readonly authDeniedThreshold?: number;
  /** Period of the AuthDenied spike alarm. @default Duration.minutes(5) */
  readonly authDeniedPeriod?: Duration;
}

const PERIOD = Duration.minutes(5);

export class Monitoring extends Construct {
  /** Every alarm notifies this topic (alarm and OK). */
  public readonly topic: sns.Topic;
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the cognito-guard alarm topic',
      enableKeyRotation: true,
    });
    // CloudWatch publishes alarm notifications as its service principal; an encrypted topic needs it in the key
    // policy (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
    const cloudwatchPrincipal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    key.grant(cloudwatchPrincipal, 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
    // enforceSSL makes a topic policy that replaces the default one, so the topic policy must allow CloudWatch
    // itself, scoped to this account's alarms against the confused deputy
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html).
    const { account, region, partition } = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [cloudwatchPrincipal],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const spikePeriod = props.authDeniedPeriod ?? PERIOD;
    const spike = new cloudwatch.MathExpression({
      expression: SPIKE_REASONS.map((_, i) => `FILL(m${i}, 0)`).join(' + '),
      usingMetrics: Object.fromEntries(
        SPIKE_REASONS.map((reason, i) => [`m${i}`, authDenied(reason, spikePeriod)]),
      ),
      label: 'AuthDenied (client-caused reasons)',
      period: spikePeriod,
    });
    this.alarm(
      'AuthDeniedSpike',
      spike,
      props.authDeniedThreshold ?? 100,
      'Spike of denied requests: attack or broken client',
    );
    for (const reason of OUTAGE_REASONS) {
      this.alarm(
        pascal(reason),
        authDenied(reason, Duration.minutes(1)),
        1,
        `${reason}: the guard is failing closed`,
      );
    }
    this.alarm(
      'RefreshReuseDetected',
      customMetric(MetricName.RefreshReuseDetected, {}, Duration.minutes(1)),
      1,
      'A rotated refresh token was replayed: session revoked',
    );
    this.alarm(
      'RevocationWritesFailed',
      customMetric(MetricName.RevocationWritesFailed, {}, Duration.minutes(1)),
      1,
      'A revocation was not stored on the deny-list: the session was ended, its access tokens may work until exp',
    );
    this.alarm(
      'DenyListFolded',
      customMetric(MetricName.DenyListFolded, {}, Duration.minutes(1)),
      1,
      "A user's deny-list item passed its size budget: that user was revoked everywhere (fold)",
    );

    for (const fn of props.authorizers) {
      const name = pascal(fn.serviceName);
      // Lambda counts every `throw new Error('Unauthorized')` (a denial) as an Error: page on the rest only.
      const crashes = props.throwingAuthorizers?.includes(fn)
        ? new cloudwatch.MathExpression({
            expression: 'FILL(errors, 0) - FILL(denied, 0)',
            usingMetrics: {
              errors: fn.function.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
              denied: customMetric(
                MetricName.AuthDenied,
                { [MetricDimension.Function]: fn.serviceName },
                PERIOD,
              ),
            },
            label: `${fn.serviceName} errors that are not denials`,
            period: PERIOD,
          })
        : fn.function.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM });
      this.alarm(`${name}Errors`, crashes, 1, `${fn.serviceName} failed (crash, timeout), not a denial`);
      this.alarm(
        `${name}Throttles`,
        fn.function.metricThrottles({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
        1,
        `${fn.serviceName} throttled: requests denied`,
      );
    }

    const serverErrors = props.restStage.metricServerError({
      period: PERIOD,
      statistic: cloudwatch.Stats.SUM,
    });
    this.alarm('RestApi5XX', serverErrors, 1, 'REST API answered 5XX (handler or authorizer failure)');

    const tableThrottles = Object.entries(props.tables).map(([name, table]) => {
      const throttles = new cloudwatch.MathExpression({
        // Ids unique per table: the dashboard graphs every table's expression together.
        expression: `FILL(reads${name}, 0) + FILL(writes${name}, 0)`,
        usingMetrics: {
          [`reads${name}`]: table.metric('ReadThrottleEvents', {
            period: PERIOD,
            statistic: cloudwatch.Stats.SUM,
          }),
          [`writes${name}`]: table.metric('WriteThrottleEvents', {
            period: PERIOD,
            statistic: cloudwatch.Stats.SUM,
          }),
        },
        label: `${name} throttle events`,
        period: PERIOD,
      });
      this.alarm(
        `${name}TableThrottles`,
        throttles,
        1,
        `${name} table throttled: the functions that read it fail closed`,
      );
      return throttles;
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    const graph = (title: string, left: cloudwatch.IMetric[]) =>
      new cloudwatch.GraphWidget({ title, left, width: 12, height: 6 });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }),
      graph(
        'AuthDenied by reason',
        REASON_CODES.map((reason) => authDenied(reason, PERIOD)),
      ),
      graph('AuthAllowed vs client-caused denials', [
        customMetric(MetricName.AuthAllowed, {}, PERIOD),
        spike,
      ]),
      graph('WouldDeny (monitor mode) by reason', [search(MetricName.WouldDeny, MetricDimension.Reason)]),
      graph('TokensRevoked by scope, refresh reuse', [
        ...REVOCATION_SCOPES.map((scope) =>
          customMetric(MetricName.TokensRevoked, { [MetricDimension.Scope]: scope }, PERIOD),
        ),
        customMetric(MetricName.RefreshReuseDetected, {}, PERIOD),
        customMetric(MetricName.RevocationWritesFailed, {}, PERIOD),
        customMetric(MetricName.DenyListFolded, {}, PERIOD),
      ]),
      graph('SocketsClosed by cause', [search(MetricName.SocketsClosed, MetricDimension.Cause)]),
      graph(
        'SignalingFailures by reason',
        SIGNALING_FAILURE_REASONS.map((reason) =>
          customMetric(MetricName.SignalingFailures, { [MetricDimension.Reason]: reason }, PERIOD),
        ),
      ),
      graph(
        'Authorizers: errors, throttles',
        props.authorizers.flatMap((fn) => [
          fn.function.metricErrors({ period: PERIOD }),
          fn.function.metricThrottles({ period: PERIOD }),
        ]),
      ),
      graph(
        'Authorizers: duration p99',
        props.authorizers.map((fn) => fn.function.metricDuration({ period: PERIOD, statistic: 'p99' })),
      ),
      graph('REST API: 4XX, 5XX', [
        props.restStage.metricClientError({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
        serverErrors,
      ]),
      graph('DynamoDB throttle events', tableThrottles),
    );

    const logGroupNames = [...new Set(props.functions.map((fn) => fn.logGroup.logGroupName))];
    const queries: Record<string, string> = {
      TopDenialReasons: TOP_DENIAL_REASONS_QUERY,
      DenialsBySourceIp: DENIALS_BY_SOURCE_IP_QUERY,
      RevocationsByActor: REVOCATIONS_BY_ACTOR_QUERY,
    };
    for (const [name, queryString] of Object.entries(queries)) {
      // L1: the L2 QueryDefinition rebuilds the text from parts; the README prints these exact strings.
      new logs.CfnQueryDefinition(this, `${name}Query`, {
        name: `cognito-guard/${name}`,
        queryString,
        logGroupNames,
      });
    }
  }

  /** Wires an alarm made elsewhere (the canary's) like the guard's own: topic on alarm and OK, dashboard status. */
  public addAlarm(alarm: cloudwatch.Alarm): void {
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }

  private alarm(id: string, metric: cloudwatch.IMetric, threshold: number, description: string): void {
    const alarm = new cloudwatch.Alarm(this, `${id}Alarm`, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

/** A custom metric of the guard, always with the fixed `service` dimension Powertools adds. */
function customMetric(name: string, dimensions: Record<string, string>, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: name,
    dimensionsMap: { [MetricDimension.Service]: METRIC_SERVICE, ...dimensions },
    statistic: cloudwatch.Stats.SUM,
    period,
  });
}

function authDenied(reason: ReasonCode, period: Duration): cloudwatch.Metric {
  return customMetric(MetricName.AuthDenied, { [MetricDimension.Reason]: reason }, period).with({
    label: reason,
  });
}

/** Dashboards only (alarms cannot use SEARCH): one line per value of an open-ended dimension. */
function search(name: string, dimension: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRIC_NAMESPACE},${MetricDimension.Service},${dimension}} MetricName="${name}"', 'Sum', ${PERIOD.toSeconds()})`,
    label: name,
    period: PERIOD,
  });
}

/** `ERR_STORE_UNAVAILABLE` -> `ErrStoreUnavailable`, `connect-authorizer` -> `ConnectAuthorizer`. */
function pascal(name: string): string {
  return name
    .toLowerCase()
    .split(/[_-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
