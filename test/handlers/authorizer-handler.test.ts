// The REST authorizer handler end to end in-process: JWKS from a local server, deny-list in dynalite, logs captured.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import type { LocalDynamo } from '../../local/dynamo';
import { startDynamo } from '../../local/dynamo';
import { captureLogs, type CapturedLogs } from '../helpers/capture-logs';
import { accessTokenClaims, rsaTestKey, signRs256, TEST_CLIENT_ID, TEST_POOL_ID } from '../helpers/jwt';

const key = rsaTestKey('handler-kid');
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/me';
let dir: string;
let dynamo: LocalDynamo;
let jwks: Server;
let handler: (event: APIGatewayRequestAuthorizerEvent) => Promise<unknown>;
let logs: CapturedLogs;

function event(authorization?: string): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    resource: '/me',
    path: '/me',
    httpMethod: 'GET',
    headers: authorization === undefined ? {} : { Authorization: authorization },
    multiValueHeaders: authorization === undefined ? {} : { Authorization: [authorization] },
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: { identity: { sourceIp: '198.51.100.7', userAgent: 'jest' } } as never,
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cg-authz-'));
  dynamo = await startDynamo({ dir, host: '127.0.0.1', port: 0, envName: 'DYNAMO_PORT' });
  jwks = createServer((_req, res) => res.end(JSON.stringify({ keys: [key.publicJwk] })));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    [AuthorizerEnv.userPoolId]: TEST_POOL_ID,
    [AuthorizerEnv.clientId]: TEST_CLIENT_ID,
    [AuthorizerEnv.revocationTable]: 'Revocations',
    [AuthorizerEnv.jwksUri]: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
    [AuthorizerEnv.requireSessionId]: 'true',
  });
  ({ handler } = await import('../../lambdas/authorizer/handler'));
});

beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.stop());

afterAll(async () => {
  await new Promise((resolve) => jwks.close(resolve));
  await dynamo.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('authorizer handler', () => {
  it('allows a valid token with a policy for the whole stage and the identity as context', async () => {
    const result = await handler(event(`Bearer ${signRs256(key, accessTokenClaims({ jti: 'allow-1' }))}`));
    expect(result).toEqual({
      principalId: 'aaaaaaaa-1111-2222-3333-444444444444',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'execute-api:Invoke',
            Effect: 'Allow',
            Resource: 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*',
          },
        ],
      },
      context: expect.objectContaining({
        sub: 'aaaaaaaa-1111-2222-3333-444444444444',
        groups: 'admins',
        jti: 'allow-1',
        sessionId: 'origin-jti-1',
      }),
    });
  });

  it.each([
    ['no Authorization header', undefined, 'ERR_TOKEN_MISSING'],
    ['a non-Bearer scheme', 'Basic dXNlcjpwYXNz', 'ERR_TOKEN_MALFORMED'],
    ['a garbage token', 'Bearer not.a.jwt', 'ERR_TOKEN_MALFORMED'],
    [
      'an expired token',
      `Bearer ${signRs256(key, accessTokenClaims({ exp: 1000, iat: 900 }))}`,
      'ERR_TOKEN_EXPIRED',
    ],
    [
      'a token without origin_jti',
      `Bearer ${signRs256(key, accessTokenClaims({ origin_jti: undefined }))}`,
      'ERR_TOKEN_CLAIMS',
    ],
  ])('denies %s with 401 and one auth_denied line', async (_name, authorization, reason) => {
    await expect(handler(event(authorization))).rejects.toThrow(/^Unauthorized$/);
    const denied = logs.lines().filter((line) => line.event === 'auth_denied');
    expect(denied).toEqual([
      expect.objectContaining({ reason, route: 'GET /me', sourceIp: '198.51.100.7', userAgent: 'jest' }),
    ]);
  });

  it('denies a request carrying two Authorization headers', async () => {
    const token = signRs256(key, accessTokenClaims());
    const twice = {
      ...event(`Bearer ${token}`),
      multiValueHeaders: { Authorization: [`Bearer ${token}`, `Bearer ${token}`] },
    };
    await expect(handler(twice)).rejects.toThrow('Unauthorized');
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({ event: 'auth_denied', reason: 'ERR_TOKEN_MALFORMED' }),
    );
  });

  it('never writes the token or the Authorization header to the log, only a fingerprint', async () => {
    const token = signRs256(key, accessTokenClaims({ exp: 1000, iat: 900 }));
    await expect(handler(event(`Bearer ${token}`))).rejects.toThrow('Unauthorized');
    const [line] = logs.lines().filter((l) => l.event === 'auth_denied');
    expect(line.tokenFingerprint).toMatch(/^[0-9a-f]{12}$/);
    for (const part of token.split('.')) expect(logs.text()).not.toContain(part);
  });
});
