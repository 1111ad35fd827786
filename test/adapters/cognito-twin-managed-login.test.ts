// The twin's managed-login session cookie over real HTTP: a browser that typed its password is signed in again
// without the form (amazon-cognito-user-pools-using-the-id-token.html: "session cookies that are valid for 1 hour"),
// unless `prompt=login` (authorization-endpoint.html); AdminUserGlobalSignOut leaves it (API_AdminUserGlobalSignOut.html).
// What such a sign-in puts in `auth_time` is a setting: AWS does not document it.

import { setTimeout as sleep } from 'node:timers/promises';
import { AdminUserGlobalSignOutCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { ManagedLoginAuthTime } from '../../local/cognito-twin/managed-login-session';
import { MANAGED_LOGIN_COOKIE } from '../../local/cognito-twin/managed-login-session';
import { DEMO_USERS } from '../../local/seed';
import type { Twin } from '../helpers/cognito-twin';
import { USER_POOL_ID, startTwin } from '../helpers/cognito-twin';
import { decodePayload } from '../helpers/mint-token';
import { loginForm } from '../helpers/sign-in';

const [alice] = DEMO_USERS;

/** A browser on the user pool domain: its one cookie, and the sign-ins it completes through the token endpoint. */
class Browser {
  cookie = '';
  constructor(private readonly twin: Twin) {}

  /** An authorize request as the auth function builds it, with `prompt` set as given (or removed). */
  async start(prompt?: string) {
    const start = await this.twin.tokenEndpoint().startAuthorization();
    const url = new URL(start.authorizeUrl);
    url.searchParams.delete('prompt');
    if (prompt) url.searchParams.set('prompt', prompt);
    return { ...start, authorizeUrl: url.toString() };
  }

  /** GET /oauth2/authorize with the cookie: the code when managed login answers at once, else undefined (the form). */
  async silentCode(authorizeUrl: string): Promise<string | undefined> {
    const response = await fetch(authorizeUrl, {
      redirect: 'manual',
      headers: this.cookie ? { Cookie: this.cookie } : {},
    });
    this.keep(response);
    if (response.status === 200) return undefined;
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location')!).searchParams.get('code') ?? undefined;
  }

  /** The login form with the password; the browser keeps the cookie managed login sets. */
  async passwordCode(authorizeUrl: string): Promise<string> {
    const callback = await loginForm(this.twin.stack.outputs, authorizeUrl, alice, (response) =>
      this.keep(response),
    );
    return callback.searchParams.get('code')!;
  }

  async tokens(start: Awaited<ReturnType<Browser['start']>>, code: string) {
    const grant = await this.twin.tokenEndpoint().exchangeCode({ code, state: start.state, expected: start });
    if (!grant.ok) throw new Error(`code refused: ${grant.error}`);
    return decodePayload(grant.tokens.accessToken);
  }

  private keep(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      if (line.startsWith(`${MANAGED_LOGIN_COOKIE}=`)) this.cookie = line.split(';')[0]!;
    }
  }
}

describe.each<ManagedLoginAuthTime>(['original', 'renewed'])(
  'managed login session (auth_time %s)',
  (mode) => {
    let twin: Twin;
    beforeAll(async () => {
      twin = await startTwin(1, { managedLoginAuthTime: mode });
    });
    afterAll(async () => {
      await twin?.dispose();
    });

    it('signs a browser that typed its password in again without the form, and never with prompt=login', async () => {
      const browser = new Browser(twin);
      const first = await browser.start();
      const signedIn = await browser.tokens(first, await browser.passwordCode(first.authorizeUrl));
      expect(browser.cookie).toMatch(new RegExp(`^${MANAGED_LOGIN_COOKIE}=[\\w-]{43}$`));

      expect(await browser.silentCode((await browser.start('login')).authorizeUrl)).toBeUndefined();
      expect(await new Browser(twin).silentCode((await browser.start()).authorizeUrl)).toBeUndefined(); // no cookie

      await sleep(1100); // a later second, so the two auth_time rules differ
      const again = await browser.start();
      const code = await browser.silentCode(again.authorizeUrl);
      expect(code).toBeDefined();
      const cookieSignIn = await browser.tokens(again, code!);
      expect(cookieSignIn.sub).toBe(signedIn.sub);
      expect(cookieSignIn.origin_jti).not.toBe(signedIn.origin_jti); // a new sign-in session
      if (mode === 'original') expect(cookieSignIn.auth_time).toBe(signedIn.auth_time);
      else expect(cookieSignIn.auth_time).toBeGreaterThan(signedIn.auth_time as number);
    });

    it('keeps the session across AdminUserGlobalSignOut, as AWS does', async () => {
      const browser = new Browser(twin);
      const first = await browser.start();
      const signedIn = await browser.tokens(first, await browser.passwordCode(first.authorizeUrl));
      await twin.sdk.send(
        new AdminUserGlobalSignOutCommand({ UserPoolId: USER_POOL_ID, Username: signedIn.sub as string }),
      );
      expect(await browser.silentCode((await browser.start()).authorizeUrl)).toBeDefined();
    });
  },
);
