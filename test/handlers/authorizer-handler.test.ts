// The REST authorizer handler end to end in-process: JWKS from a local server, deny-list in dynalite, logs captured.

import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { captureLogs, type CapturedLogs } from '../helpers/capture-logs';
import { accessTokenClaims, rsaTestKey, signRs256 } from '../helpers/jwt';
import type { RestAuthorizer } from '../helpers/rest-authorizer';
import { meEvent, startRestAuthorizer } from '../helpers/rest-authorizer';

const key = rsaTestKey('handler-kid');
let authorizer: RestAuthorizer;
let handler: RestAuthorizer['handler'];
let logs: CapturedLogs;

function event(authorization?: string): APIGatewayRequestAuthorizerEvent {
  return meEvent(authorization, '198.51.100.7');
}

beforeAll(async () => {
  authorizer = await startRestAuthorizer(key, { tmpPrefix: 'cg-authz-' });
  ({ handler } = authorizer);
});

beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.stop());

afterAll(async () => {
  await authorizer?.stop();
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
    ['no Authorization header', undefined, 'ERR_TOKEN_MISSING', 'Bearer realm="cognito-guard"'],
    [
      'a non-Bearer scheme',
      'Basic dXNlcjpwYXNz',
      'ERR_TOKEN_MALFORMED',
      'Bearer realm="cognito-guard", error="invalid_request", error_description="ERR_TOKEN_MALFORMED"',
    ],
    [
      'a garbage token',
      'Bearer not.a.jwt',
      'ERR_TOKEN_MALFORMED',
      'Bearer realm="cognito-guard", error="invalid_token", error_description="ERR_TOKEN_MALFORMED"',
    ],
    [
      'an expired token',
      `Bearer ${signRs256(key, accessTokenClaims({ exp: 1000, iat: 900 }))}`,
      'ERR_TOKEN_EXPIRED',
      'Bearer realm="cognito-guard", error="invalid_token", error_description="ERR_TOKEN_EXPIRED"',
    ],
    [
      'a token without origin_jti',
      `Bearer ${signRs256(key, accessTokenClaims({ origin_jti: undefined }))}`,
      'ERR_TOKEN_CLAIMS',
      'Bearer realm="cognito-guard", error="invalid_token", error_description="ERR_TOKEN_CLAIMS"',
    ],
  ])(
    'denies %s with a Deny policy carrying the reason and one auth_denied line',
    async (_name, authorization, reason, challenge) => {
      expect(await handler(event(authorization))).toEqual({
        principalId: expect.any(String),
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Action: 'execute-api:Invoke',
              Effect: 'Deny',
              Resource: 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*',
            },
          ],
        },
        context: { reason, message: expect.any(String), wwwAuthenticate: challenge },
      });
      const denied = logs.lines().filter((line) => line.event === 'auth_denied');
      expect(denied).toEqual([
        expect.objectContaining({ reason, route: 'GET /me', sourceIp: '198.51.100.7', userAgent: 'jest' }),
      ]);
    },
  );

  it('denies a request carrying two Authorization headers', async () => {
    const token = signRs256(key, accessTokenClaims());
    const twice = {
      ...event(`Bearer ${token}`),
      multiValueHeaders: { Authorization: [`Bearer ${token}`, `Bearer ${token}`] },
    };
    expect(await handler(twice)).toMatchObject({ context: { reason: 'ERR_TOKEN_MALFORMED' } });
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({ event: 'auth_denied', reason: 'ERR_TOKEN_MALFORMED' }),
    );
  });

  it('never writes the token or the Authorization header to the log, only a fingerprint', async () => {
    const token = signRs256(key, accessTokenClaims({ exp: 1000, iat: 900 }));
    expect(await handler(event(`Bearer ${token}`))).toMatchObject({
      context: { reason: 'ERR_TOKEN_EXPIRED' },
    });
    const [line] = logs.lines().filter((l) => l.event === 'auth_denied');
    expect(line.tokenFingerprint).toMatch(/^[0-9a-f]{12}$/);
    for (const part of token.split('.')) expect(logs.text()).not.toContain(part);
  });
});
