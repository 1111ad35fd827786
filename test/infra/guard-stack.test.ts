// GuardStack template: identity, deny-list, REST edge and outputs, asserted resource by resource.
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import { ADMIN_GROUP, ROUTES } from '../../lambdas/shared/routes';
import { RevocationTableSchema } from '../../lambdas/shared/table-schemas';
import { GuardStack } from '../../lib/guard-stack';
import { loadStageConfig } from '../../lib/stage-config';

type Resources = Record<string, { Type: string; Properties: Record<string, any>; DeletionPolicy?: string }>;

function synth(stage: unknown = {}) {
  // Skips esbuild bundling: fast, and the template does not depend on bundle contents.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new GuardStack(app, 'CognitoGuard', { config: loadStageConfig(stage) });
  return { stack, template: Template.fromStack(stack) };
}

function logicalId(stack: GuardStack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

/** Full path of a method's resource, e.g. "/me", by following ParentId up to the API root. */
function methodPath(resources: Resources, method: Record<string, any>): string {
  const parts: string[] = [];
  let ref = method.ResourceId as { Ref?: string };
  while (ref.Ref) {
    const resource = resources[ref.Ref].Properties;
    parts.unshift(resource.PathPart as string);
    ref = resource.ParentId as { Ref?: string };
  }
  return `/${parts.join('/')}`;
}

function findMethod(template: Template, httpMethod: string, path: string): Record<string, any> {
  const resources = template.toJSON().Resources as Resources;
  const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map((m) => m.Properties);
  const method = methods.find((m) => m.HttpMethod === httpMethod && methodPath(resources, m) === path);
  if (!method) throw new Error(`no ${httpMethod} ${path} method`);
  return method;
}

/** Every statement of every identity policy attached to the role (inline, attached or managed). */
function roleStatements(template: Template, roleId: string): Record<string, any>[] {
  const role = template.toJSON().Resources[roleId];
  expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
  const inline = (role.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement);
  const attached = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
  return [...inline, ...attached];
}

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

    it('serves managed login (v2) with Cognito branding on the configured domain prefix', () => {
      template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
        Domain: 'guard-demo-login',
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

    it('is a public client allowed the authorization-code grant only', () => {
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        GenerateSecret: false,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        CallbackURLs: ['http://localhost:3000/'],
        LogoutURLs: ['http://localhost:3000/'],
      });
    });

    it('enables token revocation, refresh-token rotation and hides whether a user exists', () => {
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        EnableTokenRevocation: true,
        PreventUserExistenceErrors: 'ENABLED',
        RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 10 },
      });
    });

    it('denies REFRESH_TOKEN_AUTH, which rotation replaces with the token endpoint', () => {
      const client = Object.values(template.findResources('AWS::Cognito::UserPoolClient'))[0];

      expect(client.Properties.ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH']);
    });

    it('takes token lifetimes and rotation grace from the stage config', () => {
      const custom = synth({ accessTokenMinutes: 30, idTokenMinutes: 10, refreshTokenDays: 1, refreshRotationGraceSeconds: 0 });

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
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    it('retains the table and its key when the stack is deleted', () => {
      template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
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
      synth({ authorizerCacheTtlSeconds: 300 }).template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
        AuthorizerResultTtlInSeconds: 300,
      });
    });

    it('gets the pool, client and table from the stack and requires origin_jti', () => {
      const env = template.toJSON().Resources[authorizerId].Properties.Environment.Variables;

      expect(env).toEqual({
        [AuthorizerEnv.userPoolId]: { Ref: poolId },
        [AuthorizerEnv.clientId]: { Ref: clientId },
        [AuthorizerEnv.revocationTable]: { Ref: tableId },
        [AuthorizerEnv.requireSessionId]: 'true',
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
      const forbidden = /^(\*|dynamodb:(\*|PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)|kms:\*)$/;

      expect(actions.length).toBeGreaterThan(0);
      expect(actions.filter((a) => forbidden.test(a))).toEqual([]);
    });
  });

  describe('routes', () => {
    it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
      'builds %s from the route table, authorized unless listed public',
      (_key, route) => {
        const method = findMethod(template, route.method, route.path);

        if (route.auth === 'public') {
          expect(method.AuthorizationType).toBe('NONE');
          expect(method.AuthorizerId).toBeUndefined();
        } else {
          expect(method.AuthorizationType).toBe('CUSTOM');
          expect(method.AuthorizerId).toEqual({ Ref: logicalId(stack, { node: stack.restApi.api.node.findChild('..') }) });
        }
      },
    );
  });
});
