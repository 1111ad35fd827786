// The demo page in Chromium: "Your sessions" lists a user's devices and signs one out; an admin revoke past the
// step-up age sends the admin through the login form again and then completes the revoke.
import type { Browser } from 'playwright-core';
import { DEMO_USERS } from '../../local/seed';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { DemoUserPage, launchChromium, waitForText, waitUntil } from './demo-page';

const [, BOB, ADMIN] = DEMO_USERS;
const MAX_AGE = 2;
const LAPTOP = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130 bob-laptop';
const PHONE = 'Mozilla/5.0 (Linux; Android 14) Chrome/130 bob-phone';

let stack: TestStack;
let browser: Browser;
const pages: DemoUserPage[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack({ stepUpMaxAgeSeconds: MAX_AGE }), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

afterEach(() => {
  const isApiError = (p: string) => p.includes('Failed to load resource: the server responded with a status');
  expect(pages.flatMap((page) => page.problems).filter((p) => !isApiError(p))).toEqual([]);
});

async function device(userAgent?: string): Promise<DemoUserPage> {
  const page = await DemoUserPage.open(browser, stack.outputs, userAgent ? { userAgent } : {});
  pages.push(page);
  return page;
}

test("bob sees both devices and signs the phone out from the laptop: the phone's page is signed out", async () => {
  const [laptop, phone] = [await device(LAPTOP), await device(PHONE)];
  await laptop.signIn(BOB);
  await phone.signIn(BOB);
  await laptop.button('Reload').click();
  const rows = laptop.page.locator('#my-sessions-body tr');
  // Devices by name (bowser, server-side), the raw User-Agent in the tooltip, this device marked.
  await waitForText(laptop.page.locator('#my-sessions-body'), 'Chrome on Android');
  await waitForText(rows.filter({ hasText: 'Chrome on Linux' }), '(this device)');
  expect(await rows.filter({ hasText: 'Chrome on Android' }).textContent()).not.toContain('(this device)');
  expect(await rows.filter({ hasText: 'Chrome on Android' }).locator('th').getAttribute('title')).toBe(PHONE);
  expect(await rows.filter({ hasText: 'Chrome on Linux' }).locator('th').getAttribute('title')).toBe(LAPTOP);
  await laptop.screenshot('sessions-panel.png', laptop.page.locator('#my-sessions-panel'));

  await rows
    .filter({ hasText: 'Chrome on Android' })
    .getByRole('button', { name: /^Sign out session / })
    .click();
  await waitForText(laptop.page.locator('#my-sessions-result'), 'Signed out Chrome on Android');
  expect(await rows.filter({ hasText: 'Chrome on Android' }).count()).toBe(0);

  await phone.button('Call GET /me').click(); // its token is refused, and so is its refresh cookie
  await waitForText(phone.status, 'Not signed in (401 ERR_TOKEN_REVOKED): it was revoked: you ended it');
  await waitUntil(() => phone.button('Sign in').isEnabled()); // the page forgot the session
  await laptop.button('Call GET /me').click();
  await waitForText(laptop.status, 'GET /me answered 200');
});

test('an admin past the step-up age signs in again and the revoke completes', async () => {
  const target = await device(PHONE);
  await target.signIn(BOB);
  const admin = await device();
  await admin.signIn(ADMIN);
  // The page shows how old the sign-in is and when admin revokes will ask again.
  await waitForText(admin.page.locator('#id-auth-age'), / ago$/);
  await waitForText(admin.page.locator('#id-step-up-note'), 'admin revokes ask you to sign in again in');
  await new Promise((resolve) => setTimeout(resolve, (MAX_AGE + 1) * 1000 + 200));
  await waitForText(admin.page.locator('#id-step-up-note'), 'admin revokes will ask you to sign in again');
  const adminSessionsBefore = await admin.page.locator('#my-sessions-body tr').count();

  await admin.page.getByLabel('Find users by email').fill('bob@');
  await admin.button('Find users').click();
  await admin.button(`Choose ${BOB.username}`).click();
  await admin.button('List sessions').click();
  const active = admin.page.locator('#sessions-body tr', { hasText: 'active' }).first();
  const sessionId = await active.getAttribute('data-session-id');
  await active.getByRole('button', { name: /^Revoke session / }).click();

  // The page says why before leaving for the login form (which cannot say it).
  await waitForText(
    admin.page.locator('#admin-result'),
    /^Revoking a session needs a sign-in within the last 0:02; yours was 0:0\d ago\./,
  );
  expect(admin.page.url()).toBe(`${stack.outputs.appUrl}/`);
  await admin.screenshot('step-up.png', admin.page.locator('#admin-panel'));
  await admin.button('Sign in again').click();

  // The challenge: back to the login form, which is asked to prompt for credentials.
  await admin.page.waitForURL((url) => url.pathname === '/oauth2/authorize');
  expect(new URL(admin.page.url()).searchParams.get('prompt')).toBe('login');
  await admin.page.getByLabel('Username').fill(ADMIN.username);
  await admin.page.getByLabel('Password').fill(ADMIN.password);
  await admin.page.getByRole('button', { name: 'Sign in' }).click();

  await waitForText(admin.status, 'the operation that needed a recent sign-in is done');
  await waitForText(admin.page.locator('#admin-result'), 'revoked');
  await waitForText(
    admin.page.locator(`#sessions-body tr[data-session-id="${sessionId}"]`),
    'revoked (admin)',
  );
  expect(await admin.page.evaluate(() => sessionStorage.length)).toBe(0);
  // The step-up sign-in replaced the admin's session in this browser: still one device, not two.
  await admin.button('Reload').click();
  await waitForText(admin.page.locator('#my-sessions-caption'), `Your sessions (${adminSessionsBefore},`);
});

test("revoking all of a user's sessions asks first; saying no revokes nothing", async () => {
  const admin = await device();
  await admin.signIn(ADMIN);
  await admin.page.getByLabel('User (sub)').fill('00000000-0000-0000-0000-000000000000');
  let asked = '';
  admin.page.once('dialog', (dialog) => {
    asked = dialog.message();
    void dialog.dismiss();
  });
  await admin.button("Revoke all of this user's sessions").click();
  await waitForText(admin.page.locator('#admin-result'), 'Nothing revoked.');
  expect(asked).toContain('Revoke all sessions of 00000000-0000-0000-0000-000000000000?');
});

test('a refused sign-in response offers to sign in again', async () => {
  const page = await device();
  await page.page.goto(`${stack.outputs.appUrl}/`);
  await waitForText(page.status, 'Signed out');
  await page.button('Sign in').click();
  await page.page.waitForURL((url) => url.pathname === '/oauth2/authorize');
  // A login response whose state is not this browser's (stale tab, replay, tampering).
  await page.page.goto(`${stack.outputs.appUrl}/?code=forged-code&state=forged-state`);
  await waitForText(page.status, 'Press “Sign in” to sign in again.');
  await waitUntil(() => page.button('Sign in').isEnabled());
});
