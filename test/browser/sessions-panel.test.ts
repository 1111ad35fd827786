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
  await waitForText(laptop.page.locator('#my-sessions-body'), 'bob-phone');
  await waitForText(rows.filter({ hasText: 'bob-laptop' }), '(this device)');
  expect(await rows.filter({ hasText: 'bob-phone' }).textContent()).not.toContain('(this device)');

  await rows
    .filter({ hasText: 'bob-phone' })
    .getByRole('button', { name: /^Sign out session / })
    .click();
  await waitForText(laptop.page.locator('#my-sessions-result'), 'Signed out');
  expect(await rows.filter({ hasText: 'bob-phone' }).count()).toBe(0);

  await phone.button('Call GET /me').click(); // its token is refused, and so is its refresh cookie
  await waitForText(phone.status, 'Not signed in (401 ERR_TOKEN_REVOKED): it was revoked.');
  await waitUntil(() => phone.button('Sign in').isEnabled()); // the page forgot the session
  await laptop.button('Call GET /me').click();
  await waitForText(laptop.status, 'GET /me answered 200');
});

test('an admin past the step-up age signs in again and the revoke completes', async () => {
  const target = await device(PHONE);
  await target.signIn(BOB);
  const admin = await device();
  await admin.signIn(ADMIN);
  await new Promise((resolve) => setTimeout(resolve, (MAX_AGE + 1) * 1000 + 200));

  await admin.page.getByLabel('Find users by email').fill('bob@');
  await admin.button('Find users').click();
  await admin.button(`Choose ${BOB.username}`).click();
  await admin.button('List sessions').click();
  const active = admin.page.locator('#sessions-body tr', { hasText: 'active' }).first();
  const sessionId = await active.getAttribute('data-session-id');
  await active.getByRole('button', { name: /^Revoke session / }).click();

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
});
