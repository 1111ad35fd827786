// The REST authorizer in monitor mode: a revoked token is let through and logged as would_deny; bad tokens still 401.

import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { DynamoRevocationStore } from '../../lambdas/adapters/dynamo-revocation-store';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import { systemClock } from '../../lambdas/shared/ports';
import { RevocationService } from '../../lambdas/shared/revocation-service';
import { captureLogs, type CapturedLogs } from '../helpers/capture-logs';
import { accessTokenClaims, rsaTestKey, signRs256 } from '../helpers/jwt';
import type { RestAuthorizer } from '../helpers/rest-authorizer';
import { meEvent, startRestAuthorizer } from '../helpers/rest-authorizer';

const key = rsaTestKey('monitor-kid');
const forger = rsaTestKey('monitor-kid'); // same kid, different key: a forged signature
let authorizer: RestAuthorizer;
let handler: RestAuthorizer['handler'];
let revocations: RevocationService;
let logs: CapturedLogs;

function event(token: string): APIGatewayRequestAuthorizerEvent {
  return meEvent(`Bearer ${token}`, '198.51.100.8');
}

beforeAll(async () => {
  authorizer = await startRestAuthorizer(key, {
    tmpPrefix: 'cg-monitor-',
    env: { [AuthorizerEnv.enforcementMode]: 'monitor' },
  });
  ({ handler } = authorizer);
  revocations = new RevocationService(new DynamoRevocationStore('Revocations'), systemClock, {
    refreshTokenValiditySeconds: 3600,
  });
});

beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.stop());

afterAll(async () => {
  await authorizer?.stop();
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
  ])('denies %s with a Deny policy and one auth_denied line', async (_name, token, reason) => {
    expect(await handler(event(token()))).toMatchObject({
      policyDocument: { Statement: [{ Effect: 'Deny' }] },
      context: { reason },
    });

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

    expect(
      await handler(event(signRs256(key, accessTokenClaims({ jti: 'mon-both', exp: 1000, iat: 900 })))),
    ).toMatchObject({ context: { reason: 'ERR_TOKEN_EXPIRED' } });
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({ event: 'auth_denied', reason: 'ERR_TOKEN_EXPIRED' }),
    );
  });
});
