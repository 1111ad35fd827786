// Revocation events in the synthesized stack: our bus, the CloudTrail rule's exact pattern, DLQ/retries, least privilege.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EventsEnv } from '../../lambdas/events/env';
import { GuardStack } from '../../lib/guard-stack';
import { loadStageConfig } from '../../lib/stage-config';
import { connectionsArn, grantPairs, pair } from '../helpers/iam-grants';
import type { Statement } from '../helpers/iam-grants';
import { testApp } from './test-app';

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}
function synth(overrides: Record<string, unknown> = {}) {
  const stack = new GuardStack(testApp(), 'CognitoGuard', { config: loadStageConfig(overrides) });
  const template = Template.fromStack(stack);
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  return { stack, template, id, resources: template.toJSON().Resources as Record<string, Resource> };
}

const { stack, template, id, resources } = synth();
const arn = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const bus = id(stack.events.bus);
const queue = id(stack.events.deadLetterQueue);
const handler = id(stack.events.handler.function);
const pool = id(stack.identity.userPool);

/** The role's grants as `action resource` pairs, its log-writing grants left out. */
function rolePolicyPairs(roleLogicalId: string): string[] {
  return grantPairs(
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((r) => JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleLogicalId }]))
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement),
  ).filter((grant) => !grant.startsWith('logs:'));
}

describe('revocation events', () => {
  it('creates our own bus for events out, and prints its name', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasOutput('RevocationEventBusName', { Value: { Ref: bus } });
  });

  it('routes the revoking admin calls on this pool and the revoking calls users make themselves to the handler', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.absent(), // AWS service events (CloudTrail) arrive on the default bus only
      State: 'ENABLED',
      EventPattern: {
        source: ['aws.cognito-idp'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cognito-idp.amazonaws.com'],
          $or: [
            {
              eventName: [
                'AdminDisableUser',
                'AdminDeleteUser',
                'AdminUserGlobalSignOut',
                'AdminResetUserPassword',
                'AdminSetUserPassword',
                'AdminRemoveUserFromGroup',
              ],
              requestParameters: { userPoolId: [{ Ref: pool }] },
            },
            // Their requests name no pool (an access token or a client id and a code): the handler checks the rest.
            { eventName: ['ChangePassword', 'ConfirmForgotPassword', 'GlobalSignOut', 'DeleteUser'] },
          ],
        },
      },
      Targets: [
        Match.objectLike({
          Arn: arn(handler),
          DeadLetterConfig: { Arn: arn(queue) },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        }),
      ],
    });
  });

  it('retries a failed invocation twice, then parks the event in the encrypted dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: handler },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: arn(queue) } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86400,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 1,
    });
  });

  it('lets only EventBridge invoke the handler, and only from this rule', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: arn(handler),
      Principal: 'events.amazonaws.com',
      SourceArn: arn(id(stack.events.rule)),
    });
  });

  it('gives the handler exactly: revoke, close sockets, publish to our bus, dead-letter its failures', () => {
    const revocations = id(stack.revocations.table);
    const connections = id(stack.signaling.table);
    const index = (name: string) => ({ 'Fn::Join': ['', [arn(connections), `/index/${name}`]] });
    expect(rolePolicyPairs(id(stack.events.handler.role as never))).toEqual(
      [
        // RevocationService: the user watermark (and its KMS key).
        ...['dynamodb:UpdateItem', 'dynamodb:BatchGetItem', 'dynamodb:GetItem'].map((a) =>
          pair(a, arn(revocations)),
        ),
        ...['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'].map((a) =>
          pair(a, arn(id(stack.revocations.key))),
        ),
        // SocketCloser: find the user's sockets, drop stale rows, close them through @connections.
        pair('dynamodb:DeleteItem', arn(connections)),
        // A socket found gone leaves its room and socket set (room and socket-set items only: LeadingKeys).
        pair('dynamodb:UpdateItem', arn(connections)),
        pair('dynamodb:Query', index('bySub')),
        pair('dynamodb:Query', index('bySession')),
        pair('kms:Decrypt', arn(id(stack.signaling.key))),
        pair('execute-api:ManageConnections', connectionsArn(id(stack.signaling.api))),
        // Events out on our bus only; failed invocations to the dead-letter queue. Never a Cognito call.
        pair('events:PutEvents', arn(bus)),
        ...['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'].map((a) => pair(a, arn(queue))),
      ].sort(),
    );
  });

  it('configures the handler with the pool, the table, the bus and the issuer', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'cognito-events',
          USER_POOL_ID: { Ref: pool },
          [EventsEnv.eventBusName]: { Ref: bus },
          [EventsEnv.issuer]: { 'Fn::GetAtt': [pool, 'ProviderURL'] },
        }),
      },
    });
  });

  it('creates a single-region trail of write management events by default (EventBridge needs one)', () => {
    template.resourceCountIs('AWS::CloudTrail::Trail', 1);
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsLogging: true,
      IsMultiRegionTrail: false,
      IncludeGlobalServiceEvents: false,
      EnableLogFileValidation: true,
      EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'WriteOnly' }],
    });
  });

  it('keeps the trail files in an encrypted, TLS-only, private bucket that expires them with the log retention', () => {
    const bucket = id(stack.events.trailBucket!);
    template.hasResourceProperties('AWS::CloudTrail::Trail', { S3BucketName: { Ref: bucket } });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 30, Status: 'Enabled' }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' } }),
        ]),
      },
    });
    expect(resources[bucket]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('deletes the trail bucket with the stack only when the stage removal policy is destroy', () => {
    const destroyed = synth({ removalPolicy: 'destroy' });
    const bucket = destroyed.id(destroyed.stack.events.trailBucket!);
    expect(destroyed.resources[bucket]).toMatchObject({ DeletionPolicy: 'Delete' });
  });

  it('relies on an existing trail when the stage says so', () => {
    synth({ cognitoEventsTrail: 'existing' }).template.resourceCountIs('AWS::CloudTrail::Trail', 0);
  });

  it('rejects an unknown trail setting', () => {
    expect(() => loadStageConfig({ cognitoEventsTrail: 'maybe' })).toThrow(/cognitoEventsTrail/);
  });
});
