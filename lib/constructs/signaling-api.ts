// The signaling edge: WebSocket API with a $connect authorizer on the subprotocol, connections table, sweep schedule.
import * as path from 'node:path';
import { type CfnElement, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import {
  ConnectionIndex,
  ConnectionTableSchema,
  roomKey,
  userSocketsKey,
} from '../../lambdas/shared/table-schemas';
import { ROUTE_SELECTION_EXPRESSION, SIGNALING_ACTIONS } from '../../lambdas/shared/websocket-routes';
import { DEFAULT_MAX_CONNECTIONS_PER_USER, SignalingEnv } from '../../lambdas/signaling/env';
import { NodeFunction } from './node-function';
import { createEncryptedTable } from './encrypted-table';

type ConnectionIndexName = keyof typeof ConnectionIndex;

const LAMBDAS_DIR = path.join(__dirname, '..', '..', 'lambdas');
export const CONNECT_AUTHORIZER_ENTRY = path.join(LAMBDAS_DIR, 'authorizer', 'connect-handler.ts');
export const SIGNALING_ENTRY = path.join(LAMBDAS_DIR, 'signaling', 'handler.ts');
export const SWEEP_ENTRY = path.join(LAMBDAS_DIR, 'signaling', 'sweep-handler.ts');

/** The identity source: API Gateway refuses a handshake without this header before invoking the authorizer. */
export const CONNECT_IDENTITY_SOURCE = 'route.request.header.Sec-WebSocket-Protocol';

// Access log line: who, which route, outcome, authorizer verdict; never headers (the subprotocol carries the token).
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  eventType: '$context.eventType',
  connectionId: '$context.connectionId',
  status: '$context.status',
  principalId: '$context.authorizer.principalId',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
});

/** Per-route throttles (steady rate per second, burst), stage-wide: below the stage default for fan-out routes. */
export const ROUTE_THROTTLES: Readonly<Record<string, { rate: number; burst: number }>> = {
  $connect: { rate: 10, burst: 20 },
  join: { rate: 10, burst: 20 },
  leave: { rate: 10, burst: 20 },
  reauth: { rate: 5, burst: 10 },
};

export interface SignalingApiProps {
  /** Token verification settings shared with the REST authorizer (names from lambdas/authorizer/env.ts). */
  readonly authorizerEnvironment: Readonly<Record<string, string>>;
  /** Browser Origins allowed to open a socket (a handshake without Origin is a non-browser client and allowed). */
  readonly allowedOrigins: readonly string[];
  /** Stage-wide steady-state messages per second. @default 50 */
  readonly throttleRateLimit?: number;
  /** Stage-wide burst. @default 100 */
  readonly throttleBurstLimit?: number;
  /** Retention of access logs and function logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** What happens to the connections table and its key on stack deletion. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** @default 'prod' */
  readonly stageName?: string;
  /** `$connect` requires an API key in `x-api-key` (OriginKey: only CloudFront sends it). @default false */
  readonly requireApiKey?: boolean;
  /** Most sockets one user may have open at once. @default DEFAULT_MAX_CONNECTIONS_PER_USER (10) */
  readonly maxConnectionsPerUser?: number;
}

export class SignalingApi extends Construct {
  public readonly api: apigwv2.WebSocketApi;
  public readonly stage: apigwv2.WebSocketStage;
  /** `wss://…/{stage}`: what clients connect to. */
  public readonly url: string;
  public readonly table: dynamodb.ITable;
  public readonly key: kms.IKey;
  public readonly connectAuthorizerFunction: NodeFunction;
  public readonly signalingFunction: NodeFunction;
  public readonly sweepFunction: NodeFunction;
  /** Env a function needs to close sockets (SocketCloser): give it with `grantCloseSockets`. */
  public readonly socketCloserEnvironment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: SignalingApiProps) {
    super(scope, id);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    const { table, key } = createEncryptedTable(this, {
      schema: ConnectionTableSchema,
      purpose: 'connections',
      removalPolicy,
      tableId: 'Connections',
    });
    this.key = key;
    this.table = table;

    this.api = new apigwv2.WebSocketApi(this, 'Api', {
      description: 'cognito-guard signaling WebSocket API',
      routeSelectionExpression: ROUTE_SELECTION_EXPRESSION,
      ...(props.requireApiKey
        ? { apiKeySelectionExpression: apigwv2.WebSocketApiKeySelectionExpression.HEADER_X_API_KEY }
        : {}),
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logRetention });
    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName ?? 'prod',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRateLimit ?? 50, burstLimit: props.throttleBurstLimit ?? 100 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigateway.AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });
    this.url = this.stage.url;
    // Route throttles under the stage's: joins and leaves fan out to a whole room, reauth verifies a token.
    (this.stage.node.defaultChild as apigwv2.CfnStage).routeSettings = Object.fromEntries(
      Object.entries(ROUTE_THROTTLES).map(([routeKey, limits]) => [
        routeKey,
        { ThrottlingRateLimit: limits.rate, ThrottlingBurstLimit: limits.burst }, // CloudFormation's casing
      ]),
    );

    const connectionsEnvironment = {
      [SignalingEnv.connectionsTable]: table.tableName,
      [SignalingEnv.connectionsEndpoint]: this.stage.callbackUrl,
    };
    this.socketCloserEnvironment = connectionsEnvironment;

    this.connectAuthorizerFunction = new NodeFunction(this, 'ConnectAuthorizer', {
      entry: CONNECT_AUTHORIZER_ENTRY,
      serviceName: 'connect-authorizer',
      description:
        'Verifies the token offered as WebSocket subprotocol, checks Origin and the revocation list',
      environment: {
        ...props.authorizerEnvironment,
        [AuthorizerEnv.allowedOrigins]: props.allowedOrigins.join(','),
      },
      logRetention,
    });
    this.signalingFunction = new NodeFunction(this, 'Handler', {
      entry: SIGNALING_ENTRY,
      serviceName: 'signaling',
      description: 'Signaling routes: connect, join, signal, reauth, leave, disconnect',
      environment: {
        ...props.authorizerEnvironment,
        ...connectionsEnvironment,
        [SignalingEnv.maxConnectionsPerUser]: String(
          props.maxConnectionsPerUser ?? DEFAULT_MAX_CONNECTIONS_PER_USER,
        ),
      },
      logRetention,
    });
    this.sweepFunction = new NodeFunction(this, 'Sweep', {
      entry: SWEEP_ENTRY,
      serviceName: 'signaling-sweep',
      description: 'Closes sockets whose token expired or was revoked',
      environment: {
        ...connectionsEnvironment,
        // The sweep checks the deny-list too (grant it with RevocationStore.grantCheck).
        [AuthorizerEnv.revocationTable]: props.authorizerEnvironment[AuthorizerEnv.revocationTable],
      },
      timeout: Duration.seconds(50),
      logRetention,
    });

    // Rows and room member sets by key only (BatchGetItem with the deny-list); no index decides anything here.
    this.grantTable(this.signalingFunction, ['BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem']);
    this.key.grant(this.signalingFunction, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    this.grantDisplayNames(this.signalingFunction, props.authorizerEnvironment[AuthorizerEnv.userPoolId]);
    this.grantTable(this.sweepFunction, ['Scan', 'BatchGetItem', 'DeleteItem']);
    this.grantRoomUpdates(this.sweepFunction);
    this.key.grant(this.sweepFunction, 'kms:Decrypt');
    this.stage.grantManagementApiAccess(this.signalingFunction);
    this.stage.grantManagementApiAccess(this.sweepFunction);

    const authorizer = new WebSocketLambdaAuthorizer(
      'ConnectAuthorizer',
      this.connectAuthorizerFunction.function,
      {
        identitySource: [CONNECT_IDENTITY_SOURCE],
      },
    );
    const integration = new WebSocketLambdaIntegration('Signaling', this.signalingFunction.function);
    const connect = this.api.addRoute('$connect', { integration, authorizer });
    // addRoute has no apiKeyRequired option (WebSocketRoute has, under another construct id): set it on the resource.
    if (props.requireApiKey) (connect.node.defaultChild as apigwv2.CfnRoute).apiKeyRequired = true;
    // Route settings name routes: the stage must come after them.
    this.stage.node.addDependency(connect);
    for (const routeKey of ['$disconnect', '$default', ...SIGNALING_ACTIONS]) {
      const route = this.api.addRoute(routeKey, { integration });
      this.stage.node.addDependency(route);
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'WebSocket APIs authorize on $connect only; every frame re-checks expiry and the deny-list in code',
      });
    }

    new events.Rule(this, 'SweepSchedule', {
      description: 'Closes signaling sockets whose token expired or was revoked',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.sweepFunction.function)],
    });

    this.acknowledgeScopedWildcards(this.signalingFunction);
    this.acknowledgeScopedWildcards(this.sweepFunction);
  }

  /**
   * For every function that revokes (SocketCloser): find sockets by index, close them, drop stale rows, and take a
   * socket found gone (410) out of its room and its user's socket set.
   */
  public grantCloseSockets(grantee: iam.IGrantable): void {
    this.grantTable(grantee, ['DeleteItem'], ['bySub', 'bySession']);
    this.grantRoomUpdates(grantee);
    this.key.grant(grantee, 'kms:Decrypt');
    this.stage.grantManagementApiAccess(grantee);
    if (grantee instanceof Construct) this.acknowledgeScopedWildcards(grantee);
  }

  /**
   * UpdateItem on room member-set and user socket-set items only (a gone socket leaves its room and gives its place
   * back): never on connection rows.
   */
  private grantRoomUpdates(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [this.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [roomKey('*'), userSocketsKey('*')] },
        },
      }),
    );
  }

  /** AdminGetUser on the pool: the email peers are shown (access tokens carry none). */
  private grantDisplayNames(grantee: iam.IGrantable, userPoolId: string | undefined): void {
    if (!userPoolId) return;
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['cognito-idp:AdminGetUser'],
      resourceArns: [
        Stack.of(this).formatArn({ service: 'cognito-idp', resource: 'userpool', resourceName: userPoolId }),
      ],
    });
  }

  /** Item actions on the table itself, Query on the named indexes only. */
  private grantTable(
    grantee: iam.IGrantable,
    actions: readonly string[],
    indexes: readonly ConnectionIndexName[] = [],
  ) {
    iam.Grant.addToPrincipal({
      grantee,
      actions: actions.map((action) => `dynamodb:${action}`),
      resourceArns: [this.table.tableArn],
    });
    if (indexes.length === 0) return;
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: indexes.map((index) => `${this.table.tableArn}/index/${ConnectionIndex[index]}`),
    });
  }

  /** The one wildcard these grants need: connection ids are not known in advance. */
  private acknowledgeScopedWildcards(scope: Construct): void {
    const stack = Stack.of(this);
    const apiId = stack.resolve(stack.getLogicalId(this.api.node.defaultChild as CfnElement)) as string;
    // cdk-nag names pseudo parameters as `<AWS::X>` but a stack env (e.g. the CLI's default region) as literals.
    const literalOr = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
    const partition = literalOr(stack.partition, 'Partition');
    const region = literalOr(stack.region, 'Region');
    const account = literalOr(stack.account, 'AccountId');
    const connections = `arn:${partition}:execute-api:${region}:${account}:<${apiId}>/${this.stage.stageName}/*/@connections/*`;
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${connections}]`,
      reason: 'ManageConnections on this stage’s @connections only; connection ids are not known in advance',
    });
  }
}
