// GuardStack template: identity, deny-list, REST edge and outputs, asserted resource by resource.
import { testApp } from './test-app';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import { GATEWAY_RESPONSES } from '../../lambdas/shared/gateway-responses';
import { ADMIN_GROUP, ROUTES } from '../../lambdas/shared/routes';
import { RevocationTableSchema } from '../../lambdas/shared/table-schemas';
import { ROUTE_FUNCTION_ENTRIES } from '../../lib/constructs/rest-api';
import { GuardStack } from '../../lib/guard-stack';
import { loadStageConfig } from '../../lib/stage-config';

interface Ref {
  readonly Ref?: string;
}
interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}
interface PolicyProps {
  readonly Roles: unknown[];
  readonly PolicyDocument: { readonly Statement: Statement[] };
}
interface RoleProps {
  readonly ManagedPolicyArns?: unknown[];
  readonly Policies?: { readonly PolicyDocument: { readonly Statement: Statement[] } }[];
}
interface MethodProps {
  readonly HttpMethod: string;
  readonly ResourceId: Ref;
  readonly AuthorizationType: string;
  readonly AuthorizerId?: Ref;
  readonly Integration: {
    readonly Type: string;
    readonly Uri: unknown;
    readonly IntegrationResponses: { readonly ResponseParameters: Record<string, string> }[];
  };
}

interface StageProps {
  readonly MethodSettings: Record<string, unknown>[];
  readonly AccessLogSetting: { readonly Format: string };
}

function synth(stage: unknown = {}) {
  const app = testApp();
  const stack = new GuardStack(app, 'CognitoGuard', { config: loadStageConfig(stage) });
  return { stack, template: Template.fromStack(stack) };
}

function logicalId(stack: GuardStack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

/** The Properties of every resource of a type, typed for the fields a test reads. */
function propsOf<T>(template: Template, type: string): T[] {
  return Object.values(template.findResources(type)).map((r) => r.Properties as T);
}

/** Properties of one resource by logical id. */
function propsById<T>(template: Template, id: string): T {
  return (template.toJSON().Resources as Record<string, { Properties: T }>)[id].Properties;
}

/** Full path of a method's resource, e.g. "/me", by following ParentId up to the API root. */
function methodPath(template: Template, method: MethodProps): string {
  const parts: string[] = [];
  let ref: Ref = method.ResourceId;
  while (ref.Ref) {
    const resource = propsById<{ PathPart: string; ParentId: Ref }>(template, ref.Ref);
    parts.unshift(resource.PathPart);
    ref = resource.ParentId;
  }
  return `/${parts.join('/')}`;
}

function findMethod(template: Template, httpMethod: string, path: string): MethodProps {
  const method = propsOf<MethodProps>(template, 'AWS::ApiGateway::Method').find(
    (m) => m.HttpMethod === httpMethod && methodPath(template, m) === path,
  );
  if (!method) throw new Error(`no ${httpMethod} ${path} method`);
  return method;
}

/** Every statement of every identity policy of the role: inline, or attached as AWS::IAM::Policy. */
function roleStatements(template: Template, roleId: string): Statement[] {
  const role = propsById<RoleProps>(template, roleId);
  const inline = (role.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement);
  const attached = propsOf<PolicyProps>(template, 'AWS::IAM::Policy')
    .filter((p) => p.Roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })))
    .flatMap((p) => p.PolicyDocument.Statement);
  return [...inline, ...attached];
}

/**
 * The authorizer, one function per route function, the signaling API's $connect authorizer, handler and sweep, the
 * Cognito-changes (events in) handler, and the deny-list layout migrator (custom resource).
 */
const FUNCTION_COUNT = 1 + Object.keys(ROUTE_FUNCTION_ENTRIES).length + 3 + 1 + 1;
/** REST and WebSocket stage access logs, and the log of CDK's page-copy function (BucketDeployment). */
const ACCESS_LOG_GROUPS = 3;

/** CDK's own helper functions (BucketDeployment's copier) use roles named `Custom…`; ours are the rest. */
const ours = (role: unknown) => !JSON.stringify(role).includes('"Custom');

const asList = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

describe('GuardStack', () => {
  const { stack, template } = synth();
  const poolId = logicalId(stack, stack.identity.userPool);
  const clientId = logicalId(stack, stack.identity.client);
  const tableId = logicalId(stack, stack.revocations.table);
  const keyId = logicalId(stack, stack.revocations.key);
  const authorizerRoleId = logicalId(stack, stack.restApi.authorizerFunction.role);
  const authorizerId = logicalId(stack, stack.restApi.authorizerFunction.function);

  describe('user pool', () => {
    it('keeps self sign-up off and signs users in by email', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
      });
    });

    it('requires strong passwords, offers optional TOTP MFA and recovers accounts by email only', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        Policies: {
          PasswordPolicy: {
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          },
        },
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      });
    });

    it('is on the Essentials plan, which refresh-token rotation needs, and is retained', () => {
      template.hasResource('AWS::Cognito::UserPool', {
        Properties: Match.objectLike({ UserPoolTier: 'ESSENTIALS', DeletionProtection: 'ACTIVE' }),
        DeletionPolicy: 'Retain',
      });
    });

    it('has the admins group', () => {
      template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
        GroupName: ADMIN_GROUP,
        UserPoolId: { Ref: poolId },
      });
    });

    it('uses the stage domainPrefix as it is when one is set', () => {
      synth({ domainPrefix: 'acme-login' }).template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
        Domain: 'acme-login',
      });
    });

    it('serves managed login (v2) with Cognito branding on a domain prefix unique to the deployment', () => {
      // guard-<first two groups of the stack id's UUID>: no fixed name a second deployment would collide with.
      const uuidGroups = {
        'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }],
      };
      template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
        Domain: {
          'Fn::Join': ['-', ['guard', { 'Fn::Select': [0, uuidGroups] }, { 'Fn::Select': [1, uuidGroups] }]],
        },
        ManagedLoginVersion: 2,
      });
      template.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', {
        UserPoolId: { Ref: poolId },
        ClientId: { Ref: clientId },
        UseCognitoProvidedValues: true,
      });
    });
  });

  describe('web client', () => {
    it('issues 15-minute access and ID tokens and 7-day refresh tokens', () => {
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        AccessTokenValidity: 15,
        IdTokenValidity: 15,
        RefreshTokenValidity: 7 * 24 * 60,
        TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
      });
    });

    it('is a confidential client (generated secret) allowed the authorization-code grant only', () => {
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        GenerateSecret: true,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile', 'cognito-guard/signaling', 'cognito-guard/admin'],
        // The distribution's URL (test/infra/edge.test.ts checks the exact value).
        CallbackURLs: [Match.objectLike({ 'Fn::Join': Match.anyValue() })],
        LogoutURLs: [Match.objectLike({ 'Fn::Join': Match.anyValue() })],
      });
    });

    it('defines the API resource server and its scopes before the client that allows them', () => {
      const servers = template.findResources('AWS::Cognito::UserPoolResourceServer');
      expect(Object.values(servers).map((r) => r.Properties as unknown)).toEqual([
        expect.objectContaining({
          Identifier: 'cognito-guard',
          Scopes: [
            expect.objectContaining({ ScopeName: 'signaling' }),
            expect.objectContaining({ ScopeName: 'admin' }),
          ],
        }),
      ]);
      const [client] = Object.values(template.findResources('AWS::Cognito::UserPoolClient'));
      expect(client.DependsOn).toEqual(Object.keys(servers));
    });

    it('enables token revocation, refresh-token rotation and hides whether a user exists', () => {
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        EnableTokenRevocation: true,
        PreventUserExistenceErrors: 'ENABLED',
        RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 10 },
      });
    });

    it('lists only the IAM-gated admin password flow: no SRP, password, custom or choice-based sign-in, no REFRESH_TOKEN_AUTH', () => {
      const client = Object.values(template.findResources('AWS::Cognito::UserPoolClient'))[0];

      // Never empty (its meaning is undocumented) and never unset (Cognito's default set enables SRP and custom).
      expect(client.Properties.ExplicitAuthFlows).toEqual(['ALLOW_ADMIN_USER_PASSWORD_AUTH']);
    });

    it('puts the client secret in Secrets Manager by reference, never in the template, an env var or an output', () => {
      const [clientId] = Object.keys(template.findResources('AWS::Cognito::UserPoolClient'));
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        SecretString: { 'Fn::GetAtt': [clientId, 'ClientSecret'] },
      });
      const json = JSON.stringify(template.toJSON());
      const references = json.match(/"ClientSecret"/g) ?? [];
      expect(references).toHaveLength(1); // only the secret's own SecretString
      for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
        expect(JSON.stringify(fn.Properties.Environment ?? {})).not.toContain('"ClientSecret"');
        expect(JSON.stringify(fn.Properties.Environment ?? {})).not.toContain('SecretString');
      }
      expect(JSON.stringify(template.toJSON().Outputs)).not.toMatch(/"ClientSecret"|SecretString|CookieKey/);
      expect(Object.keys(template.findResources('Custom::DescribeCognitoUserPoolClient'))).toEqual([]);
    });

    it('takes token lifetimes and rotation grace from the stage config', () => {
      const custom = synth({
        accessTokenMinutes: 30,
        idTokenMinutes: 10,
        refreshTokenDays: 1,
        refreshRotationGraceSeconds: 0,
      });

      custom.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        AccessTokenValidity: 30,
        IdTokenValidity: 10,
        RefreshTokenValidity: 24 * 60,
        RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 0 },
      });
    });
  });

  describe('revocation table', () => {
    it('is keyed on pk, on demand, with TTL on expiresAt and point-in-time recovery', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: RevocationTableSchema.partitionKey, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: RevocationTableSchema.partitionKey, AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: RevocationTableSchema.ttlAttribute, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    });

    it('is encrypted with its own customer-managed key, which rotates', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        SSESpecification: {
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        },
      });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    it('retains the table and its key when the stack is deleted', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });

    it('drops state on deletion only when the stage config says destroy', () => {
      const disposable = synth({ removalPolicy: 'destroy' }).template;

      disposable.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
      disposable.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
      disposable.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Delete' });
    });
  });

  describe('authorizer', () => {
    it('is a REQUEST authorizer on the Authorization header with result caching off by default', () => {
      template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
        Type: 'REQUEST',
        IdentitySource: 'method.request.header.Authorization',
        AuthorizerResultTtlInSeconds: 0,
      });
    });

    it('caches results for the configured TTL, which is the revocation delay', () => {
      synth({ authorizerCacheTtlSeconds: 300 }).template.hasResourceProperties(
        'AWS::ApiGateway::Authorizer',
        {
          AuthorizerResultTtlInSeconds: 300,
        },
      );
    });

    it('gets the pool, client and table from the stack and requires origin_jti', () => {
      const env = template.toJSON().Resources[authorizerId].Properties.Environment.Variables;

      expect(env).toEqual({
        [AuthorizerEnv.userPoolId]: { Ref: poolId },
        [AuthorizerEnv.clientId]: { Ref: clientId },
        [AuthorizerEnv.revocationTable]: { Ref: tableId },
        [AuthorizerEnv.requireSessionId]: 'true',
        [AuthorizerEnv.enforcementMode]: 'enforce',
        POWERTOOLS_SERVICE_NAME: 'authorizer',
      });
      expect(env).not.toHaveProperty(AuthorizerEnv.jwksUri);
    });

    it('may read the revocation table and decrypt with its key, and nothing more', () => {
      const dataStatements = roleStatements(template, authorizerRoleId).filter((s) =>
        asList(s.Action).some((a: string) => !a.startsWith('logs:')),
      );

      expect(dataStatements).toEqual([
        {
          Effect: 'Allow',
          Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
          Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
        },
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      ]);
    });

    it('denies the authorizer role every DynamoDB write and every wildcard action', () => {
      const actions = roleStatements(template, authorizerRoleId).flatMap((s) => asList(s.Action));
      const forbidden =
        /^(\*|dynamodb:(\*|PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)|kms:\*)$/;

      expect(actions.length).toBeGreaterThan(0);
      expect(actions.filter((a) => forbidden.test(a))).toEqual([]);
    });
  });

  describe('routes', () => {
    const [requestAuthorizerId] = Object.keys(template.findResources('AWS::ApiGateway::Authorizer'));

    it('protects GET /me with the custom authorizer', () => {
      expect(findMethod(template, 'GET', '/me')).toMatchObject({
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: requestAuthorizerId },
      });
    });

    it('leaves GET /health public', () => {
      const health = findMethod(template, 'GET', '/health');

      expect(health.AuthorizationType).toBe('NONE');
      expect(health).not.toHaveProperty('AuthorizerId');
    });

    it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
      'builds %s from the route table: proxied to its function, authorized unless listed public',
      (_key, route) => {
        const method = findMethod(template, route.method, route.path);

        expect(method.AuthorizationType).toBe(route.auth === 'public' ? 'NONE' : 'CUSTOM');
        expect(method.Integration.Type).toBe('AWS_PROXY');
        const functionId = logicalId(stack, stack.restApi.routeFunctions[route.fn].function);
        expect(JSON.stringify(method.Integration.Uri)).toContain(functionId);
      },
    );

    it('builds no method beyond the route table and CORS preflight', () => {
      const methods = propsOf<MethodProps>(template, 'AWS::ApiGateway::Method');

      expect(methods.filter((m) => m.HttpMethod !== 'OPTIONS')).toHaveLength(ROUTES.length);
    });
  });

  describe('stage', () => {
    const stage = () => propsOf<StageProps>(template, 'AWS::ApiGateway::Stage')[0];

    it('throttles every method with the configured rate and burst', () => {
      expect(stage().MethodSettings).toEqual([
        expect.objectContaining({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
          MetricsEnabled: true,
        }),
      ]);
    });

    it('logs execution errors only and never request data', () => {
      expect(stage().MethodSettings[0]).toMatchObject({ LoggingLevel: 'ERROR', DataTraceEnabled: false });
    });

    it('writes JSON access logs without the Authorization header or the query string', () => {
      const format = stage().AccessLogSetting.Format;
      const fields = JSON.parse(format) as Record<string, string>;

      expect(fields).toMatchObject({
        requestId: '$context.requestId',
        sourceIp: '$context.identity.sourceIp',
        resourcePath: '$context.resourcePath',
        status: '$context.status',
        authorizerError: '$context.authorizer.error',
      });
      expect(format).not.toMatch(/authorization|querystring|\$input|\$method\.request|\$context\.path\b/i);
    });

    it('keeps access and function logs for the configured retention', () => {
      const retentions = (t: Template) =>
        propsOf<{ RetentionInDays: number }>(t, 'AWS::Logs::LogGroup').map((g) => g.RetentionInDays);

      expect(retentions(template)).toEqual(Array<number>(FUNCTION_COUNT + ACCESS_LOG_GROUPS).fill(30));
      expect(retentions(synth({ logRetentionDays: 7 }).template)).toEqual(
        Array<number>(FUNCTION_COUNT + ACCESS_LOG_GROUPS).fill(7),
      );
    });
  });

  describe('browser access', () => {
    it('answers CORS preflight for the allowed origin with the auth, CSRF and DPoP headers', () => {
      const preflight = findMethod(template, 'OPTIONS', '/me');
      const headers = preflight.Integration.IntegrationResponses[0].ResponseParameters;

      expect(JSON.stringify(headers['method.response.header.Access-Control-Allow-Origin'])).toMatch(
        /'https:\/\/.*EdgeDistribution.*DomainName/,
      );
      expect(headers['method.response.header.Access-Control-Allow-Credentials']).toBe("'true'");
      expect(headers['method.response.header.Access-Control-Allow-Headers']).toBe(
        "'Authorization,Content-Type,X-Requested-With,X-CognitoGuard-CSRF,DPoP'",
      );
    });

    it.each(Object.keys(GATEWAY_RESPONSES))(
      'adds CORS and security headers to API Gateway %s responses',
      (type) => {
        template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
          ResponseType: type,
          ResponseParameters: Match.objectLike({
            'gatewayresponse.header.Access-Control-Allow-Origin': Match.objectLike({
              'Fn::Join': Match.anyValue(),
            }),
            'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
            'gatewayresponse.header.Strict-Transport-Security': "'max-age=31536000; includeSubDomains'",
          }),
        });
      },
    );

    it('answers an authorizer Deny with 401, a static RFC 6750 challenge and the typed reason from the authorizer context', () => {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'ACCESS_DENIED',
        StatusCode: '401',
        ResponseParameters: Match.objectLike({
          'gatewayresponse.header.WWW-Authenticate': `'Bearer realm="cognito-guard", error="invalid_token"'`,
        }),
        ResponseTemplates: {
          'application/json':
            '{"error":"$context.authorizer.reason","message":"$context.authorizer.message"}',
        },
      });
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'UNAUTHORIZED',
        StatusCode: '401',
        ResponseParameters: Match.objectLike({
          'gatewayresponse.header.WWW-Authenticate': `'Bearer realm="cognito-guard"'`,
        }),
        ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"error":"ERR_TOKEN_MISSING"') },
      });
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
        StatusCode: '404',
      });
    });
  });

  describe('functions', () => {
    it('run on Node.js 24 on arm64 with 256 MB, each with its own role', () => {
      const functions = propsOf<{ LoggingConfig: { LogGroup: unknown }; Role: unknown }>(
        template,
        'AWS::Lambda::Function',
      ).filter((fn) => ours(fn.Role));

      expect(functions).toHaveLength(FUNCTION_COUNT);
      for (const fn of functions) {
        expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], MemorySize: 256 });
        expect(fn.LoggingConfig.LogGroup).toHaveProperty('Ref');
      }
    });

    it('denies every role the AWS managed Lambda execution policy', () => {
      const roles = Object.entries(
        template.findResources('AWS::IAM::Role', {
          Properties: {
            AssumeRolePolicyDocument: {
              Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
            },
          },
        }),
      )
        .filter(([id]) => !id.startsWith('Custom'))
        .map(([, role]) => role);

      expect(roles).toHaveLength(FUNCTION_COUNT);
      for (const role of roles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    });
  });

  describe('outputs', () => {
    it('prints what a client needs to connect', () => {
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

      expect(Object.keys(outputs).sort()).toEqual(
        [
          'AlarmTopicArn',
          'ApiUrl',
          'AppUrl',
          'AuthorizerCacheTtlSeconds',
          'DeviceBinding',
          'EnforcementMode',
          'HostedUiDomain',
          'Region',
          'RevocationEventBusName',
          'RevocationTableName',
          'SessionTableName',
          'UserPoolClientId',
          'UserPoolId',
          'WebSocketUrl',
        ].sort(),
      );
      expect(outputs.UserPoolId.Value).toEqual({ Ref: poolId });
      expect(outputs.UserPoolClientId.Value).toEqual({ Ref: clientId });
      expect(outputs.RevocationTableName.Value).toEqual({ Ref: tableId });
      expect(outputs.AuthorizerCacheTtlSeconds.Value).toBe('0');
      expect(outputs.DeviceBinding.Value).toBe('off');
      expect(JSON.stringify(outputs.HostedUiDomain.Value)).toMatch(/https:\/\/.*auth\..*amazoncognito\.com/);
    });
  });
});
