// Deny-list writes failing on the offline stack (a proxy in front of dynalite refuses them, reads still work): every
// way a session ends still ends it, answers a typed error, logs and counts the failure (issue 23).
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoSessionStore } from '../../lambdas/adapters/dynamo-session-store';
import { AuthEnv } from '../../lambdas/auth/env';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import { BrowserSession } from '../helpers/browser-session';
import { captureLogs, type CapturedLogs } from '../helpers/capture-logs';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { demoUser } from '../helpers/sign-in';

let logs: CapturedLogs;
let stack: TestStack;
let proxy: FaultProxy;

beforeAll(async () => {
  logs = captureLogs();
  proxy = await startFaultProxy();
  stack = await startTestStack({
    quiet: false,
    instrument: { dynamoEndpoint: async (dynalite) => proxy.forwardTo(dynalite) },
  });
});

afterAll(async () => {
  await stack?.dispose();
  await proxy?.close();
  logs?.stop();
});

afterEach(() => {
  proxy.failRevocationWrites = false;
});

interface FaultProxy {
  failRevocationWrites: boolean;
  forwardTo(upstream: string): string;
  close(): Promise<void>;
}

/** Forwards DynamoDB calls to dynalite; while switched on, refuses every write to the deny-list table. */
async function startFaultProxy(): Promise<FaultProxy> {
  let upstream: URL | undefined;
  const state = { failRevocationWrites: false };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      const table = (JSON.parse(body.toString('utf8') || '{}') as { TableName?: string }).TableName;
      if (
        state.failRevocationWrites &&
        /UpdateItem|PutItem|TransactWriteItems/.test(target) &&
        table === process.env[AuthorizerEnv.revocationTable]
      ) {
        // What DynamoDB answers when an item would pass 400 KB (the failure issue 23 reproduced).
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ValidationException',
            message: 'Item size has exceeded the maximum allowed size',
          }),
        );
        return;
      }
      const proxied = httpRequest(
        {
          host: upstream!.hostname,
          port: upstream!.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream!.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      proxied.on('error', () => res.writeHead(502).end());
      proxied.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    forwardTo: (target: string) => ((upstream = new URL(target)), url),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

const lines = (event: string, from: number) =>
  logs
    .lines()
    .slice(from)
    .filter((line) => line.event === event);

it('fails logout with ERR_REVOCATION_NOT_STORED but ends the session: cookie cleared, never refreshes, failure counted', async () => {
  const alice = new BrowserSession(stack.outputs);
  await alice.signIn(demoUser(stack.outputs, 'alice'));
  const cookies = new Map(alice.cookies);
  const mark = logs.lines().length;

  proxy.failRevocationWrites = true;
  const answer = await alice.call('POST', '/auth/logout');
  proxy.failRevocationWrites = false;

  expect(answer.status).toBe(503);
  expect(answer.body).toEqual({
    error: 'ERR_REVOCATION_NOT_STORED',
    message: expect.stringContaining('ended'),
  });
  expect(answer.setCookies.some((line) => /Max-Age=0/.test(line))).toBe(true);
  expect(lines('revocation_not_stored', mark)).toEqual([
    expect.objectContaining({ scope: 'session', reason: 'logout', sessionId: alice.sessionId }),
  ]);
  expect(logs.text()).toMatch(/"RevocationWritesFailed":1/);
  // The session is over: the cookie kept from before the logout refreshes nothing.
  cookies.forEach((value, name) => alice.cookies.set(name, value));
  const refreshed = await alice.refresh();
  expect(refreshed.status).toBe(401);
  expect(refreshed.body).toHaveProperty('error', 'ERR_TOKEN_REVOKED');
});

it('still detects refresh-token reuse with 401 while deny-list writes fail, and the other copy refreshes no more', async () => {
  const sessions = new DynamoSessionStore(process.env[AuthEnv.sessionsTable]!);
  const victim = new BrowserSession(stack.outputs);
  await victim.signIn(demoUser(stack.outputs, 'bob'));
  const stolen = new Map(victim.cookies);
  expect((await victim.refresh()).status).toBe(200); // rotation: the stolen copy is now rotated away
  const record = (await sessions.get(victim.sessionId))!;
  await sessions.refresh(victim.sessionId, record.refreshFingerprint, {
    ...record,
    rotated: record.rotated.map((entry) => ({ ...entry, rotatedAt: entry.rotatedAt - 3600 })), // past the grace
  });
  const thief = new BrowserSession(stack.outputs);
  stolen.forEach((value, name) => thief.cookies.set(name, value));
  const mark = logs.lines().length;

  proxy.failRevocationWrites = true;
  const reused = await thief.refresh();
  const afterwards = await victim.refresh(); // the copy holding the current token
  proxy.failRevocationWrites = false;

  expect(reused.status).toBe(401);
  expect(lines('auth_denied', mark)).toContainEqual(expect.objectContaining({ reason: 'ERR_REFRESH_REUSE' }));
  expect(lines('session_reuse_revoked', mark)).toEqual([
    expect.objectContaining({ recordEnded: true, denyListed: false }),
  ]);
  expect(lines('revocation_not_stored', mark)).toHaveLength(1);
  expect(afterwards.status).toBe(401);
  expect(afterwards.body).not.toHaveProperty('accessToken');
});
