// The app's stack: one origin (CloudFront) in front of the page, the REST API and the WebSocket; identity, deny-list,
// sessions, monitoring; the outputs, AppUrl first.
import { CfnOutput, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AdminEnv } from '../lambdas/admin/env';
import { AuthEnv } from '../lambdas/auth/env';
import { ApiEnv } from '../lambdas/api/env';
import { AuthorizerEnv } from '../lambdas/authorizer/env';
import { EDGE_PATHS, WS_STAGE_NAME } from '../lambdas/shared/edge';
import { Edge } from './constructs/edge';
import { Monitoring } from './constructs/monitoring';
import { OriginKey } from './constructs/origin-key';
import { RateLimitWaf } from './constructs/rate-limit-waf';
import { RestApi } from './constructs/rest-api';
import { RevocationEvents } from './constructs/revocation-events';
import { RevocationStore } from './constructs/revocation-store';
import { SignalingApi } from './constructs/signaling-api';
import { SessionStore } from './constructs/session-store';
import { UserPool } from './constructs/user-pool';
import { Canary } from './constructs/canary';
import { VerificationAccess } from './constructs/verification-access';
import { statefulRemovalPolicy, type StageConfig } from './stage-config';

export interface GuardStackProps extends StackProps {
  /** Validated settings (see loadStageConfig). */
  readonly config: StageConfig;
  /**
   * A CLOUDFRONT-scope web ACL made elsewhere (bin/app.ts's us-east-1 stack for `wafRateLimit`).
   * @default - `config.webAclArn`; with `wafRateLimit` in a us-east-1 stack, one created here
   */
  readonly webAclArn?: string;
}

export class GuardStack extends Stack {
  public readonly edge: Edge;
  public readonly identity: UserPool;
  public readonly revocations: RevocationStore;
  public readonly sessions: SessionStore;
  public readonly restApi: RestApi;
  /** Present when the stage sets `wafRateLimit` and this stack is in us-east-1. */
  public readonly waf?: RateLimitWaf;
  public readonly signaling: SignalingApi;
  public readonly monitoring: Monitoring;
  public readonly events: RevocationEvents;
  /** Present when the stage sets `verification` or `canary`. */
  public readonly verification?: VerificationAccess;
  /** Present when the stage sets `canary`. */
  public readonly canary?: Canary;
  /** The key only CloudFront sends; present unless the stage sets `refuseDirectApiCalls: false`. */
  public readonly originKey?: OriginKey;

  constructor(scope: Construct, id: string, props: GuardStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = statefulRemovalPolicy(config);

    if (config.wafRateLimit !== undefined && props.webAclArn === undefined) {
      if (this.region !== 'us-east-1') {
        throw new Error(
          'wafRateLimit: CloudFront web ACLs live in us-east-1; deploy through bin/app.ts (it adds that stack) or set webAclArn',
        );
      }
      this.waf = new RateLimitWaf(this, 'Waf', { limit: config.wafRateLimit });
    }
    // One origin: the page, the API and the socket share it, so the defaults below all come from it.
    this.edge = new Edge(this, 'Edge', {
      domain: config.customDomain,
      siteRemovalPolicy: removalPolicy,
      logRetention: config.logRetentionDays,
      webAclArn: props.webAclArn ?? config.webAclArn ?? this.waf?.webAcl.attrArn,
    });
    const appUrl = this.edge.appUrl;
    const callbackUrls = [`${appUrl}/`, ...config.callbackUrls];
    const logoutUrls = [`${appUrl}/`, ...config.logoutUrls];
    const allowedOrigins = [appUrl, ...config.allowedOrigins];

    this.identity = new UserPool(this, 'Identity', {
      domainPrefix: config.domainPrefix ?? deploymentDomainPrefix(this),
      callbackUrls,
      logoutUrls,
      accessTokenValidity: Duration.minutes(config.accessTokenMinutes),
      idTokenValidity: Duration.minutes(config.idTokenMinutes),
      refreshTokenValidity: Duration.days(config.refreshTokenDays),
      refreshRotationGracePeriod: Duration.seconds(config.refreshRotationGraceSeconds),
      selfSignUp: config.selfSignUp,
      removalPolicy,
    });
    // Device binding (DPoP): access tokens get `cnf.jkt` from a V2_0 pre token generation trigger.
    if (config.dpop !== 'off') this.identity.enableDeviceBinding(config.logRetentionDays);
    this.revocations = new RevocationStore(this, 'Revocations', {
      removalPolicy,
      logRetention: config.logRetentionDays,
    });
    this.sessions = new SessionStore(this, 'Sessions', { removalPolicy });

    if (config.verification || config.canary) {
      this.verification = new VerificationAccess(this, 'Verification', {
        userPool: this.identity.userPool,
        logRetention: config.logRetentionDays,
      });
    }

    // JWKS_URI stays unset: in AWS the verifier fetches Cognito's own JWKS.
    const authorizerEnvironment: Record<string, string> = {
      [AuthorizerEnv.userPoolId]: this.identity.userPool.userPoolId,
      [AuthorizerEnv.clientId]: this.identity.client.userPoolClientId,
      [AuthorizerEnv.revocationTable]: this.revocations.table.tableName,
      [AuthorizerEnv.requireSessionId]: 'true',
      [AuthorizerEnv.enforcementMode]: config.enforcementMode,
      ...(config.dpop !== 'off'
        ? {
            [AuthorizerEnv.dpopMode]: config.dpop,
            [AuthorizerEnv.appUrl]: appUrl,
            [AuthorizerEnv.dpopReplayGuard]: config.dpopReplayGuard,
          }
        : {}),
      ...(this.verification
        ? { [AuthorizerEnv.verificationClientId]: this.verification.client.userPoolClientId }
        : {}),
    };
    this.restApi = new RestApi(this, 'RestApi', {
      authorizerEnvironment,
      allowedOrigins,
      authorizerCacheTtlSeconds: config.authorizerCacheTtlSeconds,
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
      logRetention: config.logRetentionDays,
      requireApiKey: config.refuseDirectApiCalls,
      deviceBinding: config.dpop !== 'off',
    });
    this.revocations.grantCheck(this.restApi.authorizerFunction);

    this.signaling = new SignalingApi(this, 'Signaling', {
      authorizerEnvironment,
      allowedOrigins,
      stageName: WS_STAGE_NAME,
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
      logRetention: config.logRetentionDays,
      removalPolicy,
      requireApiKey: config.refuseDirectApiCalls,
      maxConnectionsPerUser: config.maxConnectionsPerUser,
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
      [AdminEnv.allowedOrigins]: allowedOrigins.join(','),
      [AdminEnv.refreshTokenValiditySeconds]: String(Duration.days(config.refreshTokenDays).toSeconds()),
    };
    const authEnvironment: Record<string, string> = {
      ...adminEnvironment,
      [AuthEnv.cognitoDomainUrl]: this.identity.hostedUiBaseUrl,
      [AuthEnv.logoutRedirectUri]: logoutUrls[0],
      [AuthEnv.rotationGraceSeconds]: String(config.refreshRotationGraceSeconds),
      [AuthEnv.requireSessionId]: 'true',
      ...(config.dpop !== 'off'
        ? { [AuthEnv.dpopMode]: config.dpop, [AuthEnv.dpopReplayGuard]: config.dpopReplayGuard }
        : {}),
      [AuthEnv.redirectUri]: callbackUrls[0],
      // The secrets' ARNs, never their values: the auth function reads them from Secrets Manager when needed.
      [AuthEnv.clientSecretId]: this.identity.clientSecret.secretArn,
      [AuthEnv.cookieKeySecretId]: this.sessions.cookieKey.secretArn,
    };
    for (const [name, value] of Object.entries(authEnvironment)) auth.function.addEnvironment(name, value);
    for (const [name, value] of Object.entries(adminEnvironment)) admin.function.addEnvironment(name, value);
    admin.function.addEnvironment(AdminEnv.stepUpMaxAgeSeconds, String(config.stepUpMaxAgeSeconds));
    // Events: every revocation out on our bus; Cognito changes made anywhere (CloudTrail) in as revocations.
    this.events = new RevocationEvents(this, 'Events', {
      userPoolId: this.identity.userPool.userPoolId,
      issuer: this.identity.userPool.userPoolProviderUrl,
      handlerEnvironment: {
        [AuthEnv.userPoolId]: this.identity.userPool.userPoolId,
        [AuthEnv.revocationTable]: this.revocations.table.tableName,
        [AuthEnv.refreshTokenValiditySeconds]: adminEnvironment[AdminEnv.refreshTokenValiditySeconds],
        ...this.signaling.socketCloserEnvironment,
      },
      createTrail: config.cognitoEventsTrail === 'create',
      logRetention: config.logRetentionDays,
      trailFileExpiration: Duration.days(config.logRetentionDays),
      trailBucketRemovalPolicy: removalPolicy,
    });
    this.revocations.grantRevoke(this.events.handler);
    this.signaling.grantCloseSockets(this.events.handler);
    const publishing = this.events.publishingEnvironment(this.identity.userPool.userPoolProviderUrl);
    // Token handler: only the auth function reads the client secret and the cookie key.
    this.identity.clientSecret.grantRead(auth);
    this.sessions.grantReadCookieKey(auth);
    for (const fn of [auth, admin]) {
      for (const [name, value] of Object.entries(publishing)) fn.function.addEnvironment(name, value);
      this.events.grantPublish(fn);
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
    // The admin panel finds users by email.
    this.identity.userPool.grant(admin, 'cognito-idp:ListUsers');
    // Every checker of DPoP proofs records the ids it accepted, so a replay fails on any instance.
    if (config.dpop !== 'off' && config.dpopReplayGuard === 'table') {
      for (const checker of [
        this.restApi.authorizerFunction,
        this.signaling.connectAuthorizerFunction,
        this.signaling.signalingFunction,
        auth,
      ])
        this.revocations.grantProofRecord(checker);
    }
    this.revocations.readAfterMigration(
      this.restApi.authorizerFunction,
      this.signaling.connectAuthorizerFunction,
      this.signaling.signalingFunction,
      this.signaling.sweepFunction,
      auth,
      admin,
      this.events.handler,
    );

    if (config.refuseDirectApiCalls) {
      this.originKey = new OriginKey(this, 'OriginKey', {
        restApi: this.restApi.api,
        webSocketStage: this.signaling.stage,
      });
    }
    this.edge.addApis(this.restApi.api, this.signaling.api, this.originKey?.originHeaders);
    this.edge.deployPage({
      hostedUiUrl: this.identity.hostedUiBaseUrl,
      region: this.region,
      userPoolId: this.identity.userPool.userPoolId,
      clientId: this.identity.client.userPoolClientId,
      followLogoutUrl: true,
      users: [],
      stepUpMaxAgeSeconds: config.stepUpMaxAgeSeconds,
    });

    // Observability: alarms, dashboard, saved queries; /health reports the mode too.
    this.restApi.routeFunctions.api.function.addEnvironment(ApiEnv.enforcementMode, config.enforcementMode);
    const authorizers = [this.restApi.authorizerFunction, this.signaling.connectAuthorizerFunction];
    this.monitoring = new Monitoring(this, 'Monitoring', {
      authorizers,
      throwingAuthorizers: [this.signaling.connectAuthorizerFunction],
      functions: [
        ...authorizers,
        ...Object.values(this.restApi.routeFunctions),
        this.signaling.signalingFunction,
        this.signaling.sweepFunction,
        this.events.handler,
        this.revocations.migrator,
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
    this.events.addAlarms(this.monitoring.topic);
    new CfnOutput(this, 'AppUrl', {
      value: `${appUrl}/`,
      description: 'Open this: the demo page, with the API at /api and the signaling WebSocket at /ws',
    });
    new CfnOutput(this, 'RevocationEventBusName', {
      value: this.events.bus.eventBusName,
      description: 'Every revocation is published here (source cognito-guard; docs/events.md)',
    });
    new CfnOutput(this, 'EnforcementMode', {
      value: config.enforcementMode,
      description: 'enforce: revoked tokens are denied; monitor: allowed and logged as would_deny',
    });
    new CfnOutput(this, 'DeviceBinding', {
      value: config.dpop,
      description:
        'Device binding (DPoP): off, monitor or enforce; npm run verify checks bound tokens in enforce',
    });
    if (config.dpop !== 'off') {
      new CfnOutput(this, 'DeviceBindingReplayGuard', {
        value: config.dpopReplayGuard,
        description: 'Where used DPoP proof ids are remembered: table (every instance) or instance',
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });

    new CfnOutput(this, 'ApiUrl', {
      value: `${appUrl}/api`,
      description: 'REST API base through CloudFront: route paths append to it (ApiUrl + /me)',
    });
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
      value: this.edge.webSocketUrl,
      description:
        "Signaling WebSocket URL: new WebSocket(url, ['cognito-guard.v1', 'bearer.' + accessToken])",
    });
    if (this.verification) {
      new CfnOutput(this, 'VerifyClientId', {
        value: this.verification.client.userPoolClientId,
        description: 'Verification app client (AdminInitiateAuth only): npm run verify',
      });
      new CfnOutput(this, 'VerifySecretArn', {
        value: this.verification.secret.secretArn,
        description: 'Secrets Manager secret { username, password } of the verification user',
      });
    }
    if (config.canary && this.verification) {
      this.canary = new Canary(this, 'Canary', {
        everyMinutes: config.canary.everyMinutes,
        verification: this.verification,
        userPoolId: this.identity.userPool.userPoolId,
        // Through CloudFront, like a user: execute-api refuses calls without the origin key.
        apiUrl: `${appUrl}${EDGE_PATHS.api}`,
        wsUrl: this.edge.webSocketUrl,
        enforcementMode: config.enforcementMode,
        authorizerCacheTtlSeconds: config.authorizerCacheTtlSeconds,
        deviceBinding: config.dpop,
        replayGuard: config.dpopReplayGuard,
        monitoring: this.monitoring,
        logRetention: config.logRetentionDays,
      });
    }
    new CfnOutput(this, 'RevocationTableName', { value: this.revocations.table.tableName });
    new CfnOutput(this, 'SessionTableName', { value: this.sessions.table.tableName });
  }
}

/**
 * `guard-<8 hex>-<4 hex>`: the first two groups of the UUID in the stack's id (`arn:…:stack/<name>/<uuid>`), which
 * CloudFormation draws when it creates the stack. Unique per deployment (prefixes are unique per region across all
 * accounts), stable for the stack's life, and within Cognito's rules: lowercase letters, digits and hyphens, never
 * "aws", "amazon" or "cognito" (hex digits cannot spell them).
 */
function deploymentDomainPrefix(stack: Stack): string {
  const uuid = Fn.split('-', Fn.select(2, Fn.split('/', stack.stackId)));
  return Fn.join('-', ['guard', Fn.select(0, uuid), Fn.select(1, uuid)]);
}
