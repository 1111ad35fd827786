// Sessions in the stack: the sessions table, the auth/admin functions' environment, and their least-privilege roles.
import { Template } from 'aws-cdk-lib/assertions';
import { AdminEnv } from '../../lambdas/admin/env';
import { AuthEnv } from '../../lambdas/auth/env';
import { EventsEnv } from '../../lambdas/events/env';
import { ROUTES } from '../../lambdas/shared/routes';
import { SessionTableSchema } from '../../lambdas/shared/table-schemas';
import { SignalingEnv } from '../../lambdas/signaling/env';
import { GuardStack } from '../../lib/guard-stack';
import { loadStageConfig } from '../../lib/stage-config';
import { connectionsArn, grantPairs, pair } from '../helpers/iam-grants';
import type { Statement } from '../helpers/iam-grants';
import { testApp } from './test-app';

type Resource = { Type: string; Properties: Record<string, unknown> };

const stack = new GuardStack(testApp(), 'CognitoGuard', {
  config: loadStageConfig({ refreshTokenDays: 30, refreshRotationGraceSeconds: 20 }),
});
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, Resource>;
const id = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);
const sessionsTable = id(stack.sessions.table);
const sessionsKey = id(stack.sessions.key);
const revocationTable = id(stack.revocations.table);
const revocationKey = id(stack.revocations.key);
const pool = id(stack.identity.userPool);
const connectionsTable = id(stack.signaling.table);
const connectionsKey = id(stack.signaling.key);
const signalingApi = id(stack.signaling.api);
const eventBus = id(stack.events.bus);
const clientSecret = id(stack.identity.clientSecret);
const cookieKey = id(stack.sessions.cookieKey);
const asList = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

function functionOf(service: string): Resource {
  const found = Object.values(resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
        ?.POWERTOOLS_SERVICE_NAME === service,
  );
  if (!found) throw new Error(`no ${service} function`);
  return found;
}

function variables(service: string): Record<string, unknown> {
  return (functionOf(service).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

/** Every non-logs statement of the role of a function. */
function dataStatements(service: string): Statement[] {
  const role = JSON.stringify(
    (functionOf(service).Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
  );
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) =>
      (r.Properties.Roles as unknown[]).some(
        (ref) => JSON.stringify(ref) === JSON.stringify({ Ref: JSON.parse(role) }),
      ),
    )
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((s) => asList(s.Action).some((a) => !a.startsWith('logs:')));
}

describe('sessions', () => {
  describe('table', () => {
    it('is keyed on sessionId with a by-user index, on demand, TTL on expiresAt, PITR', () => {
      expect(resources[sessionsTable]?.Properties).toMatchObject({
        KeySchema: [{ AttributeName: SessionTableSchema.partitionKey, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: [
          {
            IndexName: 'bySub',
            KeySchema: [{ AttributeName: 'sub', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    });

    it('is encrypted with its own rotating customer-managed key, and both are retained', () => {
      expect(resources[sessionsTable]?.Properties.SSESpecification).toMatchObject({
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [sessionsKey, 'Arn'] },
      });
      expect(resources[sessionsKey]?.Properties.EnableKeyRotation).toBe(true);
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        Properties: { KeySchema: [{ AttributeName: 'sessionId', KeyType: 'HASH' }] },
      });
    });
  });

  describe('environment', () => {
    it('gives the auth function the pool, tables, managed-login domain, lifetimes and origin_jti requirement', () => {
      const env = variables('auth');
      expect(env).toMatchObject({
        [AuthEnv.userPoolId]: { Ref: pool },
        [AuthEnv.sessionsTable]: { Ref: sessionsTable },
        [AuthEnv.revocationTable]: { Ref: revocationTable },
        // The distribution's URL: one origin (test/infra/edge.test.ts checks the exact value).
        [AuthEnv.allowedOrigins]: { 'Fn::Join': ['', ['https://', expect.anything()]] },
        [AuthEnv.logoutRedirectUri]: { 'Fn::Join': ['', ['https://', expect.anything(), '/']] },
        [AuthEnv.refreshTokenValiditySeconds]: String(30 * 86400),
        [AuthEnv.rotationGraceSeconds]: '20',
        [AuthEnv.requireSessionId]: 'true',
        [AuthEnv.redirectUri]: { 'Fn::Join': ['', ['https://', expect.anything(), '/']] },
        // ARNs of the secrets (Ref of a Secret is its ARN), never their values.
        [AuthEnv.clientSecretId]: { Ref: clientSecret },
        [AuthEnv.cookieKeySecretId]: { Ref: cookieKey },
      });
      expect(JSON.stringify(env[AuthEnv.cognitoDomainUrl])).toMatch(
        /https:\/\/.*\.auth\..*amazoncognito\.com/,
      );
    });

    it('never allows an insecure token endpoint or a foreign JWKS in AWS', () => {
      expect(variables('auth')).not.toHaveProperty(AuthEnv.allowInsecureTokenEndpoint);
      expect(variables('auth')).not.toHaveProperty(AuthEnv.jwksUri);
    });

    it('gives the admin function exactly its settings', () => {
      expect(Object.keys(variables('admin')).sort()).toEqual(
        [
          ...Object.values(AdminEnv),
          SignalingEnv.connectionsTable, // it closes sockets; the per-user cap is $connect's alone
          SignalingEnv.connectionsEndpoint,
          EventsEnv.eventBusName,
          EventsEnv.issuer,
          'POWERTOOLS_SERVICE_NAME',
        ].sort(),
      );
    });
  });

  describe.each(['auth', 'admin'])('%s role', (service) => {
    it('may revoke, read/write sessions (named index only), globally sign out (admin: list) users of this pool (auth: read its two secrets), nothing more', () => {
      const arn = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
      const index = { 'Fn::Join': ['', [arn(sessionsTable), '/index/bySub']] };
      const kms = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'];
      expect(grantPairs(dataStatements(service))).toEqual(
        [
          ...['dynamodb:UpdateItem', 'dynamodb:BatchGetItem', 'dynamodb:GetItem'].map((a) =>
            pair(a, arn(revocationTable)),
          ),
          ...kms.map((a) => pair(a, arn(revocationKey))),
          ...['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'].map((a) =>
            pair(a, arn(sessionsTable)),
          ),
          pair('dynamodb:Query', index),
          ...kms.map((a) => pair(a, arn(sessionsKey))),
          pair('cognito-idp:AdminUserGlobalSignOut', arn(pool)),
          // Token handler: only the auth function reads the client secret and the cookie key.
          ...(service === 'auth'
            ? [clientSecret, cookieKey].flatMap((secret) =>
                ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'].map((a) =>
                  pair(a, { Ref: secret }),
                ),
              )
            : []),
          ...(service === 'admin' ? [pair('cognito-idp:ListUsers', arn(pool))] : []),
          // SocketCloser: find the affected sockets, drop stale rows, close them through @connections.
          pair('dynamodb:DeleteItem', arn(connectionsTable)),
          // A socket found gone leaves its room and socket set (room and socket-set items only: LeadingKeys).
          pair('dynamodb:UpdateItem', arn(connectionsTable)),
          ...['bySub', 'bySession'].map((i) =>
            pair('dynamodb:Query', { 'Fn::Join': ['', [arn(connectionsTable), `/index/${i}`]] }),
          ),
          pair('kms:Decrypt', arn(connectionsKey)),
          // Events out: PutEvents on our bus only.
          pair('events:PutEvents', arn(eventBus)),
          pair('execute-api:ManageConnections', connectionsArn(signalingApi)),
        ].sort(),
      );
    });
  });

  it('denies the authorizer any access to the sessions table and any write to the deny-list', () => {
    const statements = dataStatements('authorizer');
    expect(JSON.stringify(statements)).not.toContain(sessionsTable);
    expect(
      statements.flatMap((s) => asList(s.Action)).filter((a) => /Put|Update|Delete|Write/.test(a)),
    ).toEqual([]);
  });

  it('routes /auth/login, /auth/session and /auth/refresh public, every other session route through the authorizer', () => {
    const methods = Object.values(resources).filter(
      (r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.HttpMethod !== 'OPTIONS',
    );
    const sessionRoutes = ROUTES.filter((r) => r.fn === 'auth' || r.fn === 'admin');
    const publicCount = sessionRoutes.filter((r) => r.auth === 'public').length;
    const byType = (type: string) => methods.filter((m) => m.Properties.AuthorizationType === type).length;
    expect(publicCount).toBe(3);
    expect(byType('NONE')).toBe(ROUTES.filter((r) => r.auth === 'public').length);
    expect(byType('CUSTOM')).toBe(ROUTES.filter((r) => r.auth === 'authorized').length);
  });
});
