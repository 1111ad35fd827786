// A user's own sessions on the offline stack: listed with device facts, one ended from another device, others' 404.
import { DynamoSessionStore } from '../../lambdas/adapters/dynamo-session-store';
import { AuthEnv } from '../../lambdas/auth/env';
import { BrowserSession } from '../helpers/browser-session';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { demoUser } from '../helpers/sign-in';
import type { WsClient } from '../helpers/ws-client';
import { connectWs } from '../helpers/ws-client';

let stack: TestStack;
let sessions: DynamoSessionStore;
const sockets: WsClient[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  sessions = new DynamoSessionStore(process.env[AuthEnv.sessionsTable]!);
});

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.ws.terminate();
});

afterAll(async () => {
  await stack?.dispose();
});

const LAPTOP = 'Mozilla/5.0 (X11; Linux x86_64) laptop';
const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) phone';

async function signedIn(name: 'alice' | 'bob', userAgent: string): Promise<BrowserSession> {
  const browser = new BrowserSession(stack.outputs);
  browser.userAgent = userAgent;
  await browser.signIn(demoUser(stack.outputs, name));
  return browser;
}

async function socket(accessToken: string): Promise<WsClient> {
  const client = await connectWs(stack.outputs.wsUrl!, accessToken, { origin: stack.outputs.appUrl });
  sockets.push(client);
  return client;
}

type Listed = { sessionId: string; userAgent?: string; ip?: string; current: boolean; lastUsedAt: number };
const listed = async (browser: BrowserSession): Promise<Listed[]> => {
  const answer = await browser.call('GET', '/me/sessions');
  expect(answer.status).toBe(200);
  return answer.body.sessions as Listed[];
};

describe('GET /me/sessions', () => {
  it('lists both devices of a user, newest first, the calling one marked current', async () => {
    const laptop = await signedIn('bob', LAPTOP);
    const phone = await signedIn('bob', PHONE);
    const seen = await listed(laptop);
    const mine = seen.filter((s) => [laptop.sessionId, phone.sessionId].includes(s.sessionId));
    expect(mine).toHaveLength(2);
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          sessionId: phone.sessionId,
          userAgent: PHONE,
          device: 'iOS',
          current: false,
        }),
        expect.objectContaining({
          sessionId: laptop.sessionId,
          userAgent: LAPTOP,
          device: 'Linux',
          current: true,
        }),
      ]),
    );
    const created = seen.map((s) => (s as Listed & { createdAt: number }).createdAt);
    expect(created).toEqual([...created].sort((a, b) => b - a)); // newest first
    expect(mine[0].ip).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
    expect(Object.keys(mine[0]).sort()).toEqual([
      'createdAt',
      'current',
      'device',
      'ip',
      'lastUsedAt',
      'sessionId',
      'userAgent',
    ]);
    const other = await signedIn('alice', LAPTOP);
    expect((await listed(other)).map((s) => s.sessionId)).not.toContain(laptop.sessionId);
  });

  it('updates the device and last use at refresh', async () => {
    const browser = await signedIn('bob', LAPTOP);
    const before = await sessions.get(browser.sessionId);
    browser.userAgent = `${LAPTOP} updated`;
    await new Promise((resolve) => setTimeout(resolve, 1100)); // second-granular timestamps
    expect((await browser.refresh()).status).toBe(200);
    const after = (await listed(browser)).find((s) => s.sessionId === browser.sessionId);
    expect(after).toMatchObject({ userAgent: `${LAPTOP} updated`, current: true });
    expect(after!.lastUsedAt).toBeGreaterThan(before!.refreshedAt);
    expect((await sessions.get(browser.sessionId))?.expiresAt).toBe(before!.expiresAt); // same TTL
  });
});

describe('POST /me/sessions/{sessionId}/revoke', () => {
  it('ends the other device: its token 401, its socket closed, its cookie refused; this one goes on', async () => {
    const laptop = await signedIn('alice', LAPTOP);
    const phone = await signedIn('alice', PHONE);
    const phoneSocket = await socket(phone.accessToken);
    const revoked = await laptop.call('POST', `/me/sessions/${phone.sessionId}/revoke`);
    expect(revoked).toMatchObject({ status: 200, body: { sessionId: phone.sessionId, status: 'revoked' } });
    expect((await phone.me()).status).toBe(401);
    expect((await phoneSocket.closed).code).toBeGreaterThan(0);
    expect((await phone.refresh()).status).toBe(401);
    expect((await laptop.me()).status).toBe(200);
    expect((await listed(laptop)).map((s) => s.sessionId)).not.toContain(phone.sessionId);
    expect(await sessions.get(phone.sessionId)).toMatchObject({
      status: 'revoked',
      revokedBy: laptop.sub,
      revokedReason: 'user-revoke',
    });
  });

  it("answers 404 for another user's session and changes nothing", async () => {
    const victim = await signedIn('bob', PHONE);
    const victimSocket = await socket(victim.accessToken);
    let closed = false;
    void victimSocket.closed.then(() => (closed = true));
    const attacker = await signedIn('alice', LAPTOP);
    const answer = await attacker.call('POST', `/me/sessions/${victim.sessionId}/revoke`);
    expect(answer).toMatchObject({ status: 404, body: { error: 'ERR_NOT_FOUND' } });
    expect(await sessions.get(victim.sessionId)).toMatchObject({ status: 'active' });
    expect((await victim.me()).status).toBe(200);
    expect((await victim.refresh()).status).toBe(200);
    expect(closed).toBe(false);
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    const browser = await signedIn('alice', LAPTOP);
    expect((await browser.call('POST', '/me/sessions/not%20an%20id/revoke')).status).toBe(400);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await browser.call('POST', `/me/sessions/${unknown}/revoke`)).status).toBe(404);
  });

  it('ending the current session is a logout: cookie cleared, token refused', async () => {
    const browser = await signedIn('bob', LAPTOP);
    const answer = await browser.call('POST', `/me/sessions/${browser.sessionId}/revoke`);
    expect(answer.status).toBe(200);
    expect(answer.setCookies[0]).toMatch(/^__Host-cg_refresh=; Max-Age=0;/);
    expect((await browser.me()).status).toBe(401);
  });
});
