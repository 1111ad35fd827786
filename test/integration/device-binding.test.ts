// Device-bound sessions on the offline stack (RFC 9449): the twin's pre token trigger, the token handler, stolen cookies.
import { DynamoSessionStore } from '../../lambdas/adapters/dynamo-session-store';
import { AuthEnv } from '../../lambdas/auth/env';
import { BrowserSession } from '../helpers/browser-session';
import { newDeviceKey } from '../helpers/dpop';
import { decodePayload } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { demoUser } from '../helpers/sign-in';

let stack: TestStack;
let sessions: DynamoSessionStore;

beforeAll(async () => {
  stack = await startTestStack();
  sessions = new DynamoSessionStore(process.env[AuthEnv.sessionsTable]!);
});

afterAll(async () => {
  await stack?.dispose();
});

/** A browser holding its own device key, signed in as alice. */
async function boundBrowser(): Promise<BrowserSession> {
  const browser = new BrowserSession(stack.outputs);
  browser.device = await newDeviceKey();
  await browser.signIn(demoUser(stack.outputs, 'alice'));
  return browser;
}

/** Another machine with a copy of `victim`'s refresh cookie. */
function thiefWith(victim: BrowserSession): BrowserSession {
  const thief = new BrowserSession(stack.outputs);
  for (const [name, value] of victim.cookies) thief.cookies.set(name, value);
  return thief;
}

describe('device-bound sessions (offline stack)', () => {
  it("binds the session and its access tokens to the page's key (cnf.jkt), at sign-in and on refresh", async () => {
    const browser = await boundBrowser();
    const jkt = browser.device!.jkt;
    expect(decodePayload(browser.accessToken).cnf).toEqual({ jkt });
    expect((await sessions.get(browser.sessionId))?.jkt).toBe(jkt);
    expect((await browser.refresh()).status).toBe(200);
    expect(decodePayload(browser.accessToken).cnf).toEqual({ jkt });
  });

  it('keeps a sign-in without a proof unbound in monitor mode (the offline default)', async () => {
    const browser = new BrowserSession(stack.outputs);
    await browser.signIn(demoUser(stack.outputs, 'bob'));
    expect(decodePayload(browser.accessToken).cnf).toBeUndefined();
    expect((await sessions.get(browser.sessionId))?.jkt).toBeUndefined();
  });

  it.each([
    ['its own key', true],
    ['no proof at all', false],
  ])(
    'denies a copied refresh cookie used with %s, and revokes the session for its owner too',
    async (_n, withKey) => {
      const victim = await boundBrowser();
      const thief = thiefWith(victim);
      if (withKey) thief.device = await newDeviceKey();
      const stolen = await thief.refresh();
      expect(stolen.status).toBe(401);
      expect((await sessions.get(victim.sessionId))?.status).toBe('revoked');
      expect((await victim.refresh()).status).toBe(401);
      expect((await victim.me()).status).toBe(401); // the session's access token is on the deny-list
    },
  );
});
