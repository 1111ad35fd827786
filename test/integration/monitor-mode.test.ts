// Monitor mode on the offline stack: revoked tokens pass and are logged as would_deny; bad tokens are still refused.
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import type { DemoUser } from '../../local/seed';
import { BrowserSession } from '../helpers/browser-session';
import { captureLogs, type CapturedLogs } from '../helpers/capture-logs';
import { rsaTestKey, signRs256 } from '../helpers/jwt';
import { decodePayload, EMULATOR_KEY, mintAccessToken } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { demoUser } from '../helpers/sign-in';

let logs: CapturedLogs;
let stack: TestStack;

beforeAll(async () => {
  // Read by the authorizer and the api function at their cold start, which happens inside startTestStack.
  process.env[AuthorizerEnv.enforcementMode] = 'monitor';
  logs = captureLogs();
  stack = await startTestStack({ quiet: false });
});

afterAll(async () => {
  await stack?.dispose();
  logs?.stop();
  delete process.env[AuthorizerEnv.enforcementMode];
});

const demo = (name: 'alice' | 'bob'): DemoUser => demoUser(stack.outputs, name);

const events = (event: string, from: number) =>
  logs
    .lines()
    .slice(from)
    .filter((line) => line.event === event);
const now = () => Math.floor(Date.now() / 1000);

describe('monitor mode', () => {
  it('does not tell GET /health callers that monitor mode is on', async () => {
    const health = await fetch(`${stack.outputs.apiUrl}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('allows a token revoked by logout and logs one would_deny line, no auth_denied', async () => {
    const alice = new BrowserSession(stack.outputs);
    await alice.signIn(demo('alice'));
    const token = alice.accessToken;
    expect((await alice.call('POST', '/auth/logout')).status).toBe(200);
    const mark = logs.lines().length;

    const me = await alice.call('GET', '/me', { authorization: `Bearer ${token}` });

    expect(me.status).toBe(200);
    expect(events('would_deny', mark)).toEqual([
      expect.objectContaining({
        reason: 'ERR_TOKEN_REVOKED',
        // Logout deny-lists the token's jti and its session (origin_jti): either entry may be reported.
        scope: expect.stringMatching(/^(token|session)$/),
        route: 'GET /me',
        jti: decodePayload(token).jti,
      }),
    ]);
    expect(events('auth_denied', mark)).toEqual([]);
    expect(logs.text()).toMatch(/"Reason":"ERR_TOKEN_REVOKED"[^\n]*"WouldDeny":1/);
    for (const secret of alice.secrets) expect(logs.text()).not.toContain(secret);
  });

  it.each([
    [
      'a forged token',
      () => signRs256(rsaTestKey(EMULATOR_KEY.kid), decodePayload(mintAccessToken(stack.outputs))),
      'ERR_TOKEN_SIGNATURE',
    ],
    [
      'an expired token',
      () => mintAccessToken(stack.outputs, { iat: now() - 1000, exp: now() - 60 }),
      'ERR_TOKEN_EXPIRED',
    ],
  ])('still denies %s with 401 and one auth_denied line', async (_name, token, reason) => {
    const mark = logs.lines().length;
    const bob = new BrowserSession(stack.outputs);

    const me = await bob.call('GET', '/me', { authorization: `Bearer ${token()}` });

    expect(me.status).toBe(401);
    expect(events('auth_denied', mark)).toEqual([expect.objectContaining({ reason })]);
    expect(events('would_deny', mark)).toEqual([]);
  });
});
