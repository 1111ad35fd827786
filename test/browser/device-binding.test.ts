// Device binding in Debian Chromium (DPOP_MODE=enforce): the page's key cannot be exported, every call carries a
// proof, and an access token copied out of the page is refused from outside it.
import type { Browser } from 'playwright-core';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import { DEMO_USERS } from '../../local/seed';
import { newDeviceKey, proofFor } from '../helpers/dpop';
import { decodePayload } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { DemoUserPage, launchChromium, waitForText } from './demo-page';

const [ALICE] = DEMO_USERS;
let stack: TestStack;
let browser: Browser;
let alice: DemoUserPage;
let previousMode: string | undefined;

beforeAll(async () => {
  previousMode = process.env[AuthorizerEnv.dpopMode];
  process.env[AuthorizerEnv.dpopMode] = 'enforce';
  [stack, browser] = await Promise.all([startTestStack(), launchChromium()]);
  alice = await DemoUserPage.open(browser, stack.outputs);
  await alice.signIn(ALICE);
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
  if (previousMode === undefined) delete process.env[AuthorizerEnv.dpopMode];
  else process.env[AuthorizerEnv.dpopMode] = previousMode;
});

test('signs in bound to a device key and shows its thumbprint', async () => {
  const token = await alice.latestAccessToken();
  const { jkt } = decodePayload(token).cnf as { jkt: string };
  expect(jkt).toMatch(/^[A-Za-z0-9_-]{43}$/);
  await waitForText(alice.page.locator('#id-device'), `bound to ${jkt}`);
  await alice.screenshot('device-binding.png', alice.page.locator('#identity'));
});

test('keeps the private key non-extractable in IndexedDB', async () => {
  const facts = await alice.page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('cognito-guard');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(new Error(String(open.error)));
    });
    const pair = await new Promise<CryptoKeyPair>((resolve, reject) => {
      const get = db.transaction('device-key').objectStore('device-key').get('dpop');
      get.onsuccess = () => resolve(get.result as CryptoKeyPair);
      get.onerror = () => reject(new Error(String(get.error)));
    });
    const exported = await crypto.subtle.exportKey('jwk', pair.privateKey).then(
      () => 'exported',
      (error: Error) => error.name,
    );
    return { extractable: pair.privateKey.extractable, type: pair.privateKey.type, exported };
  });
  expect(facts).toEqual({ extractable: false, type: 'private', exported: 'InvalidAccessError' });
});

test('refreshes, calls the API, opens the socket and re-authorizes it with proofs', async () => {
  await alice.button('Refresh tokens now').click();
  await waitForText(alice.status, 'refreshed');
  expect(decodePayload(await alice.latestAccessToken()).cnf).toBeDefined();
  await alice.button('Call GET /me').click();
  await waitForText(alice.page.locator('#result'), '"sub"');
  await alice.connectAndJoin('user:' + (decodePayload(await alice.latestAccessToken()).sub as string));
  // A refresh re-authorizes the open socket with the new bound token and a fresh proof.
  await alice.button('Refresh tokens now').click();
  await waitForText(alice.log, 'Socket re-authorized');
  expect(await alice.log.textContent()).not.toContain('ERR_DPOP');
  expect(alice.problems).toEqual([]);
});

test('refuses a token copied out of the page when used from outside it', async () => {
  const token = await alice.latestAccessToken();
  const me = `${stack.outputs.apiUrl}/me`;
  const asBearer = await fetch(me, { headers: { Authorization: `Bearer ${token}` } });
  expect(asBearer.status).toBe(401);
  const thief = await newDeviceKey();
  const withOtherKey = await fetch(me, {
    headers: {
      Authorization: `DPoP ${token}`,
      DPoP: await proofFor(thief, { method: 'GET', url: me, accessToken: token }),
    },
  });
  expect(withOtherKey.status).toBe(401);
  expect(await withOtherKey.json()).toMatchObject({ error: 'ERR_DPOP_KEY_MISMATCH' });
});
