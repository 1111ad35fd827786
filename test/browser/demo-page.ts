// Browser-test driver: Debian Chromium through playwright-core, one context per user, the demo page as a person uses it.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page, Response } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { DemoUser } from '../../local/seed';
import type { StackOutputs } from '../../local/stack';

/** Debian's Chromium (`apt-get install -y chromium`): browsers cannot be downloaded here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * `UPDATE_SCREENSHOTS=1 npm run test:browser` refreshes the committed README screenshots; other runs write to the
 * ignored test-results/ so a test run never dirties the working tree.
 */
export const SCREENSHOT_DIR =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? join(__dirname, '..', '..', 'docs', 'screenshots')
    : join(__dirname, '..', '..', 'test-results', 'screenshots');

/** Playwright gives every launch a fresh, temporary user-data-dir and deletes it on close. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Waits until the locator's text contains `text` (or matches it). */
export async function waitForText(
  locator: Locator,
  text: string | RegExp,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.textContent({ timeout: timeoutMs }).catch(() => null)) ?? '';
    if (typeof text === 'string' ? last.includes(text) : text.test(last)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${String(text)}; the element says: ${JSON.stringify(last)}`);
}

/** Polls until `condition` holds, or fails after `timeoutMs`. */
export async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${condition.toString()}`);
}

/** One person in one browser context: the page, and what the test observed on the network. */
export class DemoUserPage {
  /** Every access token the API handed this page, as seen on the wire (the page never exposes it). */
  readonly accessTokens: string[] = [];
  private readonly captures: Promise<void>[] = [];
  /** Uncaught page errors and console errors (a CSP violation is one). */
  readonly problems: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly stack: StackOutputs,
  ) {
    page.on('pageerror', (error) => this.problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') {
        const where = message.location().url;
        // The emulator's login page has no favicon: not this page's problem.
        if (!where.startsWith(stack.hostedUiUrl)) this.problems.push(`console: ${message.text()} (${where})`);
      }
    });
    // Every tab of the context: a second tab restores the session with its own refresh.
    context.on('response', (response) => {
      this.captures.push(this.capture(response));
    });
  }

  /** A new context (a device of its own); `userAgent` names the device in "Your sessions". */
  static async open(
    browser: Browser,
    stack: StackOutputs,
    options: { userAgent?: string } = {},
  ): Promise<DemoUserPage> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      colorScheme: 'light',
      ...options,
    });
    return new DemoUserPage(context, await context.newPage(), stack);
  }

  get status(): Locator {
    return this.page.locator('#status');
  }

  get log(): Locator {
    return this.page.locator('#signal-log');
  }

  button(name: string | RegExp): Locator {
    return this.page.getByRole('button', { name, exact: typeof name === 'string' });
  }

  /** Every access token this context received so far (all its tabs), once the responses are read. */
  async latestAccessTokens(): Promise<readonly string[]> {
    await Promise.all(this.captures);
    return this.accessTokens;
  }

  /** The latest access token the page received (sign-in or refresh), once the responses are read. */
  async latestAccessToken(): Promise<string> {
    await Promise.all(this.captures);
    const token = this.accessTokens.at(-1);
    if (!token) throw new Error('no access token observed yet');
    return token;
  }

  /** Clicks "Sign in", fills cognito-local's login form, waits until the page shows the verified identity. */
  async signIn(user: DemoUser): Promise<void> {
    await this.page.goto(`${this.stack.appUrl}/`);
    await waitForText(this.status, 'Signed out');
    await this.button('Sign in').click();
    await this.page.waitForURL((url) => url.pathname === '/oauth2/authorize');
    await this.page.getByLabel('Username').fill(user.username);
    await this.page.getByLabel('Password').fill(user.password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await waitForText(this.status, 'Signed in.');
    await waitForText(this.page.locator('#id-email'), user.username);
  }

  async connectAndJoin(room: string): Promise<void> {
    await this.button('Connect').click();
    await waitForText(this.page.locator('#socket-state'), 'Connected');
    await this.page.getByRole('textbox', { name: 'Room' }).fill(room);
    await this.page.getByRole('textbox', { name: 'Room' }).press('Enter'); // keyboard: the join form submits on Enter
    await waitForText(this.page.locator('#socket-state'), `in room “${room}”`);
  }

  /** Everything page scripts can read: Web Storage and non-HttpOnly cookies. */
  async scriptVisibleStorage(): Promise<string> {
    return this.page.evaluate(() =>
      JSON.stringify({
        local: Object.entries(localStorage),
        session: Object.entries(sessionStorage),
        cookie: document.cookie,
      }),
    );
  }

  /** A request made from this page's origin with a given token, as someone holding a copy of it would. */
  async statusOfMeWith(token: string): Promise<number> {
    return this.page.evaluate(async (bearer) => {
      const response = await fetch('/api/me', { headers: { Authorization: `Bearer ${bearer}` } });
      return response.status;
    }, token);
  }

  async screenshot(name: string, target?: Locator): Promise<void> {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    const path = join(SCREENSHOT_DIR, name);
    if (target) await target.screenshot({ path, animations: 'disabled' });
    else await this.page.screenshot({ path, fullPage: true, animations: 'disabled' });
  }

  private async capture(response: Response): Promise<void> {
    const path = new URL(response.url()).pathname;
    if (!['/api/auth/session', '/api/auth/refresh'].includes(path) || response.request().method() !== 'POST')
      return;
    if (!response.ok()) return;
    const body = (await response.json().catch(() => ({}))) as { accessToken?: unknown };
    if (typeof body.accessToken === 'string') this.accessTokens.push(body.accessToken);
  }
}
