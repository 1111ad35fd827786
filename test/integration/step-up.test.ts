// Route policy on the offline stack: the admin revoke routes need a recent sign-in (RFC 9470), admin routes and
// `$connect` need their scopes; the twin keeps `auth_time` across refreshes as Cognito does.
import { DynamoSessionStore } from '../../lambdas/adapters/dynamo-session-store';
import { AuthEnv } from '../../lambdas/auth/env';
import { BrowserSession } from '../helpers/browser-session';
import { decodePayload } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { demoUser, loginForm, signIn } from '../helpers/sign-in';
import { connectWs } from '../helpers/ws-client';

const MAX_AGE = 2;
let stack: TestStack;
let sessions: DynamoSessionStore;

beforeAll(async () => {
  stack = await startTestStack({ stepUpMaxAgeSeconds: MAX_AGE });
  sessions = new DynamoSessionStore(process.env[AuthEnv.sessionsTable]!);
});

afterAll(async () => {
  await stack?.dispose();
});

const OIDC_ONLY = ['openid', 'email', 'profile'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const STEP_UP_CHALLENGE = `Bearer realm="cognito-guard", error="insufficient_user_authentication", error_description="ERR_STEP_UP_REQUIRED", max_age="${MAX_AGE}"`;

async function signedIn(name: 'alice' | 'bob' | 'admin'): Promise<BrowserSession> {
  const browser = new BrowserSession(stack.outputs);
  await browser.signIn(demoUser(stack.outputs, name));
  return browser;
}

/** The raw answer, headers included (BrowserSession keeps only status, body and cookies). */
async function post(browser: BrowserSession, path: string): Promise<Response> {
  return fetch(`${stack.outputs.apiUrl}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${browser.accessToken}`, Origin: browser.origin },
  });
}

describe('step-up on the admin revoke routes', () => {
  it('allows a fresh sign-in, challenges an old one with the RFC 9470 header, and a new sign-in passes again', async () => {
    const admin = await signedIn('admin');
    const first = await signedIn('bob');
    expect((await post(admin, `/admin/sessions/${first.sessionId}/revoke`)).status).toBe(200);

    const target = await signedIn('bob');
    const signedInAt = decodePayload(admin.accessToken).auth_time as number;
    await sleep((MAX_AGE + 1) * 1000 + 200);
    expect((await admin.refresh()).status).toBe(200); // a refresh is no new authentication
    expect(decodePayload(admin.accessToken).auth_time).toBe(signedInAt);
    const challenged = await post(admin, `/admin/sessions/${target.sessionId}/revoke`);
    expect(challenged.status).toBe(401);
    expect(challenged.headers.get('www-authenticate')).toBe(STEP_UP_CHALLENGE);
    expect(await challenged.json()).toEqual({
      error: 'ERR_STEP_UP_REQUIRED',
      message: `requires a sign-in within the last ${MAX_AGE} seconds`,
    });
    expect(await sessions.get(target.sessionId)).toMatchObject({ status: 'active' }); // changed nothing
    expect((await admin.me()).status).toBe(200); // other routes still take the token

    // The page's answer to the challenge: sign in again with prompt=login, then retry.
    const started = await admin.call('POST', '/auth/login', {
      bearer: false,
      body: { reauthenticate: true },
    });
    const authorizeUrl = new URL(started.body.authorizeUrl as string);
    expect(authorizeUrl.searchParams.get('prompt')).toBe('login');
    const callback = await loginForm(
      stack.outputs,
      authorizeUrl.toString(),
      demoUser(stack.outputs, 'admin'),
    );
    const completed = await admin.completeSignIn({
      code: callback.searchParams.get('code')!,
      state: callback.searchParams.get('state')!,
    });
    expect(completed.status).toBe(200);
    expect(decodePayload(admin.accessToken).auth_time).toBeGreaterThan(signedInAt);
    expect((await post(admin, `/admin/sessions/${target.sessionId}/revoke`)).status).toBe(200);
    expect(await sessions.get(target.sessionId)).toMatchObject({ status: 'revoked' });
  });

  it('asks the reauthenticate body to be a boolean', async () => {
    const browser = new BrowserSession(stack.outputs);
    const answer = await browser.call('POST', '/auth/login', {
      bearer: false,
      body: { reauthenticate: 'yes' },
    });
    expect(answer).toMatchObject({ status: 400, body: { error: 'ERR_BAD_REQUEST' }, setCookies: [] });
  });
});

describe('scopes', () => {
  it('grants the page its custom scopes', async () => {
    const browser = await signedIn('alice');
    expect(String(decodePayload(browser.accessToken).scope).split(' ').sort()).toEqual([
      'cognito-guard/admin',
      'cognito-guard/signaling',
      'email',
      'openid',
      'profile',
    ]);
  });

  it('refuses a token without the admin scope on an admin route: 403 insufficient_scope', async () => {
    const admin = demoUser(stack.outputs, 'admin');
    const tokens = await signIn(stack, admin.username, admin.password, OIDC_ONLY);
    expect(decodePayload(tokens.accessToken).scope).toBe('openid email profile');
    const answer = await fetch(`${stack.outputs.apiUrl}/admin/users?email=a`, {
      headers: { Authorization: `Bearer ${tokens.accessToken}`, Origin: stack.outputs.appUrl },
    });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('www-authenticate')).toBe(
      'Bearer realm="cognito-guard", error="insufficient_scope", error_description="ERR_FORBIDDEN", scope="cognito-guard/admin"',
    );
    expect(await answer.json()).toMatchObject({ error: 'ERR_FORBIDDEN' });
  });

  it('refuses $connect without the signaling scope (403) and opens it with the scope', async () => {
    const alice = demoUser(stack.outputs, 'alice');
    const tokens = await signIn(stack, alice.username, alice.password, OIDC_ONLY);
    const options = { origin: stack.outputs.appUrl };
    await expect(connectWs(stack.outputs.wsUrl!, tokens.accessToken, options)).rejects.toThrow('HTTP 403');
    const browser = await signedIn('alice');
    const socket = await connectWs(stack.outputs.wsUrl!, browser.accessToken, options);
    socket.ws.terminate();
  });
});
