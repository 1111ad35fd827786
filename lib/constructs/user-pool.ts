// Cognito identity: user pool, confidential web client (code + PKCE + secret in Secrets Manager, short tokens,
// rotation, no public API sign-in flow), managed login, admins group.
import * as path from 'node:path';
import { Duration, RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { API_SCOPES, RESOURCE_SERVER_ID, WEB_CLIENT_SCOPES } from '../../lambdas/shared/oauth-scopes';
import { ADMIN_GROUP } from '../../lambdas/shared/routes';
import { NodeFunction } from './node-function';

const PRE_TOKEN_ENTRY = path.join(__dirname, '..', '..', 'lambdas', 'pre-token', 'handler.ts');

export interface UserPoolProps {
  /** Managed-login domain prefix (`<prefix>.auth.<region>.amazoncognito.com`). */
  readonly domainPrefix: string;
  /** Where managed login may redirect after sign-in. */
  readonly callbackUrls: readonly string[];
  /** Where managed login may redirect after sign-out. */
  readonly logoutUrls: readonly string[];
  /** @default Duration.minutes(15) */
  readonly accessTokenValidity?: Duration;
  /** @default Duration.minutes(15) */
  readonly idTokenValidity?: Duration;
  /** @default Duration.days(7) */
  readonly refreshTokenValidity?: Duration;
  /** How long a rotated-away refresh token still works (0-60 s); setting it turns rotation on. @default Duration.seconds(10) */
  readonly refreshRotationGracePeriod?: Duration;
  /** Whether anyone may create an account through managed login. @default false */
  readonly selfSignUp?: boolean;
  /** Fate of the pool (and its users) on stack deletion. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class UserPool extends Construct {
  public readonly userPool: cognito.UserPool;
  public readonly client: cognito.UserPoolClient;
  /** The web client's secret, for the auth function only (read at run time; never in env, logs or the template). */
  public readonly clientSecret: secretsmanager.ISecret;
  public readonly domain: cognito.UserPoolDomain;
  /** `https://<prefix>.auth.<region>.amazoncognito.com`: managed login, `/oauth2/*` and `/logout`. */
  public readonly hostedUiBaseUrl: string;

  constructor(scope: Construct, id: string, props: UserPoolProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.userPool = new cognito.UserPool(this, 'Pool', {
      selfSignUpEnabled: props.selfSignUp ?? false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Essentials: the cheapest plan with refresh-token rotation (Lite lacks it; Plus adds paid threat protection).
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is optional (TOTP) so demo users can sign in without an authenticator; production can require it',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'Essentials is enough for refresh-token rotation; Plus (paid threat protection) is out of scope',
      },
    );

    this.userPool.addGroup('AdminsGroup', {
      groupName: ADMIN_GROUP,
      description: 'May revoke any user (admin routes)',
    });

    // This API as a resource server: its custom scopes (`cognito-guard/signaling`, `cognito-guard/admin`) are what
    // the route table requires; only tokens from the OAuth endpoints can carry them.
    const resourceServer = this.userPool.addResourceServer('ApiResourceServer', {
      identifier: RESOURCE_SERVER_ID,
      scopes: Object.entries(API_SCOPES).map(
        ([scopeName, scopeDescription]) => new cognito.ResourceServerScope({ scopeName, scopeDescription }),
      ),
    });

    // Confidential client: only the auth function holds the secret (token handler), so a refresh token taken from
    // a browser is useless at /oauth2/token. The browser still uses managed login with code + PKCE.
    this.client = this.userPool.addClient('WebClient', {
      generateSecret: true,
      // Unset means Cognito's default set (refresh, SRP, custom) and what an empty list means is undocumented
      // (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html),
      // while rotation rules out ALLOW_REFRESH_TOKEN_AUTH (API_RefreshTokenRotationType.html; the refresh-token guide,
      // amazon-cognito-user-pools-using-the-refresh-token.html). So the one flow listed is the one no browser can
      // reach: ADMIN_USER_PASSWORD_AUTH needs IAM credentials allowed cognito-idp:AdminInitiateAuth AND this
      // client's secret, which only the auth function reads (and it has no AdminInitiateAuth). No SRP, password,
      // custom or choice-based sign-in: their tokens carry aws.cognito.signin.user.admin and skip the inventory.
      authFlows: { adminUserPassword: true },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: WEB_CLIENT_SCOPES.map((scope) => cognito.OAuthScope.custom(scope)),
        callbackUrls: [...props.callbackUrls],
        logoutUrls: [...props.logoutUrls],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: props.accessTokenValidity ?? Duration.minutes(15),
      idTokenValidity: props.idTokenValidity ?? Duration.minutes(15),
      refreshTokenValidity: props.refreshTokenValidity ?? Duration.days(7),
      refreshTokenRotationGracePeriod: props.refreshRotationGracePeriod ?? Duration.seconds(10),
      // Revocation puts jti/origin_jti in every token: the deny-list keys on them.
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
    this.client.node.addDependency(resourceServer); // the client may only allow scopes that exist

    // The secret goes from the client's own CloudFormation attribute (Fn::GetAtt ClientSecret) to Secrets Manager:
    // the template holds a reference, never the value, and no custom resource (CDK's userPoolClientSecret) is needed.
    const clientResource = this.client.node.defaultChild as cognito.CfnUserPoolClient;
    this.clientSecret = new secretsmanager.Secret(this, 'WebClientSecret', {
      description: 'Cognito web app client secret (token handler: auth function only)',
      secretStringValue: SecretValue.resourceAttribute(clientResource.attrClientSecret),
      removalPolicy: RemovalPolicy.DESTROY, // derived from the client: recreated with it
    });
    Validations.of(this.clientSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Cognito generates the client secret; it rotates by replacing the app client, not by a rotation Lambda',
    });

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    // Managed login (v2) serves a client's pages only once the client has a branding style.
    new cognito.CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    this.hostedUiBaseUrl = this.domain.baseUrl();
  }

  /**
   * Device binding (docs/device-binding.md): a function that runs as the pre token generation trigger with event
   * version V2_0, the version that customizes access tokens (Essentials plan), and puts `cnf.jkt` in them.
   * `lambdaTriggers.preTokenGeneration` would be V1_0 (ID token only), hence `addTrigger` with
   * `PRE_TOKEN_GENERATION_CONFIG`, which also lets Cognito invoke the function.
   */
  public enableDeviceBinding(logRetention?: logs.RetentionDays): NodeFunction {
    const fn = new NodeFunction(this, 'PreTokenFunction', {
      entry: PRE_TOKEN_ENTRY,
      serviceName: 'pre-token',
      description: 'Cognito pre token generation (V2_0): binds access tokens to a device key (cnf.jkt)',
      timeout: Duration.seconds(5), // Cognito waits at most 5 s for a trigger
      ...(logRetention ? { logRetention } : {}),
    });
    this.userPool.addTrigger(
      cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
      fn.function,
      cognito.LambdaVersion.V2_0,
    );
    return fn;
  }
}
