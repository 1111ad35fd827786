// The demo page in Debian Chromium on the offline stack: sign-in through the login form, signaling between two
// users, sign-out revoking the token and closing the socket, the admin panel, and where tokens (never) live.
import type { Browser } from 'playwright-core';
import { REFRESH_COOKIE } from '../../lambdas/sessions/cookie';
import { DEMO_USERS } from '../../local/seed';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { DemoUserPage, launchChromium, waitForText, waitUntil } from './demo-page';

const [ALICE, BOB, ADMIN] = DEMO_USERS;
const ROOM = 'demo'; // alice and bob are in group room-demo (local/seed.ts)

let stack: TestStack;
let browser: Browser;
let alice: DemoUserPage;
let bob: DemoUserPage;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(), launchChromium()]);
  [alice, bob] = await Promise.all([
    DemoUserPage.open(browser, stack.outputs),
    DemoUserPage.open(browser, stack.outputs),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

afterEach(() => {
  // A CSP violation, an uncaught exception or a failed module load is a defect of the page; the API's error
  // answers these tests provoke are not.
  const isApiError = (p: string) => p.includes('Failed to load resource: the server responded with a status');
  expect([...alice.problems, ...bob.problems].filter((p) => !isApiError(p))).toEqual([]);
});

test('alice and bob sign in through the login form and see their verified identity', async () => {
  await Promise.all([alice.signIn(ALICE), bob.signIn(BOB)]);

  await waitForText(alice.page.locator('#id-groups'), 'room-demo'); // admits her to the signaling room demo
  await waitForText(alice.page.locator('#id-auth-age'), / ago$/); // how old her sign-in is
  expect(await alice.page.locator('#id-step-up-note').textContent()).toBe(''); // no admin: no step-up countdown
  const countdown = alice.page.locator('#id-countdown');
  const before = await countdown.textContent();
  expect(before).toMatch(/^\d+:\d{2}$/);
  await waitForText(countdown, new RegExp(`^(?!${before}$)\\d+:\\d{2}$`), 3000); // it ticks
  expect(await alice.page.locator('#admin-panel').isHidden()).toBe(true);
  // The code and state are gone from the address bar; the PKCE verifier from sessionStorage.
  expect(new URL(alice.page.url()).search).toBe('');
  expect(await alice.page.evaluate(() => sessionStorage.length)).toBe(0);
  // The footer tells where each secret lives, truly: the verifier is in the sealed login cookie.
  const footer = (await alice.page.locator('.page-footer').textContent())?.replace(/\s+/g, ' ');
  expect(footer).toContain("PKCE verifier, state and nonce: the API's sealed __Host- login cookie");
  expect(footer).not.toContain('sessionStorage');
});

test('explains 403 and 429 answers in words', async () => {
  const status = alice.page.locator('#status');
  await alice.page.route('**/me', (route) =>
    route.fulfill({
      status: 429,
      headers: { 'Retry-After': '7', 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: 'Too Many Requests' }),
    }),
  );
  await alice.button('Call GET /me').click();
  await waitForText(
    status,
    'Too many requests (429): the API is throttling this client; wait 7 s and retry.',
  );

  await alice.page.unroute('**/me');
  await alice.page.route('**/me', (route) =>
    route.fulfill({
      status: 403,
      contentType: 'application/json',
      body: JSON.stringify({ error: 'ERR_FORBIDDEN', message: 'requires group admins' }),
    }),
  );
  await alice.button('Call GET /me').click();
  await waitForText(status, 'Forbidden (403 ERR_FORBIDDEN): your account lacks the required group.');
  await alice.page.unroute('**/me');

  // An answer that already says "retry" is not told to retry twice.
  await alice.page.route('**/me', (route) =>
    route.fulfill({
      status: 502,
      contentType: 'application/json',
      body: JSON.stringify({ error: 'ERR_UPSTREAM', message: 'Cognito is unavailable; retry' }),
    }),
  );
  await alice.button('Call GET /me').click();
  await waitForText(
    status,
    'The service failed (502 ERR_UPSTREAM): Cognito is unavailable; retry in a moment.',
  );
  await alice.page.unroute('**/me');

  await alice.button('Call GET /me').click();
  await waitForText(alice.page.locator('#result'), 'HTTP 200 GET /me');
});

test("alice's offer reaches bob and bob's answer reaches alice", async () => {
  await bob.connectAndJoin(ROOM);
  await alice.connectAndJoin(ROOM);
  // Each sees the other: alice from the join ack, bob from peer-joined.
  await waitForText(bob.log, 'Peer joined');
  await alice.page.locator('#peers li').first().waitFor();
  await bob.page.locator('#peers li').first().waitFor();
  // Peers are listed by email (the room policy's display name), not by sub.
  await waitForText(alice.page.locator('#peers'), 'bob@example.com');
  await waitForText(bob.page.locator('#peers'), 'alice@example.com');

  await alice.button(/^Send a test offer to/).click();
  await waitForText(bob.log, 'Offer from');
  await bob.button(/^Reply with an answer to/).click();
  await waitForText(alice.log, 'Answer from');
  await waitForText(bob.log, 'Answer sent');

  await alice.screenshot('signaling-panel.png', alice.page.locator('#signaling-panel'));
  await alice.screenshot('signed-in.png');
});

test("bob's tokens never reach script-readable storage; the refresh cookie is HttpOnly, Secure, SameSite=Strict", async () => {
  await bob.button('Refresh tokens now').click();
  await waitForText(bob.status, 'Tokens refreshed silently.');
  await waitForText(bob.log, 'Socket re-authorized'); // reauth keeps the socket alive on the new token

  expect(bob.accessTokens.length).toBeGreaterThanOrEqual(2);
  const visible = await bob.scriptVisibleStorage();
  for (const token of bob.accessTokens) expect(visible).not.toContain(token);
  expect(visible).not.toContain(REFRESH_COOKIE);

  const [cookie] = (await bob.context.cookies()).filter((c) => c.name === REFRESH_COOKIE);
  expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
  expect(visible).not.toContain(cookie.value.slice(cookie.value.indexOf(':') + 1));
});

test("alice signs out: her old token gets 401, her socket closes with revoked, bob's keeps working", async () => {
  const aliceToken = await alice.latestAccessToken();
  expect(await alice.statusOfMeWith(aliceToken)).toBe(200);

  // The server closes the socket while it answers the logout: wait for the answer (it clears the cookie) too.
  const loggedOut = alice.page.waitForResponse((response) => response.url().endsWith('/api/auth/logout'));
  await alice.button('Sign out').click();
  await loggedOut;
  await waitForText(alice.status, /Signed out|revoked/);
  await waitForText(alice.page.locator('#socket-state'), 'revoked (ERR_TOKEN_REVOKED');
  await waitForText(alice.log, 'Revoked (ERR_TOKEN_REVOKED');
  expect(await alice.button('Call GET /me').isDisabled()).toBe(true);
  // The page forgot the token; a copy of it (here: the one seen on the wire) is refused on the very next call.
  expect(await alice.statusOfMeWith(aliceToken)).toBe(401);
  // Chromium stores a response's cookies asynchronously to delivering it: wait for the clearing to land.
  await waitUntil(async () => (await alice.context.cookies()).every((c) => c.name !== REFRESH_COOKIE));

  await waitForText(bob.log, 'Peer left');
  expect(await bob.page.locator('#socket-state').getAttribute('data-state')).toBe('open');
  await bob.button('Call GET /me').click();
  await waitForText(bob.page.locator('#result'), 'HTTP 200 GET /me');
  await bob.page.getByRole('textbox', { name: 'Room' }).press('Enter'); // re-join: the socket still answers
  await waitForText(bob.log, /Joined room “demo” as .*; 0 peer/);
  expect(await bob.statusOfMeWith(await bob.latestAccessToken())).toBe(200);
});

test("an admin lists bob's sessions and revokes his: bob's socket closes with revoked and his page signs out", async () => {
  const admin = await DemoUserPage.open(browser, stack.outputs);
  try {
    await admin.signIn(ADMIN);
    await waitForText(admin.page.locator('#id-groups'), 'admins');
    expect(await admin.page.locator('#admin-panel').isVisible()).toBe(true);

    const bobSub = (await bob.page.locator('#id-sub').textContent())!;
    // The admin picks bob by email, not by pasting his sub.
    await admin.page.getByLabel('Find users by email').fill('bob@');
    await admin.button('Find users').click();
    await admin.button(`Choose ${BOB.username}`).click();
    expect(await admin.page.getByLabel('User (sub)').inputValue()).toBe(bobSub);
    const active = admin.page.locator('#sessions-body tr', { hasText: 'active' });
    await active.first().waitFor();
    await active
      .first()
      .getByRole('button', { name: /^Revoke session/ })
      .click();
    await waitForText(admin.page.locator('#admin-result'), 'revoked');
    await waitForText(admin.page.locator('#sessions-body'), 'revoked (admin)');
    await admin.screenshot('admin-panel.png', admin.page.locator('#admin-panel'));

    await waitForText(bob.page.locator('#socket-state'), 'revoked (ERR_TOKEN_REVOKED');
    // The revoked socket makes the page ask /auth/refresh at once: refused, so the tab signs out and says why.
    // ... and who ended it: the authorizer names the deny-list entry's cause to the holder of the token.
    await waitForText(
      bob.status,
      'the session could not be renewed because it was revoked (ERR_TOKEN_REVOKED): an administrator ended it.',
    );
    // The last-response box says why the session ended instead of going blank.
    await waitForText(bob.page.locator('#result'), /^Signed out\n.*an administrator ended it/);
    expect(await bob.button('Sign in').isEnabled()).toBe(true);
    // Nothing of the ended session stays on screen: no identity, no stale "HTTP 200".
    expect(await bob.page.locator('#result').textContent()).not.toContain('HTTP 200');
    expect(await bob.page.locator('#identity').isHidden()).toBe(true);
    expect(await bob.statusOfMeWith(await bob.latestAccessToken())).toBe(401);
    expect(admin.problems).toEqual([]);
  } finally {
    await admin.context.close();
  }
});

test('a second tab restores the session from the cookie; "Sign out everywhere" ends both and closes both sockets', async () => {
  await alice.signIn(ALICE);
  await alice.connectAndJoin(ROOM);
  const secondTab = await alice.context.newPage();
  await secondTab.goto(`${stack.outputs.appUrl}/`);
  await waitForText(secondTab.locator('#status'), 'Tokens refreshed silently.'); // no login form this time
  await secondTab.getByRole('button', { name: 'Connect', exact: true }).click();
  await waitForText(secondTab.locator('#socket-state'), 'Connected');

  await alice.button('Sign out everywhere').click();
  await waitForText(alice.status, 'Signed out everywhere');
  await waitForText(alice.page.locator('#socket-state'), 'revoked (ERR_TOKEN_REVOKED, scope user)');
  await waitForText(secondTab.locator('#socket-state'), 'revoked (ERR_TOKEN_REVOKED, scope user)');
  await waitForText(secondTab.locator('#status'), 'Signed out');
  for (const token of await alice.latestAccessTokens()) expect(await alice.statusOfMeWith(token)).toBe(401);
  await secondTab.close();
  // The watermark covers the whole second of the revocation (docs/sessions.md): the next sign-in starts after it.
  await new Promise((resolve) => setTimeout(resolve, 1100 - (Date.now() % 1000)));
});

test('after "Sign out everywhere" in one tab, a tab without a socket shows the real reason on its next call', async () => {
  await alice.signIn(ALICE);
  const secondTab = await alice.context.newPage();
  try {
    await secondTab.goto(`${stack.outputs.appUrl}/`);
    await waitForText(secondTab.locator('#status'), 'Tokens refreshed silently.');
    await waitForText(secondTab.locator('#result'), 'HTTP 200 GET /me');

    await alice.button('Sign out everywhere').click();
    await waitForText(alice.status, 'Signed out everywhere');

    // Its token is revoked and the shared refresh cookie is gone: the reason is the revocation, not the cookie.
    await secondTab.getByRole('button', { name: 'Call GET /me', exact: true }).click();
    await waitForText(
      secondTab.locator('#status'),
      'Not signed in (401 ERR_TOKEN_REVOKED): it was revoked: you ended it (a sign-out on this or another device',
    );
    expect(await secondTab.locator('#status').textContent()).not.toContain('ERR_TOKEN_MISSING');
    expect(await secondTab.locator('#result').textContent()).not.toContain('HTTP 200');
  } finally {
    await secondTab.close();
  }
});
