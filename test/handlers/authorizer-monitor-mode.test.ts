// The REST authorizer in monitor mode: a revoked token is let through and logged as would_deny; bad tokens still 401.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { DynamoRevocationStore } from '../../lambdas/adapters/dynamo-revocation-store';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import { systemClock } from '../../lambdas/shared/ports';
import { RevocationService } from '../../lambdas/shared/revocation-service';
import type { LocalDynamo } from '../../local/dynamo';
import { startDynamo } from '../../local/dynamo';
import { captureLogs, type CapturedLogs } from '../helpers/capture-logs';
import { accessTokenClaims, rsaTestKey, signRs256, TEST_CLIENT_ID, TEST_POOL_ID } from '../helpers/jwt';

const key = rsaTestKey('monitor-kid');
const forger = rsaTestKey('monitor-kid'); // same kid, different key: a forged signature
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/me';
let dir: string;
let dynamo: LocalDynamo;
let jwks: Server;
let handler: (event: APIGatewayRequestAuthorizerEvent) => Promise<unknown>;
let revocations: RevocationService;
let logs: CapturedLogs;

function event(token: string): APIGatewayRequestAuthorizerEvent {
  const authorization = `Bearer ${token}`;
  return {
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    resource: '/me',
    path: '/me',
    httpMethod: 'GET',
    headers: { Authorization: authorization },
    multiValueHeaders: { Authorization: [authorization] },
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: { identity: { sourceIp: '198.51.100.8', userAgent: 'jest' } } as never,
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cg-monitor-'));
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
    [AuthorizerEnv.enforcementMode]: 'monitor',
  });
  revocations = new RevocationService(new DynamoRevocationStore('Revocations'), systemClock, {
    refreshTokenValiditySeconds: 3600,
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

const by = { actor: 'test', reason: 'test' };

describe('authorizer handler in monitor mode', () => {
  it.each([
    [
      'token',
      'mon-jti-1',
      'origin-mon-1',
      () =>
        revocations.revokeToken(
          {
            jti: 'mon-jti-1',
            sub: 'aaaaaaaa-1111-2222-3333-444444444444',
            exp: Math.floor(Date.now() / 1000) + 900,
          },
          by,
        ),
    ],
    [
      'session',
      'mon-jti-2',
      'origin-mon-2',
      () =>
        revocations.revokeSession(
          { sessionId: 'origin-mon-2', sub: 'aaaaaaaa-1111-2222-3333-444444444444' },
          by,
        ),
    ],
  ])(
    'allows a token revoked by %s and logs one would_deny line, no auth_denied',
    async (scope, jti, originJti, revoke) => {
      await revoke();
      const token = signRs256(key, accessTokenClaims({ jti, origin_jti: originJti }));

      await expect(handler(event(token))).resolves.toMatchObject({
        policyDocument: { Statement: [{ Effect: 'Allow' }] },
      });

      expect(logs.lines().filter((l) => l.event === 'would_deny')).toEqual([
        expect.objectContaining({
          reason: 'ERR_TOKEN_REVOKED',
          scope,
          route: 'GET /me',
          jti,
          sourceIp: '198.51.100.8',
        }),
      ]);
      expect(logs.lines().filter((l) => l.event === 'auth_denied')).toEqual([]);
      expect(logs.text()).toMatch(/"WouldDeny":1/);
      for (const part of token.split('.')) expect(logs.text()).not.toContain(part);
    },
  );

  it.each([
    [
      'a forged token',
      () => signRs256(forger, accessTokenClaims({ jti: 'mon-forged' })),
      'ERR_TOKEN_SIGNATURE',
    ],
    [
      'an expired token',
      () => signRs256(key, accessTokenClaims({ jti: 'mon-expired', exp: 1000, iat: 900 })),
      'ERR_TOKEN_EXPIRED',
    ],
    [
      'a token for another client',
      () => signRs256(key, accessTokenClaims({ client_id: 'someoneelse' })),
      'ERR_TOKEN_CLAIMS',
    ],
  ])('denies %s with 401 and one auth_denied line', async (_name, token, reason) => {
    await expect(handler(event(token()))).rejects.toThrow(/^Unauthorized$/);

    expect(logs.lines().filter((l) => l.event === 'auth_denied')).toEqual([
      expect.objectContaining({ reason }),
    ]);
    expect(logs.lines().filter((l) => l.event === 'would_deny')).toEqual([]);
  });

  it('denies an expired token even when it is also revoked', async () => {
    await revocations.revokeToken(
      { jti: 'mon-both', sub: 'aaaaaaaa-1111-2222-3333-444444444444', exp: 2000 },
      by,
    );

    await expect(
      handler(event(signRs256(key, accessTokenClaims({ jti: 'mon-both', exp: 1000, iat: 900 })))),
    ).rejects.toThrow('Unauthorized');
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({ event: 'auth_denied', reason: 'ERR_TOKEN_EXPIRED' }),
    );
  });
});
