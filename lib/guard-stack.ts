// The only stack: creates the constructs, wires identity, deny-list and REST edge, and prints the outputs.
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AdminEnv } from '../lambdas/admin/env';
import { AuthEnv } from '../lambdas/auth/env';
import { ApiEnv } from '../lambdas/api/env';
import { AuthorizerEnv } from '../lambdas/authorizer/env';
import { Monitoring } from './constructs/monitoring';
import { RateLimitWaf } from './constructs/rate-limit-waf';
import { RestApi } from './constructs/rest-api';
import { RevocationStore } from './constructs/revocation-store';
import { SignalingApi } from './constructs/signaling-api';
import { SessionStore } from './constructs/session-store';
import { UserPool } from './constructs/user-pool';
import { statefulRemovalPolicy, type StageConfig } from './stage-config';

export interface GuardStackProps extends StackProps {
  /** Validated settings (see loadStageConfig). */
  readonly config: StageConfig;
}

export class GuardStack extends Stack {
  public readonly identity: UserPool;
  public readonly revocations: RevocationStore;
  public readonly sessions: SessionStore;
  public readonly restApi: RestApi;
  /** Present when the stage sets `wafRateLimit`. */
  public readonly waf?: RateLimitWaf;
  public readonly signaling: SignalingApi;
  public readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: GuardStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = statefulRemovalPolicy(config);

    this.identity = new UserPool(this, 'Identity', {
      domainPrefix: config.domainPrefix,
      callbackUrls: config.callbackUrls,
      logoutUrls: config.logoutUrls,
      accessTokenValidity: Duration.minutes(config.accessTokenMinutes),
      idTokenValidity: Duration.minutes(config.idTokenMinutes),
      refreshTokenValidity: Duration.days(config.refreshTokenDays),
      refreshRotationGracePeriod: Duration.seconds(config.refreshRotationGraceSeconds),
      selfSignUp: config.selfSignUp,
      removalPolicy,
    });
    this.revocations = new RevocationStore(this, 'Revocations', { removalPolicy });
    this.sessions = new SessionStore(this, 'Sessions', { removalPolicy });

    // JWKS_URI stays unset: in AWS the verifier fetches Cognito's own JWKS.
    const authorizerEnvironment = {
      [AuthorizerEnv.userPoolId]: this.identity.userPool.userPoolId,
      [AuthorizerEnv.clientId]: this.identity.client.userPoolClientId,
      [AuthorizerEnv.revocationTable]: this.revocations.table.tableName,
      [AuthorizerEnv.requireSessionId]: 'true',
      [AuthorizerEnv.enforcementMode]: config.enforcementMode,
    };
    this.restApi = new RestApi(this, 'RestApi', {
      authorizerEnvironment,
      allowedOrigins: config.allowedOrigins,
      authorizerCacheTtlSeconds: config.authorizerCacheTtlSeconds,
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
      logRetention: config.logRetentionDays,
    });
    this.revocations.grantCheck(this.restApi.authorizerFunction);
    if (config.wafRateLimit !== undefined) {
      this.waf = new RateLimitWaf(this, 'Waf', {
        stage: this.restApi.api.deploymentStage,
        limit: config.wafRateLimit,
      });
    }

    this.signaling = new SignalingApi(this, 'Signaling', {
      authorizerEnvironment,
      allowedOrigins: config.allowedOrigins,
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
      logRetention: config.logRetentionDays,
      removalPolicy,
    });
    this.revocations.grantCheck(this.signaling.connectAuthorizerFunction);
    this.revocations.grantCheck(this.signaling.signalingFunction);
    this.revocations.grantCheck(this.signaling.sweepFunction);
    // Stage access logs need the account-level CloudWatch role the REST API sets up.
    const account = this.restApi.api.node.tryFindChild('Account');
    if (account) this.signaling.stage.node.addDependency(account);

    // Sessions (auth + admin): the same table names, pool and lifetimes the client and constructs use.
    const { auth, admin } = this.restApi.routeFunctions;
    const adminEnvironment: Record<string, string> = {
      [AdminEnv.userPoolId]: this.identity.userPool.userPoolId,
      [AdminEnv.clientId]: this.identity.client.userPoolClientId,
      [AdminEnv.revocationTable]: this.revocations.table.tableName,
      [AdminEnv.sessionsTable]: this.sessions.table.tableName,
      [AdminEnv.allowedOrigins]: config.allowedOrigins.join(','),
      [AdminEnv.refreshTokenValiditySeconds]: String(Duration.days(config.refreshTokenDays).toSeconds()),
    };
    const authEnvironment: Record<string, string> = {
      ...adminEnvironment,
      [AuthEnv.cognitoDomainUrl]: this.identity.hostedUiBaseUrl,
      [AuthEnv.logoutRedirectUri]: config.logoutUrls[0] ?? '',
      [AuthEnv.rotationGraceSeconds]: String(config.refreshRotationGraceSeconds),
      [AuthEnv.requireSessionId]: 'true',
    };
    for (const [name, value] of Object.entries(authEnvironment)) auth.function.addEnvironment(name, value);
    for (const [name, value] of Object.entries(adminEnvironment)) admin.function.addEnvironment(name, value);
    for (const fn of [auth, admin]) {
      this.revocations.grantRevoke(fn);
      this.sessions.grantReadWrite(fn);
      // RevokeToken is a public Cognito API (no IAM); global sign-out is the one admin action they need.
      this.identity.userPool.grant(fn, 'cognito-idp:AdminUserGlobalSignOut');
      // SocketCloser: a revocation closes the affected signaling sockets at once.
      for (const [name, value] of Object.entries(this.signaling.socketCloserEnvironment)) {
        fn.function.addEnvironment(name, value);
      }
      this.signaling.grantCloseSockets(fn);
    }

    // Observability: alarms, dashboard, saved queries; /health reports the mode too.
    this.restApi.routeFunctions.api.function.addEnvironment(ApiEnv.enforcementMode, config.enforcementMode);
    const authorizers = [this.restApi.authorizerFunction, this.signaling.connectAuthorizerFunction];
    this.monitoring = new Monitoring(this, 'Monitoring', {
      authorizers,
      functions: [
        ...authorizers,
        ...Object.values(this.restApi.routeFunctions),
        this.signaling.signalingFunction,
        this.signaling.sweepFunction,
      ],
      restStage: this.restApi.api.deploymentStage,
      tables: {
        Revocations: this.revocations.table,
        Sessions: this.sessions.table,
        Connections: this.signaling.table,
      },
      alarmEmail: config.alarmEmail,
      authDeniedThreshold: config.authDeniedAlarmThreshold,
      authDeniedPeriod: Duration.minutes(config.authDeniedAlarmPeriodMinutes),
    });
    new CfnOutput(this, 'EnforcementMode', {
      value: config.enforcementMode,
      description: 'enforce: revoked tokens are denied; monitor: allowed and logged as would_deny',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });

    new CfnOutput(this, 'ApiUrl', { value: this.restApi.url, description: 'REST API base URL' });
    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.identity.client.userPoolClientId });
    new CfnOutput(this, 'HostedUiDomain', {
      value: this.identity.hostedUiBaseUrl,
      description: 'Managed login base URL (/oauth2/authorize, /oauth2/token, /logout)',
    });
    new CfnOutput(this, 'Region', { value: this.region });
    new CfnOutput(this, 'AuthorizerCacheTtlSeconds', {
      value: String(config.authorizerCacheTtlSeconds),
      description: 'Authorizer result cache TTL = worst-case delay before a revocation takes effect',
    });
    new CfnOutput(this, 'WebSocketUrl', {
      value: this.signaling.url,
      description:
        "Signaling WebSocket URL: new WebSocket(url, ['cognito-guard.v1', 'bearer.' + accessToken])",
    });
    new CfnOutput(this, 'RevocationTableName', { value: this.revocations.table.tableName });
    new CfnOutput(this, 'SessionTableName', { value: this.sessions.table.tableName });
  }
}
