// Two tabs of one user on the demo page (one browser context, two pages): both join room demo, see each other,
// and an offer and its answer go from one tab to the other (issue 22: several sockets of one user in one room).
import type { Browser, Page } from 'playwright-core';
import { DEMO_USERS } from '../../local/seed';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { DemoUserPage, launchChromium, waitForText } from './demo-page';

const [ALICE] = DEMO_USERS;
const ROOM = 'demo'; // alice is in group room-demo (local/seed.ts)

let stack: TestStack;
let browser: Browser;
let alice: DemoUserPage;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(), launchChromium()]);
  alice = await DemoUserPage.open(browser, stack.outputs);
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

async function connectAndJoin(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await waitForText(page.locator('#socket-state'), 'Connected');
  await page.getByRole('textbox', { name: 'Room' }).fill(ROOM);
  await page.getByRole('textbox', { name: 'Room' }).press('Enter');
  await waitForText(page.locator('#socket-state'), `in room “${ROOM}”`);
}

/** The connection ids a tab lists as peers. */
const peerIds = (page: Page) =>
  page
    .locator('#peers li')
    .evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.connectionId));

test('two tabs of one user join one room, list each other, and relay an offer and its answer', async () => {
  await alice.signIn(ALICE);
  const tab1 = alice.page;
  await connectAndJoin(tab1);
  const tab2 = await alice.context.newPage();
  try {
    await tab2.goto(`${stack.outputs.appUrl}/`);
    await waitForText(tab2.locator('#status'), 'Tokens refreshed silently.'); // the same session, from the cookie
    await connectAndJoin(tab2);

    // Each tab lists the other (the joined frame for tab 2, peer-joined for tab 1), by the same email.
    await waitForText(tab1.locator('#signal-log'), 'Peer joined');
    await waitForText(tab1.locator('#peers'), 'alice@example.com');
    await waitForText(tab2.locator('#peers'), 'alice@example.com');
    expect(await peerIds(tab1)).toHaveLength(1);
    expect(await peerIds(tab2)).toHaveLength(1);

    await tab2.getByRole('button', { name: /^Send a test offer to/ }).click();
    await waitForText(tab1.locator('#signal-log'), 'Offer from');
    await tab1.getByRole('button', { name: /^Reply with an answer to/ }).click();
    await waitForText(tab2.locator('#signal-log'), 'Answer from');
    await waitForText(tab1.locator('#signal-log'), 'Answer sent');

    // No silence and no phantom departures: neither tab was refused, neither heard its sibling leave.
    for (const tab of [tab1, tab2]) {
      const log = (await tab.locator('#signal-log').textContent()) ?? '';
      expect(log).not.toContain('Server refused');
      expect(log).not.toContain('Peer left');
      await waitForText(tab.locator('#socket-state'), `in room “${ROOM}”`);
    }
  } finally {
    await tab2.close();
  }
});
