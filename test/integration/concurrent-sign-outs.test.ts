// One user signing out on 100 devices at once, through the public API of the offline stack: every sign-out succeeds
// and every one of those access tokens is refused on the next request (issue 23: no revocation lost to contention).
import { BrowserSession } from '../helpers/browser-session';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { demoUser } from '../helpers/sign-in';

const DEVICES = 100;
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.dispose();
});

it('signs out 100 sessions of one user at once: 100 successes, 100 tokens refused on the next request', async () => {
  const user = demoUser(stack.outputs, 'alice');
  const devices: BrowserSession[] = [];
  for (let i = 0; i < DEVICES; i++) {
    const device = new BrowserSession(stack.outputs);
    await device.signIn(user);
    devices.push(device);
  }
  expect((await devices[0].me()).status).toBe(200);
  const cookies = devices.map((device) => new Map(device.cookies));

  const answers = await Promise.all(devices.map((device) => device.call('POST', '/auth/logout')));
  expect(answers.map((answer) => answer.status)).toEqual(Array<number>(DEVICES).fill(200));

  const after = await Promise.all(devices.map((device) => device.me()));
  expect(after.map((answer) => [answer.status, answer.body.error])).toEqual(
    Array(DEVICES).fill([401, 'ERR_TOKEN_REVOKED']),
  );
  // and no cookie of theirs refreshes, even one kept from before the sign-out
  devices.forEach((device, i) => cookies[i].forEach((value, name) => device.cookies.set(name, value)));
  const refreshed = await Promise.all(devices.map((device) => device.refresh()));
  expect(refreshed.map((answer) => answer.status)).toEqual(Array<number>(DEVICES).fill(401));
}, 120_000);
