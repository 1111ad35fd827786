// After logout-all, a browser that still holds managed login's session cookie (a lost laptop) must not come back
// without the password, whatever Cognito puts in `auth_time` for a cookie sign-in: the twin emulates both
// (docs/sessions.md, "Every sign-in asks for the password"; docs/threat-model.md).
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ManagedLoginAuthTime } from '../../local/cognito-twin/managed-login-session';
import { MANAGED_LOGIN_COOKIE } from '../../local/cognito-twin/managed-login-session';
import type { DemoUser } from '../../local/seed';
import { BrowserSession } from '../helpers/browser-session';
import { decodePayload } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { demoUser, loginForm } from '../helpers/sign-in';

/** The demo page's browser plus the cookie managed login set on the user pool domain. */
class CookieBrowser extends BrowserSession {
  managedLogin = '';

  /** POST /auth/login: the authorize URL the page would follow. */
  async authorizeUrl(): Promise<URL> {
    const started = await this.call('POST', '/auth/login', { bearer: false });
    expect(started.status).toBe(200);
    return new URL(started.body.authorizeUrl as string);
  }

  /** The login form with the password, keeping managed login's cookie; then POST /auth/session. */
  async signInWithPassword(stack: TestStack, user: DemoUser) {
    const callback = await loginForm(
      stack.outputs,
      (await this.authorizeUrl()).toString(),
      user,
      (response) => {
        for (const line of response.headers.getSetCookie())
          if (line.startsWith(`${MANAGED_LOGIN_COOKIE}=`)) this.managedLogin = line.split(';')[0]!;
      },
    );
    return this.completeSignIn(codeAndState(callback));
  }

  /** GET the authorize URL with managed login's cookie: the callback when it signs in at once, else undefined. */
  async silentCallback(url: URL): Promise<URL | undefined> {
    const response = await fetch(url, { redirect: 'manual', headers: { Cookie: this.managedLogin } });
    if (response.status === 200) return undefined; // the login form
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location')!);
  }
}

/** One stack per process (the handlers load once): each mode restarts it on the same data dir and ports. */
let previous: Pick<TestStack, 'dataDir' | 'ports'> | undefined;
afterAll(async () => {
  if (previous) await rm(previous.dataDir, { recursive: true, force: true });
});

const codeAndState = (callback: URL) => ({
  code: callback.searchParams.get('code') ?? '',
  state: callback.searchParams.get('state') ?? '',
});

describe.each<ManagedLoginAuthTime>(['original', 'renewed'])(
  'logout-all, then managed login’s session cookie (cookie sign-in auth_time: %s)',
  (mode) => {
    let stack: TestStack;
    let victim: CookieBrowser;
    beforeAll(async () => {
      stack = await startTestStack({ ...previous, managedLoginAuthTime: mode });
      previous = { dataDir: stack.dataDir, ports: stack.ports };
      victim = new CookieBrowser(stack.outputs);
      expect((await victim.signInWithPassword(stack, demoUser(stack.outputs, 'alice'))).status).toBe(200);
      expect(victim.managedLogin).not.toBe('');
      expect((await victim.call('POST', '/auth/logout-all')).status).toBe(200);
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('denies the sign-in the page starts: managed login asks for the password despite its cookie', async () => {
      const url = await victim.authorizeUrl();
      expect(url.searchParams.get('prompt')).toBe('login');
      expect(await victim.silentCallback(url)).toBeUndefined();
    });

    if (mode === 'original') {
      it('rejects the cookie sign-in of a client that strips prompt=login: 401 ERR_TOKEN_REVOKED, no session', async () => {
        const url = await victim.authorizeUrl();
        url.searchParams.delete('prompt');
        const callback = await victim.silentCallback(url);
        expect(callback).toBeDefined();
        const answer = await victim.completeSignIn(codeAndState(callback!));
        expect(answer).toMatchObject({ status: 401, body: { error: 'ERR_TOKEN_REVOKED' } });
        expect((await victim.refresh()).status).toBe(401);
      });
    } else {
      // Only Cognito could refuse this one: nothing in its tokens tells it from a password sign-in.
      it('documents the residual: a client that strips prompt=login gets a fresh auth_time (docs/threat-model.md)', async () => {
        await sleep(1100); // past the watermark's second
        const url = await victim.authorizeUrl();
        url.searchParams.delete('prompt');
        const callback = await victim.silentCallback(url);
        expect(callback).toBeDefined();
        const answer = await victim.completeSignIn(codeAndState(callback!));
        expect(answer.status).toBe(200);
        const token = decodePayload(answer.body.accessToken as string);
        expect(token.auth_time).toBe(token.iat);
      });
    }

    it('signs the user in again with the password', async () => {
      await sleep(1100); // the watermark is the second after the revocation
      const user = new CookieBrowser(stack.outputs);
      expect((await user.signInWithPassword(stack, demoUser(stack.outputs, 'alice'))).status).toBe(200);
      expect((await user.me()).status).toBe(200);
      expect((await user.refresh()).status).toBe(200);
    });
  },
);
