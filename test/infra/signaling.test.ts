// SignalingApi in GuardStack: $connect authorizer on the subprotocol, encrypted TTL'd table, least privilege, sweep.
import { Template, Match } from 'aws-cdk-lib/assertions';
import { GuardStack } from '../../lib/guard-stack';
import { loadStageConfig } from '../../lib/stage-config';
import { testApp } from './test-app';

const template = Template.fromStack(
  new GuardStack(testApp(), 'CognitoGuard', {
    config: loadStageConfig({ throttleRateLimit: 7, throttleBurstLimit: 9, maxConnectionsPerUser: 3 }),
  }),
);

function policiesOf(functionIdPart: string): Record<string, unknown>[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(`Signaling${functionIdPart}Role`))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
}

describe('SignalingApi', () => {
  it('routes on $request.body.action', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
  });

  it('authorizes $connect with a REQUEST authorizer on the Sec-WebSocket-Protocol header', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.header.Sec-WebSocket-Protocol'],
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$connect',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: Match.anyValue(),
    });
  });

  it('has a route for every action plus $disconnect and $default', () => {
    const keys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => (r.Properties as { RouteKey: string }).RouteKey,
    );
    expect(keys.sort()).toEqual(['$connect', '$default', '$disconnect', 'join', 'leave', 'reauth', 'signal']);
  });

  it('throttles the stage from the stage config and writes access logs without headers', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 }),
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('connectionId') },
    });
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    expect(stage.Properties.AccessLogSettings.Format).not.toMatch(/header|Sec-WebSocket|querystring/i);
  });

  it('keeps connections in a CMK-encrypted table with TTL, PITR and the two revocation-push indexes', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }],
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'bySub' }),
        Match.objectLike({ IndexName: 'bySession' }),
      ],
    });
  });

  it('grants ManageConnections on this API stage’s @connections only, to the signaling and sweep functions', () => {
    for (const fn of ['Handler', 'Sweep']) {
      const manage = policiesOf(fn).filter((s) => s.Action === 'execute-api:ManageConnections');
      expect(manage).toHaveLength(1);
      expect(JSON.stringify(manage[0].Resource)).toMatch(/SignalingApi[0-9A-F]+.*\/ws\/\*\/@connections\/\*/);
    }
    expect(policiesOf('ConnectAuthorizer').some((s) => s.Action === 'execute-api:ManageConnections')).toBe(
      false,
    );
  });

  it('lets the sweep scan, read the deny-list and delete, but never write connection rows', () => {
    const statements = policiesOf('Sweep');
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:Scan', 'dynamodb:DeleteItem', 'dynamodb:BatchGetItem']),
    );
    expect(actions).not.toEqual(expect.arrayContaining(['dynamodb:PutItem']));
    // UpdateItem only on room member-set and socket-set items (a gone socket leaves its room, frees its place).
    const updates = statements.filter((s) => [s.Action].flat().includes('dynamodb:UpdateItem'));
    expect(updates).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:UpdateItem',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['room#*', 'sockets#*'] } },
      }),
    ]);
  });

  it('lets the signaling function read both ends by key only, and look up display names in the pool', () => {
    const statements = policiesOf('Handler');
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:BatchGetItem', 'cognito-idp:AdminGetUser']));
    expect(actions).not.toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:Scan']));
  });

  it('throttles the fan-out routes and $connect below the stage limit', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: Match.objectLike({
        $connect: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
        join: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
        leave: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      }),
    });
  });

  it('runs the sweep every minute', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SignalingSweepFunction'), 'Arn'] },
        }),
      ],
    });
  });

  it('tells the signaling function where the @connections endpoint is, and the authorizer which Origins to allow', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Signaling routes'),
      Environment: {
        Variables: Match.objectLike({
          CONNECTIONS_ENDPOINT: Match.anyValue(),
          CONNECTIONS_TABLE_NAME: Match.anyValue(),
          REQUIRE_SESSION_ID: 'true',
          MAX_CONNECTIONS_PER_USER: '3', // the stage's maxConnectionsPerUser
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('subprotocol'),
      Environment: {
        Variables: Match.objectLike({ ALLOWED_ORIGINS: Match.objectLike({ 'Fn::Join': Match.anyValue() }) }),
      },
    });
  });

  it('outputs the WebSocket URL', () => {
    template.hasOutput('WebSocketUrl', {});
  });
});
