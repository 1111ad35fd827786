// Events in and out on the offline stack: Cognito admin calls over the real SDK revoke at once; revocations are published.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  ChangePasswordCommand,
  CognitoIdentityProviderClient,
  DeleteUserCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { DeliveredEvent } from '../../lambdas/adapters/json-lines-publisher';
import type { DemoUser } from '../../local/seed';
import { BrowserSession } from '../helpers/browser-session';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { connectWs } from '../helpers/ws-client';

const OPERATOR_KEY = 'AKIAOPSLAPTOPEXAMPLE';
const OPERATOR = `iam:arn:aws:iam::000000000000:user/${OPERATOR_KEY}`;
const WITHIN_MS = 2000; // the bound for "at once"

let stack: TestStack;
let cognito: CognitoIdentityProviderClient;
let counter = 0;

beforeAll(async () => {
  stack = await startTestStack();
  // An operator's CLI or script: any SDK, signed with its own key, straight at the Cognito endpoint.
  cognito = new CognitoIdentityProviderClient({
    endpoint: stack.outputs.hostedUiUrl,
    region: stack.outputs.region,
    credentials: { accessKeyId: OPERATOR_KEY, secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  cognito?.destroy();
  await stack?.dispose();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds; fails with the last value after WITHIN_MS. */
async function within<T>(probe: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + WITHIN_MS;
  for (;;) {
    const value = await probe();
    if (check(value) || Date.now() > deadline) return value;
    await sleep(50);
  }
}

/** The events published about `sub`, after the first `skip` (those of the test's own setup). */
async function events(sub: string, skip = 0): Promise<DeliveredEvent[]> {
  const text = await readFile(join(stack.dataDir, 'events.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as DeliveredEvent)
    .filter((event) => event.detail.sub === sub)
    .slice(skip);
}

/** A fresh user (so tests never share one), optionally in groups; signed in through the login form. */
async function signedInUser(
  groups: string[] = [],
): Promise<{ user: DemoUser; browser: BrowserSession; setupEvents: number }> {
  counter += 1;
  const user: DemoUser = {
    username: `events-${counter}-${Date.now()}@example.com`,
    password: 'Events-local-1!',
    groups,
  };
  const poolUser = { UserPoolId: stack.outputs.userPoolId, Username: user.username };
  await cognito.send(
    new AdminCreateUserCommand({
      ...poolUser,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: user.username },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  await cognito.send(
    new AdminSetUserPasswordCommand({ ...poolUser, Password: user.password, Permanent: true }),
  );
  for (const group of groups) {
    await cognito.send(new AdminAddUserToGroupCommand({ ...poolUser, GroupName: group }));
  }
  // Setting the password is itself a revoking change (dated to its second): sign in from the next second on.
  await sleep(1100 - (Date.now() % 1000));
  const browser = new BrowserSession(stack.outputs);
  expect((await browser.signIn(user)).status).toBe(200);
  // The password's own User Revoked event arrives asynchronously (as EventBridge delivers): wait for it, so a test
  // counts only what it caused.
  const setup = await within(
    () => events(browser.sub),
    (list) => list.length >= 1,
  );
  return { user, browser, setupEvents: setup.length };
}

describe('events in: Cognito admin calls revoke at once', () => {
  it('AdminDisableUser: the token gets 401, the socket closes and a User Revoked event names actor and reason', async () => {
    const { user, browser, setupEvents } = await signedInUser();
    const socket = await connectWs(stack.outputs.wsUrl!, browser.accessToken, {
      origin: stack.outputs.appUrl,
    });
    expect((await browser.me()).status).toBe(200);

    await cognito.send(
      new AdminDisableUserCommand({ UserPoolId: stack.outputs.userPoolId, Username: user.username }),
    );

    const me = await within(
      () => browser.me(),
      (answer) => answer.status === 401,
    );
    expect(me.status).toBe(401);
    const closed = await Promise.race([socket.closed, sleep(WITHIN_MS).then(() => 'still open')]);
    expect(closed).toMatchObject({ code: expect.any(Number) });
    const published = await within(
      () => events(browser.sub, setupEvents),
      (list) => list.length > 0,
    );
    expect(published).toEqual([
      expect.objectContaining({
        'detail-type': 'User Revoked',
        source: 'cognito-guard',
        detail: expect.objectContaining({
          scope: 'user',
          sub: browser.sub,
          actor: OPERATOR,
          reason: 'cognito:AdminDisableUser',
          caep: expect.objectContaining({ initiating_entity: 'admin' }),
        }),
      }),
    ]);
  });

  it('AdminRemoveUserFromGroup: the admin routes refuse the existing token at once; a new sign-in is no admin', async () => {
    const { user, browser } = await signedInUser(['admins']);
    const adminRoute = `/admin/users/${browser.sub}/sessions`;
    expect((await browser.call('GET', adminRoute)).status).toBe(200);

    await cognito.send(
      new AdminRemoveUserFromGroupCommand({
        UserPoolId: stack.outputs.userPoolId,
        Username: user.username,
        GroupName: 'admins',
      }),
    );

    const refused = await within(
      () => browser.call('GET', adminRoute),
      (answer) => answer.status !== 200,
    );
    expect(refused.status).toBe(401); // the whole token is revoked, not only its admin rights
    await sleep(1100 - (Date.now() % 1000)); // the watermark's second is over
    const again = new BrowserSession(stack.outputs);
    await again.signIn({ ...user, groups: [] });
    expect((await again.me()).status).toBe(200);
    expect(await again.call('GET', adminRoute)).toMatchObject({
      status: 403,
      body: { error: 'ERR_FORBIDDEN' },
    });
  });

  it('AdminAddUserToGroup revokes nothing: the existing token keeps working', async () => {
    const { user, browser, setupEvents } = await signedInUser();
    await cognito.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: stack.outputs.userPoolId,
        Username: user.username,
        GroupName: 'admins',
      }),
    );
    await sleep(300); // give a (wrong) revocation the chance to land
    expect((await browser.me()).status).toBe(200);
    expect(await events(browser.sub, setupEvents)).toEqual([]);
  });

  it('a failed admin call (unknown user) raises no event and revokes nothing', async () => {
    const { browser, setupEvents } = await signedInUser();
    await expect(
      cognito.send(
        new AdminDisableUserCommand({ UserPoolId: stack.outputs.userPoolId, Username: 'nobody@example.com' }),
      ),
    ).rejects.toThrow();
    await sleep(300);
    expect((await browser.me()).status).toBe(200);
    expect(await events(browser.sub, setupEvents)).toEqual([]);
  });
});

describe('events in: calls users make themselves', () => {
  it("ChangePassword with the user's own token ends every session of the user, that one included", async () => {
    const { user, browser, setupEvents } = await signedInUser();
    const other = new BrowserSession(stack.outputs);
    expect((await other.signIn(user)).status).toBe(200); // a second device

    await cognito.send(
      new ChangePasswordCommand({
        AccessToken: browser.accessToken,
        PreviousPassword: user.password,
        ProposedPassword: 'Events-local-2!',
      }),
    );

    for (const session of [browser, other]) {
      const me = await within(
        () => session.me(),
        (answer) => answer.status === 401,
      );
      expect(me.status).toBe(401);
    }
    const published = await within(
      () => events(browser.sub, setupEvents),
      (list) => list.length > 0,
    );
    expect(published).toEqual([
      expect.objectContaining({
        'detail-type': 'User Revoked',
        detail: expect.objectContaining({
          sub: browser.sub,
          actor: browser.sub, // the user's own call, as for logout
          reason: 'cognito:ChangePassword',
          caep: expect.objectContaining({ initiating_entity: 'user' }),
        }),
      }),
    ]);
  });

  it("DeleteUser with the user's own token revokes their tokens at once (they would verify until expiry)", async () => {
    const { browser, setupEvents } = await signedInUser();
    await cognito.send(new DeleteUserCommand({ AccessToken: browser.accessToken }));
    const me = await within(
      () => browser.me(),
      (answer) => answer.status === 401,
    );
    expect(me.status).toBe(401);
    expect(await events(browser.sub, setupEvents)).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({ actor: browser.sub, reason: 'cognito:DeleteUser' }),
      }),
    ]);
  });

  it('UpdateUserAttributes revokes nothing: access tokens carry no user attributes', async () => {
    const { browser, setupEvents } = await signedInUser();
    await cognito.send(
      new UpdateUserAttributesCommand({
        AccessToken: browser.accessToken,
        UserAttributes: [{ Name: 'name', Value: 'Renamed' }],
      }),
    );
    await sleep(300);
    expect((await browser.me()).status).toBe(200);
    expect(await events(browser.sub, setupEvents)).toEqual([]);
  });

  it('a refused ChangePassword (wrong previous password) raises no event and revokes nothing', async () => {
    const { browser, setupEvents } = await signedInUser();
    await expect(
      cognito.send(
        new ChangePasswordCommand({
          AccessToken: browser.accessToken,
          PreviousPassword: 'Not-the-password-1!',
          ProposedPassword: 'Events-local-3!',
        }),
      ),
    ).rejects.toThrow();
    await sleep(300);
    expect((await browser.me()).status).toBe(200);
    expect(await events(browser.sub, setupEvents)).toEqual([]);
  });
});

describe('events out', () => {
  it('logout publishes exactly one Session Revoked event for the session, in the EventBridge envelope', async () => {
    const { browser, setupEvents } = await signedInUser();
    expect((await browser.call('POST', '/auth/logout')).status).toBe(200);
    const published = await events(browser.sub, setupEvents);
    const sessions = published.filter((event) => event['detail-type'] === 'Session Revoked');
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({
      version: '0',
      source: 'cognito-guard',
      account: '000000000000',
      region: stack.outputs.region,
      resources: [],
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      detail: {
        scope: 'session',
        sub: browser.sub,
        actor: browser.sub,
        reason: 'logout',
        sessionId: expect.any(String),
      },
    });
    expect(published.every((event) => event['detail-type'] !== 'User Revoked')).toBe(true);
    // The file carries ids and reasons only, never a credential.
    const file = await readFile(join(stack.dataDir, 'events.jsonl'), 'utf8');
    for (const secret of browser.secrets) expect(file).not.toContain(secret);
  });
});
