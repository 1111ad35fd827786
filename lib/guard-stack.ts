// The only stack: creates the constructs, wires identity, deny-list and REST edge, and prints the outputs.
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AuthorizerEnv } from '../lambdas/authorizer/env';
import { RestApi } from './constructs/rest-api';
import { RevocationStore } from './constructs/revocation-store';
import { UserPool } from './constructs/user-pool';
import { statefulRemovalPolicy, type StageConfig } from './stage-config';

export interface GuardStackProps extends StackProps {
  /** Validated settings (see loadStageConfig). */
  readonly config: StageConfig;
}

export class GuardStack extends Stack {
  public readonly identity: UserPool;
  public readonly revocations: RevocationStore;
  public readonly restApi: RestApi;

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

    this.restApi = new RestApi(this, 'RestApi', {
      // JWKS_URI stays unset: in AWS the verifier fetches Cognito's own JWKS.
      authorizerEnvironment: {
        [AuthorizerEnv.userPoolId]: this.identity.userPool.userPoolId,
        [AuthorizerEnv.clientId]: this.identity.client.userPoolClientId,
        [AuthorizerEnv.revocationTable]: this.revocations.table.tableName,
        [AuthorizerEnv.requireSessionId]: 'true',
      },
      allowedOrigins: config.allowedOrigins,
      authorizerCacheTtlSeconds: config.authorizerCacheTtlSeconds,
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
      logRetention: config.logRetentionDays,
    });
    this.revocations.grantCheck(this.restApi.authorizerFunction);

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
    new CfnOutput(this, 'RevocationTableName', { value: this.revocations.table.tableName });
  }
}
