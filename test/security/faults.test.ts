// Fail-closed faults on the offline stack with real servers going down: deny-list store, JWKS, Cognito, full restart.
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambdas/adapters/dynamo-revocation-store';
import { AuthEnv } from '../../lambdas/auth/env';
import type { RevocationService } from '../../lambdas/shared/revocation-service';
import type { CapturedLogs } from '../helpers/capture-logs';
import { captureLogs } from '../helpers/capture-logs';
import { forgeJws, rs256 } from '../helpers/forge';
import { decodePayload, mintAccessToken } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { BrowserSession } from '../helpers/browser-session';
import { signIn } from '../helpers/sign-in';
import type { WsClient } from '../helpers/ws-client';
import { connectWs } from '../helpers/ws-client';
import { startAttackerServer } from './attack-matrix';
import type { AttackerServer } from './attack-matrix';
import { deniedLines, rawRequest, startLoggingStack } from './support';

let stack: TestStack;
let revocations: RevocationService;
let attacker: AttackerServer;
let logs: CapturedLogs;
let requestNumber = 0;
const documents = createDocumentClient();
const by = { actor: 'fault-test', reason: 'test' };

beforeAll(async () => {
  attacker = await startAttackerServer();
  ({ stack, revocations } = await startLoggingStack());
  expect((await me(mintAccessToken(stack.outputs))).status).toBe(200); // JWKS cached, as in a warm authorizer
});

afterAll(async () => {
  for (const client of sockets) client.ws.terminate();
  await stack?.dispose();
  await attacker?.close();
  documents.destroy();
});

beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.stop());

async function me(token: string) {
  const userAgent = `faults/${++requestNumber}`;
  const response = await rawRequest(`${stack.outputs.apiUrl}/me`, {
    headers: { Authorization: `Bearer ${token}`, 'User-Agent': userAgent },
  });
  return { ...response, denied: () => deniedLines(logs, userAgent) };
}

const minted = (claims: Record<string, unknown> = {}) => mintAccessToken(stack.outputs, claims);

const sockets: WsClient[] = [];
async function socket(token = minted()): Promise<WsClient> {
  const client = await connectWs(stack.outputs.wsUrl!, token, { origin: stack.outputs.appUrl });
  sockets.push(client);
  return client;
}

/** Correctly shaped, signed by a key the pool does not have (a kid the verifier has never seen). */
const unknownKid = () =>
  forgeJws(
    JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: `rotated-${randomUUID()}` }),
    JSON.stringify(decodePayload(minted())),
    rs256(attacker.privateKey),
  );

async function sessionItems(): Promise<Array<Record<string, unknown>>> {
  const output = await documents.send(new ScanCommand({ TableName: process.env[AuthEnv.sessionsTable]! }));
  return output.Items ?? [];
}

describe('revocation store down (dynalite stopped)', () => {
  it('denies every request with ERR_STORE_UNAVAILABLE, allows nothing, and recovers without a restart', async () => {
    const user = stack.outputs.users[0];
    const signedIn = await signIn(stack, user.username, user.password);
    const revoked = minted();
    const claims = decodePayload(revoked);
    await revocations.revokeToken(
      { jti: claims.jti as string, sub: claims.sub as string, exp: claims.exp as number },
      by,
    );

    const room = `fault-${randomUUID()}`;
    const inRoom = () => minted({ 'cognito:groups': [`room-${room}`] }); // group room-<name> admits to <name>
    const [alice, bob] = await Promise.all([socket(inRoom()), socket(inRoom())]);
    await alice.join(room);
    const bobId = await bob.join(room);

    await stack.services.dynamo.stop();
    try {
      const tokens = [signedIn.accessToken, revoked, ...Array.from({ length: 8 }, () => minted())];
      const responses = await Promise.all(tokens.map((token) => me(token)));
      for (const response of responses) {
        expect(response.status).toBe(401);
        expect(response.denied()).toMatchObject([{ reason: 'ERR_STORE_UNAVAILABLE', route: 'GET /me' }]);
      }
      // A forgery is still refused for what it is: the signature check comes first and needs no store.
      const forged = await me(
        forgeJws(
          JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'CognitoLocal' }),
          JSON.stringify(decodePayload(minted())),
          rs256(attacker.privateKey),
        ),
      );
      expect(forged.status).toBe(401);
      expect(forged.denied()).toMatchObject([{ reason: 'ERR_TOKEN_SIGNATURE' }]);

      // WebSocket: a new socket is refused with the same typed reason; an open one relays nothing.
      const wsToken = minted();
      await expect(socket(wsToken)).rejects.toThrow('HTTP 401');
      const jti = decodePayload(wsToken).jti;
      expect(logs.lines().filter((l) => l.event === 'auth_denied' && l.jti === jti)).toMatchObject([
        { reason: 'ERR_STORE_UNAVAILABLE', route: '$connect' },
      ]);
      // An open socket whose record cannot be read is told why; nothing is relayed. The fault is the server's: the
      // socket stays open and in its room, and its room is not told it left.
      alice.send({ action: 'signal', to: bobId, kind: 'offer', payload: { sdp: 'during outage' } });
      expect(await alice.next('error')).toMatchObject({ reason: 'ERR_STORE_UNAVAILABLE' });
      expect(alice.isOpen).toBe(true);
      expect(bob.frames.filter((f) => f.type === 'signal' || f.type === 'peer-left')).toEqual([]);
      expect(logs.lines().filter((l) => l.event === 'ws_failure')).toMatchObject([
        { reason: 'ERR_STORE_UNAVAILABLE', route: 'ws:signal' },
      ]);
    } finally {
      await stack.services.dynamo.start(); // same port, same LevelDB directory
    }

    const back = await me(signedIn.accessToken);
    expect(back.status).toBe(200);
    alice.send({ action: 'signal', to: bobId, kind: 'offer', payload: { sdp: 'after outage' } }); // the same socket
    expect((await bob.next('signal')).payload).toEqual({ sdp: 'after outage' });
    expect(bob.frames.filter((f) => f.type === 'signal')).toEqual([]); // the outage frame was dropped, not queued
    const stillRevoked = await me(revoked);
    expect(stillRevoked.status).toBe(401);
    expect(stillRevoked.denied()).toMatchObject([{ reason: 'ERR_TOKEN_REVOKED', scope: 'token' }]);
  });
});

describe('JWKS endpoint unreachable (cognito-local stopped)', () => {
  it('keeps accepting tokens of the cached kid and denies an unknown kid with ERR_JWKS_UNAVAILABLE', async () => {
    await stack.services.cognito.stop();
    try {
      const known = await me(minted());
      expect(known.status).toBe(200);
      for (let i = 0; i < 3; i += 1) {
        const unknown = await me(unknownKid());
        expect(unknown.status).toBe(401);
        expect(unknown.denied()).toMatchObject([{ reason: 'ERR_JWKS_UNAVAILABLE' }]);
      }
      // Revocation still applies while the JWKS is away.
      const revoked = minted();
      await revocations.revokeUser({ sub: decodePayload(revoked).sub as string }, by);
      expect((await me(revoked)).denied()).toMatchObject([{ reason: 'ERR_TOKEN_REVOKED', scope: 'user' }]);
    } finally {
      await stack.services.cognito.start();
    }
    // Reachable again: the JWKS is fetched, the kid is not in it.
    const unknownAfter = await me(unknownKid());
    expect(unknownAfter.denied()).toMatchObject([{ reason: 'ERR_TOKEN_SIGNATURE' }]);
  });
});

describe('Cognito emulator down', () => {
  it('answers /auth/session with a 502 JSON error, issues no token and writes no session; sign-in works after', async () => {
    const user = stack.outputs.users[1];
    const browser = new BrowserSession(stack.outputs);
    const { code, state } = await browser.authorize(user);
    const before = await sessionItems();

    await stack.services.cognito.stop();
    let down;
    try {
      down = await browser.completeSignIn({ code, state });
    } finally {
      await stack.services.cognito.start();
    }

    expect(down.status).toBe(502);
    expect(down.body).toEqual({ error: 'ERR_UPSTREAM', message: expect.any(String) });
    expect(JSON.stringify(down.body)).not.toMatch(/accessToken|idToken|refresh/i);
    expect(down.setCookies).toEqual([]);
    expect(await sessionItems()).toEqual(before);

    // The offline Cognito keeps codes in memory, so its restart forgot this one: sign in again.
    expect((await browser.signIn(user)).status).toBe(200);
    expect(await sessionItems()).toHaveLength(before.length + 1);
  });

  it('answers /auth/refresh with a 502 JSON error, keeps the cookie and the session unchanged; refresh works after', async () => {
    const user = stack.outputs.users[2];
    const browser = new BrowserSession(stack.outputs);
    await browser.signIn(user);
    const before = await sessionItems();

    await stack.services.cognito.stop();
    let down;
    try {
      down = await browser.refresh();
    } finally {
      await stack.services.cognito.start();
    }

    expect(down.status).toBe(502);
    expect(down.body).toEqual({ error: 'ERR_UPSTREAM', message: expect.any(String) });
    expect(down.setCookies).toEqual([]); // the browser keeps its cookie
    expect(await sessionItems()).toEqual(before); // no rotation recorded, no revocation

    const retried = await browser.refresh();
    expect(retried.status).toBe(200);
    expect(retried.body).toHaveProperty('accessToken');
  });
});

describe('restart of the whole offline stack', () => {
  it('still enforces every revocation made before: token, session and user', async () => {
    const [byJti, bySession, byUser, untouched] = [minted(), minted(), minted(), minted()];
    const claimsOf = (token: string) =>
      decodePayload(token) as { jti: string; sub: string; exp: number; origin_jti: string };
    await revocations.revokeToken(claimsOf(byJti), by);
    await revocations.revokeSession(
      { sessionId: claimsOf(bySession).origin_jti, sub: claimsOf(bySession).sub },
      by,
    );
    await revocations.revokeUser({ sub: claimsOf(byUser).sub }, by);
    const expected = [
      [byJti, 'token'],
      [bySession, 'session'],
      [byUser, 'user'],
    ] as const;

    await stack.stop();
    // Same data dir and ports: the handlers of this process were configured with these endpoints.
    stack = await startTestStack({ quiet: false, dataDir: stack.dataDir, ports: stack.ports });

    for (const [token, scope] of expected) {
      const response = await me(token);
      expect(response.status).toBe(401);
      expect(response.denied()).toMatchObject([{ reason: 'ERR_TOKEN_REVOKED', scope }]);
    }
    expect((await me(untouched)).status).toBe(200);
  });
});
