// Sessions on the offline stack, as a browser would: login form, cookie jar, Origin + CSRF header, logout, revoke.
import { DynamoSessionStore } from '../../lambdas/adapters/dynamo-session-store';
import { AuthEnv } from '../../lambdas/auth/env';
import { refreshFingerprint } from '../../lambdas/sessions/refresh-registry';
import type { DemoUser } from '../../local/seed';
import { BrowserSession } from '../helpers/browser-session';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { authorizationCode, demoUser } from '../helpers/sign-in';

let stack: TestStack;
let sessions: DynamoSessionStore;

beforeAll(async () => {
  stack = await startTestStack();
  sessions = new DynamoSessionStore(process.env[AuthEnv.sessionsTable]!);
});

afterAll(async () => {
  await stack?.dispose();
});

const demo = (name: 'alice' | 'bob' | 'admin'): DemoUser => demoUser(stack.outputs, name);
const browserSession = () => new BrowserSession(stack.outputs);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sign-in, refresh, logout', () => {
  it('signs in, calls /me, refreshes, logs out; the old access token and the old cookie are refused', async () => {
    const browser = browserSession();
    const signedIn = await browser.signIn(demo('alice'));
    expect(Object.keys(signedIn.body).sort()).toEqual(['accessToken', 'expiresIn', 'idToken']);
    expect(signedIn.setCookies).toHaveLength(1);
    expect(signedIn.setCookies[0]).toMatch(
      /^__Host-cg_refresh=[\w-]+:[\w.-]+; Max-Age=604800; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    expect((await browser.me()).status).toBe(200);

    const refreshed = await browser.refresh();
    expect(refreshed.status).toBe(200);
    expect(refreshed.setCookies).toEqual([]); // cognito-local does not rotate
    expect((await browser.me()).status).toBe(200);

    const oldCookie = browser.refreshCookie;
    const loggedOut = await browser.call('POST', '/auth/logout');
    expect(loggedOut.status).toBe(200);
    expect(loggedOut.body.logoutUrl).toBe(
      `${stack.outputs.hostedUiUrl}/logout?client_id=${stack.outputs.clientId}&logout_uri=${encodeURIComponent(stack.outputs.redirectUri)}`,
    );
    expect(loggedOut.setCookies[0]).toMatch(/^__Host-cg_refresh=; Max-Age=0;/);
    expect(browser.cookies.size).toBe(0);

    expect((await browser.me()).status).toBe(401);
    browser.cookies.set('__Host-cg_refresh', oldCookie); // a copy of the cookie taken before logout
    expect(await browser.refresh()).toMatchObject({ status: 401, body: { error: 'ERR_TOKEN_REVOKED' } });
  });

  it('ends only the session that logs out', async () => {
    const [laptop, phone] = [browserSession(), browserSession()];
    await laptop.signIn(demo('alice'));
    await phone.signIn(demo('alice'));
    expect((await laptop.call('POST', '/auth/logout')).status).toBe(200);
    expect((await laptop.me()).status).toBe(401);
    expect((await phone.me()).status).toBe(200);
    expect((await phone.refresh()).status).toBe(200);
    expect((await phone.me()).status).toBe(200);
  });

  it('denies a refresh without the CSRF header or from a foreign Origin, and changes nothing', async () => {
    const browser = browserSession();
    await browser.signIn(demo('alice'));
    expect(await browser.refresh({ csrf: false })).toMatchObject({
      status: 403,
      body: { error: 'ERR_CSRF' },
    });
    browser.origin = 'https://evil.example';
    expect(await browser.refresh()).toMatchObject({ status: 403, body: { error: 'ERR_CSRF' } });
    browser.origin = stack.outputs.apiUrl;
    expect((await browser.refresh()).status).toBe(200);
  });

  it('rejects a sign-in with a bad body or a used code and sets no cookie', async () => {
    const browser = browserSession();
    const { code, codeVerifier } = await authorizationCode(stack.outputs, demo('alice'));
    const body = { code, codeVerifier, redirectUri: stack.outputs.redirectUri };
    expect(await browser.call('POST', '/auth/session', { body: { code }, bearer: false })).toMatchObject({
      status: 400,
      body: { error: 'ERR_BAD_REQUEST' },
    });
    expect((await browser.call('POST', '/auth/session', { body, bearer: false })).status).toBe(200);
    const replayed = await browser.call('POST', '/auth/session', { body, bearer: false });
    expect(replayed).toMatchObject({ status: 400, body: { error: 'ERR_BAD_REQUEST' }, setCookies: [] });
  });

  it('revokes the session when a rotated-away refresh token comes back', async () => {
    // cognito-local never rotates: put the session in the state a rotation 60 s ago would have left it in.
    const browser = browserSession();
    await browser.signIn(demo('alice'));
    const [sessionId = '', presented = ''] = browser.refreshCookie.split(':');
    const record = (await sessions.get(sessionId))!;
    const now = Math.floor(Date.now() / 1000);
    await sessions.refresh(sessionId, record.refreshFingerprint, {
      ...record,
      refreshFingerprint: refreshFingerprint('the-rotated-in-token'),
      rotated: [{ fingerprint: refreshFingerprint(presented), rotatedAt: now - 60 }],
    });

    const reused = await browser.refresh();
    expect(reused).toMatchObject({ status: 401, body: { error: 'ERR_REFRESH_REUSE' } });
    expect(reused.setCookies[0]).toMatch(/Max-Age=0/);
    expect((await browser.me()).status).toBe(401);
    expect(await sessions.get(sessionId)).toMatchObject({
      status: 'revoked',
      revokedBy: 'system',
      revokedReason: 'refresh-reuse',
    });
  });
});

describe('admin', () => {
  it('lists and revokes a user: bob is out everywhere, alice is unaffected', async () => {
    const [admin, bob, alice] = [browserSession(), browserSession(), browserSession()];
    await admin.signIn(demo('admin'));
    await bob.signIn(demo('bob'));
    await alice.signIn(demo('alice'));

    const listed = await admin.call('GET', `/admin/users/${bob.sub}/sessions`);
    expect(listed.status).toBe(200);
    const [bobSessionId] = bob.refreshCookie.split(':');
    expect(
      (listed.body.sessions as { sessionId: string; status: string }[]).map((s) => [s.sessionId, s.status]),
    ).toEqual([[bobSessionId, 'active']]);
    expect(JSON.stringify(listed.body)).not.toContain(bob.refreshCookie.split(':')[1]);

    const revoked = await admin.call('POST', `/admin/users/${bob.sub}/revoke`);
    expect(revoked).toMatchObject({
      status: 200,
      body: { sessionsRevoked: 1, globalSignOut: 'unsupported' },
    });
    expect((await bob.me()).status).toBe(401);
    expect(await bob.refresh()).toMatchObject({ status: 401, body: { error: 'ERR_TOKEN_REVOKED' } });
    expect((await alice.me()).status).toBe(200);
    expect((await alice.refresh()).status).toBe(200);
  });

  it('revokes one session of a user and leaves the other', async () => {
    const [admin, first, second] = [browserSession(), browserSession(), browserSession()];
    await admin.signIn(demo('admin'));
    await first.signIn(demo('alice'));
    await second.signIn(demo('alice'));
    const [sessionId] = first.refreshCookie.split(':');
    expect((await admin.call('POST', `/admin/sessions/${sessionId}/revoke`)).status).toBe(200);
    expect((await first.me()).status).toBe(401);
    expect((await first.refresh()).status).toBe(401);
    expect((await second.me()).status).toBe(200);
    expect(await admin.call('POST', '/admin/sessions/no-such-session/revoke')).toMatchObject({
      status: 404,
      body: { error: 'ERR_NOT_FOUND' },
    });
  });

  it('finds a user by email prefix for the admin, with the sub the other admin routes take', async () => {
    const [admin, bob] = [browserSession(), browserSession()];
    await admin.signIn(demo('admin'));
    await bob.signIn(demo('bob'));
    const found = await admin.call('GET', '/admin/users?email=bob%40');
    expect(found).toMatchObject({
      status: 200,
      body: { email: 'bob@', users: [{ sub: bob.sub, email: 'bob@example.com', enabled: true }] },
    });
    expect(await admin.call('GET', '/admin/users?email=%22')).toMatchObject({
      status: 400,
      body: { error: 'ERR_BAD_REQUEST' },
    });
  });

  it('forbids the admin routes to a user outside the admins group', async () => {
    const alice = browserSession();
    await alice.signIn(demo('alice'));
    for (const [method, path] of [
      ['GET', '/admin/users?email=a'],
      ['GET', `/admin/users/${alice.sub}/sessions`],
      ['POST', `/admin/users/${alice.sub}/revoke`],
      ['POST', '/admin/sessions/any/revoke'],
    ] as const) {
      expect(await alice.call(method, path)).toMatchObject({ status: 403, body: { error: 'ERR_FORBIDDEN' } });
    }
    expect((await alice.me()).status).toBe(200);
  });
});

describe('logout everywhere', () => {
  it('kills every session of the user, including tokens issued in the same second', async () => {
    const [laptop, phone] = [browserSession(), browserSession()];
    await laptop.signIn(demo('alice'));
    await phone.signIn(demo('alice'));
    const answer = await laptop.call('POST', '/auth/logout-all');
    expect(answer).toMatchObject({ status: 200, body: { sessionsRevoked: expect.any(Number) } });
    expect(answer.setCookies[0]).toMatch(/Max-Age=0/);
    for (const browser of [laptop, phone]) expect((await browser.me()).status).toBe(401);
    expect(await phone.refresh()).toMatchObject({ status: 401, body: { error: 'ERR_TOKEN_REVOKED' } });

    await sleep(1100); // the watermark is second-granular: sign in again after it
    const fresh = browserSession();
    await fresh.signIn(demo('alice'));
    expect((await fresh.me()).status).toBe(200);
  });
});
