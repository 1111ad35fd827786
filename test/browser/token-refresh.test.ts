// The demo page with 20-second tokens in Debian Chromium: it refreshes from the token's `exp` (the emulator's
// `expires_in` says 3600), re-authorizes its open socket each time, and the socket stays joined across two refreshes.
import type { Browser } from 'playwright-core';
import { DEMO_USERS } from '../../local/seed';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { decodePayload } from '../helpers/mint-token';
import { DemoUserPage, launchChromium, waitForText, waitUntil } from './demo-page';

const [ALICE, BOB] = DEMO_USERS;
const TOKEN_SECONDS = 20;
const ROOM = 'demo'; // alice and bob are in group room-demo

let stack: TestStack;
let browser: Browser;
let alice: DemoUserPage;
let bob: DemoUserPage;

beforeAll(async () => {
  // A 1-second sweep closes any socket whose token expired: only re-authorization keeps one open.
  [stack, browser] = await Promise.all([
    startTestStack({ accessTokenValiditySeconds: TOKEN_SECONDS, sweepIntervalMs: 1000 }),
    launchChromium(),
  ]);
  [alice, bob] = await Promise.all([
    DemoUserPage.open(browser, stack.outputs),
    DemoUserPage.open(browser, stack.outputs),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

test('refreshes twice before the token expires while the socket stays open and joined', async () => {
  await Promise.all([alice.signIn(ALICE), bob.signIn(BOB)]);
  const [first] = await alice.latestAccessTokens();
  const claims = decodePayload(first);
  expect((claims.exp as number) - (claims.iat as number)).toBe(TOKEN_SECONDS);
  // The countdown follows the token, not the emulator's expires_in of 3600 s ("59:59").
  expect(await alice.page.locator('#id-countdown').textContent()).toMatch(/^0:[0-2]\d$/);

  await bob.connectAndJoin(ROOM);
  await alice.connectAndJoin(ROOM);
  await waitForText(bob.log, 'Peer joined');

  const reauthorized = alice.log.locator('li', { hasText: 'Socket re-authorized' });
  await waitUntil(async () => (await reauthorized.count()) >= 2, 4 * TOKEN_SECONDS * 1000);
  expect((await alice.latestAccessTokens()).length).toBeGreaterThanOrEqual(3);
  await waitForText(alice.status, 'Tokens refreshed silently.');

  // Past the first token's expiry, the same socket is still open, in the room, and relays.
  expect(await alice.page.locator('#socket-state').getAttribute('data-state')).toBe('open');
  await waitForText(alice.page.locator('#socket-state'), `in room “${ROOM}”`);
  await alice.button(/^Send a test offer to/).click();
  await waitForText(bob.log, 'Offer from');
  expect(await alice.log.textContent()).not.toContain('ERR_TOKEN_EXPIRED');
  expect([...alice.problems, ...bob.problems]).toEqual([]);

  // Leave nothing running for the next test file in this process: the sockets close while the stack still runs.
  for (const user of [alice, bob]) {
    await user.button('Disconnect').click();
    await waitForText(user.page.locator('#socket-state'), 'Disconnected');
  }
});
