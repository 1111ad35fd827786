// Revocation events: our bus (every revocation out), the CloudTrail rule + handler (Cognito changes in), DLQ, trail.
import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EventsEnv } from '../../lambdas/events/env';
import {
  ADMIN_REVOKING_CALLS,
  CLOUDTRAIL_DETAIL_TYPE,
  COGNITO_EVENT_SOURCE,
  COGNITO_IDP_EVENT_SOURCE,
  USER_REVOKING_CALLS,
} from '../../lambdas/events/cognito-trail';
import {
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  MetricDimension,
  MetricName,
} from '../../lambdas/shared/metric-names';
import { NodeFunction } from './node-function';

export const COGNITO_EVENTS_ENTRY = path.join(__dirname, '..', '..', 'lambdas', 'events', 'handler.ts');

/**
 * The rule's pattern: every revoking admin call on this pool, and every revoking call users make themselves (their
 * requests name no pool; the handler drops one that names another). Failed calls are dropped by the handler, not
 * here: a pattern on `errorCode` would have to guess how a success is recorded (absent or empty).
 */
export function cognitoChangePattern(userPoolId: string): events.EventPattern {
  return {
    source: [COGNITO_EVENT_SOURCE],
    detailType: [CLOUDTRAIL_DETAIL_TYPE],
    detail: {
      eventSource: [COGNITO_IDP_EVENT_SOURCE],
      // `$or` matching: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
      $or: [
        { eventName: [...ADMIN_REVOKING_CALLS], requestParameters: { userPoolId: [userPoolId] } },
        { eventName: [...USER_REVOKING_CALLS] },
      ],
    },
  };
}

export interface RevocationEventsProps {
  /** The pool whose changes revoke (its id filters the rule; its issuer names event subjects). */
  readonly userPoolId: string;
  /** The pool's token issuer, `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  readonly issuer: string;
  /** Env the handler needs besides ours: pool, deny-list table, refresh validity, socket closing. */
  readonly handlerEnvironment: Readonly<Record<string, string>>;
  /**
   * Create a single-region trail logging write management events, which EventBridge needs to see Cognito API calls.
   * Set false only when a trail (e.g. an organization trail) already logs this region's write management events.
   * @default true
   */
  readonly createTrail?: boolean;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** How long the trail's log files stay in its bucket. @default Duration.days(30) */
  readonly trailFileExpiration?: Duration;
  /** Fate of the trail's bucket (and its files) on stack deletion. @default RemovalPolicy.RETAIN */
  readonly trailBucketRemovalPolicy?: RemovalPolicy;
}

export class RevocationEvents extends Construct {
  /** Every revocation is published here: `source: cognito-guard`, `detail-type: Token|Session|User Revoked`. */
  public readonly bus: events.EventBus;
  /** Default-bus rule: CloudTrail-recorded Cognito changes to the events-in handler. */
  public readonly rule: events.Rule;
  public readonly handler: NodeFunction;
  /** Events the rule could not deliver and invocations that failed every retry. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Present when `createTrail` (the default). */
  public readonly trail?: cloudtrail.Trail;
  /** The trail's log files: SSE-S3, TLS only, private, expiring. Present with `trail`. */
  public readonly trailBucket?: s3.Bucket;

  constructor(scope: Construct, id: string, props: RevocationEventsProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      description: 'cognito-guard revocations: Token Revoked, Session Revoked, User Revoked',
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the Cognito-changes rule target and handler.',
    });

    this.handler = new NodeFunction(this, 'Handler', {
      entry: COGNITO_EVENTS_ENTRY,
      serviceName: 'cognito-events',
      description:
        'Revokes a user when Cognito records a disable, delete, sign-out, password or group change (admin or user)',
      environment: { ...props.handlerEnvironment, ...this.publishingEnvironment(props.issuer) },
      logRetention: props.logRetention,
    });
    // A failed invocation (store down, unattributable call) is retried, then parked where an alarm sees it.
    this.handler.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });
    this.grantPublish(this.handler);

    this.rule = new events.Rule(this, 'CognitoChanges', {
      description: 'Cognito user-pool changes recorded by CloudTrail that revoke a user',
      eventPattern: cognitoChangePattern(props.userPoolId),
      targets: [
        new targets.LambdaFunction(this.handler.function, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });

    if (props.createTrail ?? true) {
      const removalPolicy = props.trailBucketRemovalPolicy ?? RemovalPolicy.RETAIN;
      this.trailBucket = new s3.Bucket(this, 'TrailBucket', {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        lifecycleRules: [{ expiration: props.trailFileExpiration ?? Duration.days(30) }],
        removalPolicy,
        autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
      });
      Validations.of(this.trailBucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason: 'The trail bucket only exists so EventBridge receives Cognito management events.',
      });
      this.trail = new cloudtrail.Trail(this, 'Trail', {
        bucket: this.trailBucket,
        isMultiRegionTrail: false,
        includeGlobalServiceEvents: false,
        managementEvents: cloudtrail.ReadWriteType.WRITE_ONLY,
        enableFileValidation: true,
      });
    }
  }

  /** Env every revoking function needs to publish (pair with `grantPublish`). */
  public publishingEnvironment(issuer: string): Record<string, string> {
    return { [EventsEnv.eventBusName]: this.bus.eventBusName, [EventsEnv.issuer]: issuer };
  }

  /** events:PutEvents on our bus only. */
  public grantPublish(grantee: iam.IGrantable): void {
    this.bus.grantPutEventsTo(grantee);
  }

  /** Alarms when an event sits in the dead-letter queue or a revocation event could not be published. */
  public addAlarms(topic: sns.ITopic): cloudwatch.Alarm[] {
    const action = new cloudwatchActions.SnsAction(topic);
    const deadLetters = new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: 'A Cognito change could not be applied as a revocation: see the dead-letter queue',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const unpublished = new cloudwatch.Alarm(this, 'UnpublishedAlarm', {
      alarmDescription: 'A revocation was stored but its event could not be published',
      metric: new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName: MetricName.RevocationEventsFailed,
        dimensionsMap: { [MetricDimension.Service]: METRIC_SERVICE },
        statistic: 'Sum',
        period: Duration.minutes(1),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [deadLetters, unpublished]) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    return [deadLetters, unpublished];
  }
}
