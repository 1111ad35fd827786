// Monitoring: every alarm with its metric, threshold and SNS actions; topic, dashboard, queries, retention, mode.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApiEnv } from '../../lambdas/api/env';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import {
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  SIGNALING_FAILURE_REASONS,
} from '../../lambdas/shared/metric-names';
import { REASON_CODES } from '../../lambdas/shared/reasons';
import {
  DENIALS_BY_SOURCE_IP_QUERY,
  REVOCATIONS_BY_ACTOR_QUERY,
  SPIKE_REASONS,
  TOP_DENIAL_REASONS_QUERY,
} from '../../lib/constructs/monitoring';
import { GuardStack } from '../../lib/guard-stack';
import { loadStageConfig } from '../../lib/stage-config';
import { testApp } from './test-app';

interface Dimension {
  readonly Name: string;
  readonly Value: unknown;
}
interface MetricStat {
  readonly Metric: {
    readonly Namespace: string;
    readonly MetricName: string;
    readonly Dimensions: Dimension[];
  };
  readonly Period: number;
  readonly Stat: string;
}
interface AlarmProps {
  readonly AlarmActions: unknown[];
  readonly OKActions: unknown[];
  readonly Threshold: number;
  readonly ComparisonOperator: string;
  readonly TreatMissingData: string;
  readonly EvaluationPeriods: number;
  readonly Namespace?: string;
  readonly MetricName?: string;
  readonly Dimensions?: Dimension[];
  readonly Period?: number;
  readonly Metrics?: {
    readonly Id: string;
    readonly Expression?: string;
    readonly MetricStat?: MetricStat;
  }[];
}

function synth(stage: Record<string, unknown> = {}) {
  const stack = new GuardStack(testApp(), 'CognitoGuard', { config: loadStageConfig(stage) });
  return { stack, template: Template.fromStack(stack) };
}

const { stack, template } = synth();
const topicRef = { Ref: stack.getLogicalId(stack.monitoring.topic.node.defaultChild as never) };
const service = { Name: 'service', Value: METRIC_SERVICE };

/** The one alarm whose logical id starts with `Monitoring<id>Alarm`. */
function alarm(id: string): AlarmProps {
  const found = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([logicalId]) =>
    logicalId.startsWith(`Monitoring${id}Alarm`),
  );
  expect(found).toHaveLength(1);
  return found[0][1].Properties as AlarmProps;
}

function refOf(construct: { node: { defaultChild?: unknown } }) {
  return { Ref: stack.getLogicalId(construct.node.defaultChild as never) };
}

describe('Monitoring', () => {
  it("publishes alarms to a KMS-encrypted, TLS-only SNS topic whose policy lets this account's alarms publish", () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topicRef,
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':cloudwatch:',
                      { Ref: 'AWS::Region' },
                      ':',
                      { Ref: 'AWS::AccountId' },
                      ':alarm:*',
                    ],
                  ],
                },
              },
            },
          }),
        ]),
      },
      Topics: [topicRef],
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'Encrypts the cognito-guard alarm topic',
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  it('subscribes the alarm email only when the stage sets one', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    synth({ alarmEmail: 'oncall@example.com' }).template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
  });

  it('notifies the topic on alarm and on recovery, ignores missing data, for every alarm', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (r) => r.Properties as AlarmProps,
    );
    // spike, 2 outages, reuse, revocation writes failed, folds, 2 x (errors, throttles), 5XX, 3 tables; events: dead
    // letters, unpublished
    expect(alarms).toHaveLength(16);
    for (const props of alarms) {
      expect(props).toMatchObject({
        AlarmActions: [topicRef],
        OKActions: [topicRef],
        TreatMissingData: 'notBreaching',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
      });
    }
  });

  it('alarms on a spike of client-caused denials: the sum of ten AuthDenied{Reason} series, stage threshold and period', () => {
    const props = alarm('AuthDeniedSpike');
    expect(props.Threshold).toBe(100);
    const stats = props.Metrics!.filter((m) => m.MetricStat).map((m) => m.MetricStat!);
    expect(stats).toHaveLength(10); // CloudWatch's limit for one alarm
    expect(stats.map((s) => s.Metric.Dimensions.find((d) => d.Name === 'Reason')?.Value)).toEqual(
      SPIKE_REASONS,
    );
    for (const stat of stats) {
      expect(stat).toMatchObject({
        Period: 300,
        Stat: 'Sum',
        Metric: { Namespace: METRIC_NAMESPACE, MetricName: 'AuthDenied' },
      });
      expect(stat.Metric.Dimensions).toContainEqual(service);
    }
    const expression = props.Metrics!.find((m) => m.Expression)!.Expression!;
    for (const m of props.Metrics!.filter((q) => q.MetricStat))
      expect(expression).toContain(`FILL(${m.Id}, 0)`);

    const tuned = synth({ authDeniedAlarmThreshold: 7, authDeniedAlarmPeriodMinutes: 1 }).template;
    const [spike] = Object.entries(tuned.findResources('AWS::CloudWatch::Alarm'))
      .filter(([id]) => id.startsWith('MonitoringAuthDeniedSpikeAlarm'))
      .map(([, r]) => r.Properties as AlarmProps);
    expect(spike.Threshold).toBe(7);
    expect(spike.Metrics!.filter((m) => m.MetricStat).every((m) => m.MetricStat!.Period === 60)).toBe(true);
  });

  it('covers every reason code: ten in the spike, the two outages alarmed on their own, step-up and the socket cap expected', () => {
    expect(SPIKE_REASONS).toHaveLength(10);
    const others = [
      'ERR_STORE_UNAVAILABLE',
      'ERR_JWKS_UNAVAILABLE',
      'ERR_STEP_UP_REQUIRED',
      'ERR_TOO_MANY_CONNECTIONS',
    ];
    expect([...SPIKE_REASONS, ...others].sort()).toEqual([...REASON_CODES].sort());
  });

  it.each([
    ['ErrStoreUnavailable', 'ERR_STORE_UNAVAILABLE'],
    ['ErrJwksUnavailable', 'ERR_JWKS_UNAVAILABLE'],
  ])('alarms on any %s denial within a minute', (id, reason) => {
    const props = alarm(id);
    expect(props.Threshold).toBe(1);
    expect(props.Metrics).toEqual([
      expect.objectContaining({
        MetricStat: {
          Metric: {
            Namespace: METRIC_NAMESPACE,
            MetricName: 'AuthDenied',
            Dimensions: expect.arrayContaining([{ Name: 'Reason', Value: reason }, service]),
          },
          Period: 60,
          Stat: 'Sum',
        },
      }),
    ]);
  });

  it('alarms on any RefreshReuseDetected', () => {
    expect(alarm('RefreshReuseDetected')).toMatchObject({
      Namespace: METRIC_NAMESPACE,
      MetricName: 'RefreshReuseDetected',
      Dimensions: [service],
      Threshold: 1,
      Period: 60,
    });
  });

  it.each(['RevocationWritesFailed', 'DenyListFolded'])('alarms on any %s', (name) => {
    expect(alarm(name)).toMatchObject({
      Namespace: METRIC_NAMESPACE,
      MetricName: name,
      Dimensions: [service],
      Threshold: 1,
      Period: 60,
    });
  });

  it('alarms on any error of the REST authorizer (it denies with a Deny policy, never by throwing), and on its throttles', () => {
    const functionRef = refOf(stack.restApi.authorizerFunction.function);
    expect(alarm('AuthorizerErrors')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: functionRef }],
      Threshold: 1,
    });
    expect(alarm('AuthorizerThrottles')).toMatchObject({
      MetricName: 'Throttles',
      Dimensions: [{ Name: 'FunctionName', Value: functionRef }],
    });
  });

  it('alarms on ConnectAuthorizer errors that are not denials (it throws Unauthorized to deny), and on its throttles', () => {
    const functionRef = refOf(stack.signaling.connectAuthorizerFunction.function);
    const errors = alarm('ConnectAuthorizerErrors');
    expect(errors.Threshold).toBe(1);
    expect(errors.Metrics!.find((m) => m.Expression)!.Expression).toBe('FILL(errors, 0) - FILL(denied, 0)');
    expect(errors.Metrics!.find((m) => m.Id === 'errors')!.MetricStat!.Metric).toEqual({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: functionRef }],
    });
    expect(errors.Metrics!.find((m) => m.Id === 'denied')!.MetricStat!.Metric).toEqual({
      Namespace: METRIC_NAMESPACE,
      MetricName: 'AuthDenied',
      Dimensions: expect.arrayContaining([{ Name: 'Function', Value: 'connect-authorizer' }, service]),
    });
    expect(alarm('ConnectAuthorizerThrottles')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Dimensions: [{ Name: 'FunctionName', Value: functionRef }],
      Threshold: 1,
    });
  });

  it('alarms on any 5XX of the REST stage', () => {
    expect(alarm('RestApi5XX')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Dimensions: expect.arrayContaining([
        { Name: 'Stage', Value: refOf(stack.restApi.api.deploymentStage) },
      ]),
      Threshold: 1,
    });
  });

  it.each([
    ['Revocations', () => stack.revocations.table],
    ['Sessions', () => stack.sessions.table],
    ['Connections', () => stack.signaling.table],
  ])('alarms on read or write throttle events of the %s table', (name, table) => {
    const props = alarm(`${name}TableThrottles`);
    expect(props.Threshold).toBe(1);
    const metrics = props.Metrics!.filter((m) => m.MetricStat).map((m) => m.MetricStat!.Metric);
    expect(metrics).toEqual([
      {
        Namespace: 'AWS/DynamoDB',
        MetricName: 'ReadThrottleEvents',
        Dimensions: [{ Name: 'TableName', Value: refOf(table()) }],
      },
      {
        Namespace: 'AWS/DynamoDB',
        MetricName: 'WriteThrottleEvents',
        Dimensions: [{ Name: 'TableName', Value: refOf(table()) }],
      },
    ]);
  });

  it('creates one dashboard with the alarms and the guard metrics', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(
      Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody,
    );
    for (const title of [
      'AuthDenied by reason',
      'WouldDeny (monitor mode) by reason',
      'TokensRevoked by scope',
      'SocketsClosed by cause',
      'SignalingFailures by reason',
      'REST API: 4XX, 5XX',
      'DynamoDB throttle events',
    ]) {
      expect(body).toContain(title);
    }
    for (const reason of REASON_CODES) expect(body).toContain(reason);
    for (const reason of SIGNALING_FAILURE_REASONS)
      expect(body).toContain(`\\"SignalingFailures\\",\\"Reason\\",\\"${reason}\\"`);
  });

  it('saves the three Logs Insights queries with the exact README text over every function log group', () => {
    // CDK's page-copy function (BucketDeployment, role `Custom…`) is not ours to query.
    const functionLogGroups = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (fn) => !JSON.stringify(fn.Properties.Role).includes('"Custom'),
    ).length;
    for (const [name, queryString] of [
      ['cognito-guard/TopDenialReasons', TOP_DENIAL_REASONS_QUERY],
      ['cognito-guard/DenialsBySourceIp', DENIALS_BY_SOURCE_IP_QUERY],
      ['cognito-guard/RevocationsByActor', REVOCATIONS_BY_ACTOR_QUERY],
    ]) {
      const found = template.findResources('AWS::Logs::QueryDefinition', {
        Properties: { Name: name, QueryString: queryString },
      });
      const [definition] = Object.values(found);
      expect(definition.Properties.LogGroupNames).toHaveLength(functionLogGroups);
      expect(definition.Properties.LogGroupNames).toContainEqual(
        refOf(stack.restApi.authorizerFunction.logGroup as never),
      );
      expect(definition.Properties.LogGroupNames).toContainEqual(
        refOf(stack.restApi.routeFunctions.auth.logGroup as never),
      );
    }
  });

  it('sets the stage retention on every log group', () => {
    const groups = Object.values(
      synth({ logRetentionDays: 90 }).template.findResources('AWS::Logs::LogGroup'),
    );
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(90);
  });

  it.each(['enforce', 'monitor'])(
    'passes enforcement mode %s to the authorizers and the api function, and outputs it',
    (mode) => {
      const { stack: s, template: t } = synth({ enforcementMode: mode });
      t.hasOutput('EnforcementMode', { Value: mode });
      const functions = t.findResources('AWS::Lambda::Function');
      for (const fn of [
        s.restApi.authorizerFunction,
        s.signaling.connectAuthorizerFunction,
        s.restApi.routeFunctions.api,
      ]) {
        const id = s.getLogicalId(fn.function.node.defaultChild as never);
        const variables = functions[id].Properties.Environment.Variables as Record<string, string>;
        expect(variables[AuthorizerEnv.enforcementMode]).toBe(mode);
      }
      expect(ApiEnv.enforcementMode).toBe(AuthorizerEnv.enforcementMode);
    },
  );

  it('stays cdk-nag clean with an alarm email and monitor mode', () => {
    const { stack: s } = synth({ alarmEmail: 'oncall@example.com', enforcementMode: 'monitor' });
    const report = new AwsSolutionsChecks(s.node.root).validateScope(s);
    expect(
      report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)),
    ).toEqual([]);
  });
});
