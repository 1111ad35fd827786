// Sessions on the offline stack, as a browser and as an attacker would: the token handler's login, sealed cookies,
// rotation and reuse through the twin's real token endpoint, logout, admin revocation.
import {
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoSessionStore } from '../../lambdas/adapters/dynamo-session-store';
import { AuthEnv } from '../../lambdas/auth/env';
import { LOGIN_COOKIE, REFRESH_COOKIE } from '../../lambdas/sessions/cookie';
import type { DemoUser } from '../../local/seed';
import { BrowserSession } from '../helpers/browser-session';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { demoUser, signIn } from '../helpers/sign-in';
import type { WsClient } from '../helpers/ws-client';
import { connectWs } from '../helpers/ws-client';

const GRACE_SECONDS = 1;
let stack: TestStack;
let sessions: DynamoSessionStore;
const sockets: WsClient[] = [];

beforeAll(async () => {
  stack = await startTestStack({ rotationGraceSeconds: GRACE_SECONDS });
  sessions = new DynamoSessionStore(process.env[AuthEnv.sessionsTable]!);
});

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.ws.terminate();
});

afterAll(async () => {
  await stack?.dispose();
});

const demo = (name: 'alice' | 'bob' | 'admin'): DemoUser => demoUser(stack.outputs, name);
const browserSession = () => new BrowserSession(stack.outputs);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Past the grace period, second-granular on both sides. */
const afterGrace = () => sleep((GRACE_SECONDS + 1) * 1000 + 200);
/** Past a user watermark set just before: it covers the whole second of the revocation. */
const afterWatermark = () => sleep(1200);

async function socket(accessToken: string): Promise<WsClient> {
  const client = await connectWs(stack.outputs.wsUrl!, accessToken, { origin: stack.outputs.appUrl });
  sockets.push(client);
  return client;
}

/** A form post to the token endpoint, as anyone holding a refresh token could send it. */
async function tokenEndpoint(body: Record<string, string>, authorization?: string) {
  const response = await fetch(stack.outputs.tokenEndpoint, {
    method: 'POST',
    headers: { ...(authorization ? { Authorization: authorization } : {}) },
    body: new URLSearchParams(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const NO_SESSION = { error: 'ERR_TOKEN_REVOKED', message: 'no valid session: sign in again' };

describe('sign-in through the token handler', () => {
  it('signs in, rotates on refresh, logs out; the old access token and the old cookie are refused', async () => {
    const browser = browserSession();
    const signedIn = await browser.signIn(demo('alice'));
    expect(Object.keys(signedIn.body).sort()).toEqual(['accessToken', 'expiresIn', 'idToken']);
    expect(signedIn.body.expiresIn).toBe(900);
    const [refreshLine, loginLine] = signedIn.setCookies;
    expect(refreshLine).toMatch(
      /^__Host-cg_refresh=v1\.[\w-]{8}\.[\w-]+\.[\w-]+; Max-Age=604800; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    expect(loginLine).toMatch(/^__Host-cg_login=; Max-Age=0;/);
    expect((await browser.me()).status).toBe(200);

    const before = browser.refreshCookie;
    const refreshed = await browser.refresh();
    expect(refreshed.status).toBe(200);
    expect(refreshed.setCookies).toHaveLength(1); // the twin rotates: a new sealed cookie
    expect(browser.refreshCookie).not.toBe(before);
    expect((await browser.me()).status).toBe(200);

    const oldCookie = browser.refreshCookie;
    const loggedOut = await browser.call('POST', '/auth/logout');
    expect(loggedOut.status).toBe(200);
    expect(loggedOut.setCookies[0]).toMatch(/^__Host-cg_refresh=; Max-Age=0;/);
    expect((await browser.me()).status).toBe(401);
    browser.cookies.set(REFRESH_COOKIE, oldCookie); // a copy of the cookie taken before logout
    expect(await browser.refresh()).toMatchObject({ status: 401, body: NO_SESSION });
  });

  it('ends only the session that logs out', async () => {
    const [laptop, phone] = [browserSession(), browserSession()];
    await laptop.signIn(demo('alice'));
    await phone.signIn(demo('alice'));
    expect(laptop.sessionId).not.toBe(phone.sessionId);
    expect((await laptop.call('POST', '/auth/logout')).status).toBe(200);
    expect((await laptop.me()).status).toBe(401);
    expect((await phone.me()).status).toBe(200);
    expect((await phone.refresh()).status).toBe(200);
    expect((await phone.me()).status).toBe(200);
  });

  it('keeps origin_jti across rotations and gives every token a new jti', async () => {
    const browser = browserSession();
    await browser.signIn(demo('bob'));
    const first = { session: browser.sessionId, token: browser.accessToken };
    await browser.refresh();
    expect(browser.sessionId).toBe(first.session);
    expect(browser.accessToken).not.toBe(first.token);
    expect(await sessions.get(first.session)).toMatchObject({
      status: 'active',
      sessionIdSource: 'origin_jti',
    });
  });

  it('denies /auth/login without the CSRF header or from a foreign Origin, and sets no cookie', async () => {
    const browser = browserSession();
    expect(await browser.call('POST', '/auth/login', { bearer: false, csrf: false })).toMatchObject({
      status: 403,
      body: { error: 'ERR_CSRF' },
      setCookies: [],
    });
    browser.origin = 'https://evil.example';
    expect(await browser.call('POST', '/auth/login', { bearer: false })).toMatchObject({
      status: 403,
      setCookies: [],
    });
  });

  it('answers /auth/login with the authorize URL (scopes, state, nonce, PKCE) and a sealed 10-minute login cookie', async () => {
    const browser = browserSession();
    const started = await browser.call('POST', '/auth/login', { bearer: false });
    expect(started.status).toBe(200);
    const url = new URL(started.body.authorizeUrl as string);
    expect(url.origin + url.pathname).toBe(`${stack.outputs.hostedUiUrl}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: stack.outputs.clientId,
      redirect_uri: stack.outputs.redirectUri,
      response_type: 'code',
      scope: 'openid email profile cognito-guard/signaling cognito-guard/admin',
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
    const [line = ''] = started.setCookies;
    expect(line).toMatch(
      /^__Host-cg_login=v1\.[\w-]+\.[\w-]+\.[\w-]+; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    // The verifier and state are sealed: neither appears in the cookie.
    expect(line).not.toContain(url.searchParams.get('state')!);
  });

  it('rejects a sign-in with a bad body, a used code, or another browser’s login cookie, and sets no refresh cookie', async () => {
    const victim = browserSession();
    const attacker = browserSession();
    const { code, state } = await attacker.authorize(demo('bob'));
    await victim.call('POST', '/auth/login', { bearer: false }); // the victim's own sign-in in progress
    // The attacker's code + state posted with the victim's login cookie: state does not match.
    const crossed = await victim.completeSignIn({ code, state });
    expect(crossed).toMatchObject({ status: 400, body: { error: 'ERR_BAD_REQUEST' } });
    expect(crossed.setCookies.join()).not.toContain(`${REFRESH_COOKIE}=v1`);
    expect(await attacker.call('POST', '/auth/session', { body: { code }, bearer: false })).toMatchObject({
      status: 400,
      body: { error: 'ERR_BAD_REQUEST' },
    });
    expect((await attacker.completeSignIn({ code, state })).status).toBe(200);
    const again = browserSession();
    await again.call('POST', '/auth/login', { bearer: false });
    const replayed = await attacker.completeSignIn({ code, state }); // login cookie cleared by the success
    expect(replayed).toMatchObject({ status: 400, body: { error: 'ERR_BAD_REQUEST' } });
    expect(replayed.setCookies.join()).not.toContain(`${REFRESH_COOKIE}=v1`);
  });

  it('changes nothing on a cross-site text/plain form post to /auth/session (login CSRF)', async () => {
    const attacker = browserSession();
    const { code, state } = await attacker.authorize(demo('bob'));
    // What a cross-site <form enctype="text/plain"> sends: no CSRF header, the attacker's Origin, no login cookie.
    const response = await fetch(`${stack.outputs.apiUrl}/auth/session`, {
      method: 'POST',
      headers: { Origin: 'https://evil.example', 'Content-Type': 'text/plain' },
      body: JSON.stringify({ code, state }) + '=',
    });
    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie()).toEqual([]);
    // Even from an allowed origin with the header, text/plain without the login cookie sets nothing.
    const sameSite = await fetch(`${stack.outputs.apiUrl}/auth/session`, {
      method: 'POST',
      headers: { Origin: stack.outputs.appUrl, 'X-CognitoGuard-CSRF': '1', 'Content-Type': 'text/plain' },
      body: JSON.stringify({ code, state }),
    });
    expect(sameSite.status).toBe(415);
    expect(sameSite.headers.getSetCookie()).toEqual([]);
    expect((await attacker.completeSignIn({ code, state })).status).toBe(200); // the code was not spent
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
    browser.origin = stack.outputs.appUrl;
    expect((await browser.refresh()).status).toBe(200);
  });
});

describe('sealed cookies', () => {
  it('refuses tampered, truncated, re-purposed and foreign cookies with the same 401, without a crash', async () => {
    const browser = browserSession();
    await browser.signIn(demo('alice'));
    const sealed = browser.refreshCookie;
    const [version, keyId, iv, body = ''] = sealed.split('.');
    const flipped = body.slice(0, 10) + (body[10] === 'A' ? 'B' : 'A') + body.slice(11);
    const started = await browserSession().call('POST', '/auth/login', { bearer: false });
    const loginValue = (started.setCookies[0] ?? '').split(';')[0].slice(LOGIN_COOKIE.length + 1);
    for (const value of [
      `${version}.${keyId}.${iv}.${flipped}`,
      sealed.slice(0, -5),
      `${version}.${keyId}.${iv}`,
      `${version}.AAAAAAAA.${iv}.${body}`,
      loginValue, // sealed for the login cookie: never opens as a refresh cookie
      'session-id:refresh-token', // the old clear-text format
    ]) {
      const probe = browserSession();
      probe.cookies.set(REFRESH_COOKIE, value);
      expect(await probe.refresh()).toMatchObject({ status: 401, body: NO_SESSION });
    }
    expect((await browser.refresh()).status).toBe(200); // the real cookie still works
  });

  it('answers the same 401 for unknown, revoked and logged-out sessions', async () => {
    const [revoked, loggedOut] = [browserSession(), browserSession()];
    await revoked.signIn(demo('alice'));
    await loggedOut.signIn(demo('alice'));
    const loggedOutCookie = loggedOut.refreshCookie;
    await loggedOut.call('POST', '/auth/logout');
    loggedOut.cookies.set(REFRESH_COOKIE, loggedOutCookie);
    const admin = browserSession();
    await admin.signIn(demo('admin'));
    await admin.call('POST', `/admin/sessions/${revoked.sessionId}/revoke`);
    const answers = [await revoked.refresh(), await loggedOut.refresh()];
    for (const answer of answers) expect(answer).toMatchObject({ status: 401, body: NO_SESSION });
  });
});

describe('the confidential client', () => {
  it('refuses a refresh token at the token endpoint without the client secret (invalid_client)', async () => {
    const alice = demo('alice');
    const { refreshToken } = await signIn(stack, alice.username, alice.password);
    const grant = { grant_type: 'refresh_token', refresh_token: refreshToken };
    expect(await tokenEndpoint({ ...grant, client_id: stack.outputs.clientId })).toMatchObject({
      status: 400,
      body: { error: 'invalid_client' },
    });
    const wrong = Buffer.from(`${stack.outputs.clientId}:not-the-secret`).toString('base64');
    expect(await tokenEndpoint(grant, `Basic ${wrong}`)).toMatchObject({
      status: 400,
      body: { error: 'invalid_client' },
    });
  });

  it('keeps the refresh token out of the cookie: a cookie value is no refresh token at the token endpoint', async () => {
    const browser = browserSession();
    await browser.signIn(demo('bob'));
    const secret = await stack.secrets.current('cognito-guard/web-client-secret');
    const basic = Buffer.from(`${stack.outputs.clientId}:${secret}`).toString('base64');
    expect(
      await tokenEndpoint(
        { grant_type: 'refresh_token', refresh_token: browser.refreshCookie },
        `Basic ${basic}`,
      ),
    ).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });
});

describe('rotation and reuse through the offline token endpoint', () => {
  it('revokes the session when a rotated-away cookie comes back after the grace period: 401 and sockets closed', async () => {
    const victim = browserSession();
    await victim.signIn(demo('alice'));
    const stolen = victim.refreshCookie; // a copy taken by an attacker
    expect((await victim.refresh()).status).toBe(200); // rotated: the stolen copy is now the old token
    const socketClosed = (await socket(victim.accessToken)).closed;

    const withinGrace = browserSession();
    withinGrace.cookies.set(REFRESH_COOKIE, stolen);
    expect((await withinGrace.refresh()).status).toBe(200); // a retry race inside the grace period is allowed

    await afterGrace();
    const thief = browserSession();
    thief.cookies.set(REFRESH_COOKIE, stolen);
    const reused = await thief.refresh();
    expect(reused).toMatchObject({ status: 401, body: NO_SESSION });
    expect(reused.setCookies[0]).toMatch(/Max-Age=0/);
    expect((await victim.me()).status).toBe(401);
    expect((await withinGrace.me()).status).toBe(401);
    expect((await socketClosed).code).toBeGreaterThan(0);
    expect(await sessions.get(victim.sessionId)).toMatchObject({
      status: 'revoked',
      revokedBy: 'system',
      revokedReason: 'refresh-reuse',
    });
    expect(await victim.refresh()).toMatchObject({ status: 401, body: NO_SESSION });
  });

  it('treats invalid_grant for the token it holds as current as reuse: the session ends', async () => {
    const browser = browserSession();
    await browser.signIn(demo('bob'));
    // Cognito ends every refresh token of bob behind our back (e.g. an operator in the console).
    const cognito = new CognitoIdentityProviderClient({
      endpoint: stack.outputs.hostedUiUrl,
      region: stack.outputs.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await cognito.send(
        new AdminUserGlobalSignOutCommand({ UserPoolId: stack.outputs.userPoolId, Username: browser.sub }),
      );
    } finally {
      cognito.destroy();
    }
    expect(await browser.refresh()).toMatchObject({ status: 401, body: NO_SESSION });
    expect((await browser.me()).status).toBe(401);
    expect(await sessions.get(browser.sessionId)).toMatchObject({
      status: 'revoked',
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
    const active = (listed.body.sessions as { sessionId: string; status: string }[]).filter(
      (s) => s.status === 'active',
    );
    expect(active.map((s) => s.sessionId)).toContain(bob.sessionId);

    const revoked = await admin.call('POST', `/admin/users/${bob.sub}/revoke`);
    expect(revoked).toMatchObject({ status: 200, body: { globalSignOut: 'signed-out' } });
    expect((await bob.me()).status).toBe(401);
    expect(await bob.refresh()).toMatchObject({ status: 401, body: NO_SESSION });
    expect((await alice.me()).status).toBe(200);
    expect((await alice.refresh()).status).toBe(200);
  });

  it('revokes one session of a user and leaves the other', async () => {
    const [admin, first, second] = [browserSession(), browserSession(), browserSession()];
    await admin.signIn(demo('admin'));
    await first.signIn(demo('alice'));
    await second.signIn(demo('alice'));
    expect((await admin.call('POST', `/admin/sessions/${first.sessionId}/revoke`)).status).toBe(200);
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
    await afterWatermark(); // bob was revoked above: a sign-in within that second is refused (sessions.md)
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
    expect(await phone.refresh()).toMatchObject({ status: 401, body: NO_SESSION });

    await sleep(1100); // the watermark is second-granular: sign in again after it
    const fresh = browserSession();
    await fresh.signIn(demo('alice'));
    expect((await fresh.me()).status).toBe(200);
  });
});
