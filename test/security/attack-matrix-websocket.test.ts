// The same attack matrix against the signaling WebSocket: the $connect handshake is refused with the typed reason,
// and a `reauth` frame carrying the attack token on an open socket is refused while the socket keeps its own token.
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { CapturedLogs } from '../helpers/capture-logs';
import { captureLogs } from '../helpers/capture-logs';
import { decodePayload, mintAccessToken } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import type { WsClient } from '../helpers/ws-client';
import { connectWs } from '../helpers/ws-client';
import type { AttackCase, AttackContext, AttackerServer } from './attack-matrix';
import { casesFor, startAttackerServer } from './attack-matrix';
import { deniedLines, startLoggingStack } from './support';

let stack: TestStack;
let attacker: AttackerServer;
let ctx: AttackContext;
let logs: CapturedLogs;
let requestNumber = 0;
const opened: WsClient[] = [];

beforeAll(async () => {
  attacker = await startAttackerServer();
  const started = await startLoggingStack();
  stack = started.stack;
  ctx = { audience: stack.outputs, attacker, revocations: started.revocations };
  expect(await handshake(`cognito-guard.v1, bearer.${mintAccessToken(stack.outputs)}`)).toMatchObject({
    status: 101,
  });
});

afterAll(async () => {
  for (const client of opened) client.ws.terminate();
  await stack?.dispose();
  await attacker?.close();
});

beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.stop());

/** A raw upgrade request from the app's origin with `Sec-WebSocket-Protocol` sent byte for byte. */
function handshake(
  protocols: string,
): Promise<{ status: number; userAgent: string; challenge?: string; body?: string }> {
  const userAgent = `attack-matrix-ws/${++requestNumber}`;
  const url = new URL(stack.outputs.wsUrl!.replace(/^ws:/, 'http:').replace('localhost', '127.0.0.1'));
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': Buffer.from(randomUUID().slice(0, 16)).toString('base64'),
        'Sec-WebSocket-Protocol': protocols,
        Origin: stack.outputs.appUrl,
        'User-Agent': userAgent,
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ status: 101, userAgent });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          userAgent,
          challenge: res.headers['www-authenticate'],
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const FRAME_TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

describe('WebSocket $connect attack matrix', () => {
  const cases = casesFor('websocket');

  it.each(cases.map((c): [string, AttackCase] => [c.name, c]))('refuses %s', async (_name, attack) => {
    const token = await attack.token(ctx);
    const response = await handshake(attack.subprotocols?.(token) ?? `cognito-guard.v1, bearer.${token}`);

    expect(response.status).toBe(401);
    // API Gateway adds nothing to a refused handshake (WebSocket APIs have no gateway responses): neither does the
    // twin. The typed reason is in the log line below, and REST answers it for the same token (docs/errors.md).
    expect(response.challenge).toBeUndefined();
    expect(response.body).toBe('');
    const lines = deniedLines(logs, response.userAgent);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      reason: attack.reason,
      route: '$connect',
      ...(attack.scope ? { scope: attack.scope } : {}),
    });
    if (attack.reason !== 'ERR_TOKEN_REVOKED') expect(lines[0]).not.toHaveProperty('sub');
    expect(logs.text()).not.toContain(token);
    expect(attacker.requests).toEqual([]);
  });

  it('covers every case of the shared table that applies to WebSockets', () => {
    expect(cases.length).toBeGreaterThan(75);
  });
});

describe('reauth attack matrix (open socket, attack token in a reauth frame)', () => {
  // A user watermark also revokes the socket's own token: that path is the signaling suite's (socket closed).
  const cases = casesFor('websocket').filter((c) => !c.subprotocols && c.scope !== 'user');

  it.each(cases.map((c): [string, AttackCase] => [c.name, c]))('refuses %s', async (_name, attack) => {
    const token = await attack.token(ctx);
    let sub: unknown;
    try {
      sub = decodePayload(token).sub;
    } catch {
      sub = undefined;
    }
    const owner = typeof sub === 'string' ? sub : randomUUID(); // the socket belongs to the token's own user
    const client = await connectWs(stack.outputs.wsUrl!, mintAccessToken(stack.outputs, { sub: owner }), {
      origin: stack.outputs.appUrl,
    });
    opened.push(client);

    client.send({ action: 'reauth', token });
    const refused = await client.next('error');

    // A token outside the frame schema never reaches the verifier.
    const reachesVerifier = FRAME_TOKEN.test(token) && token.length <= 8192;
    expect(refused.reason).toBe(reachesVerifier ? attack.reason : 'ERR_FRAME_MALFORMED');
    expect(client.frames.filter((f) => f.type === 'reauthed')).toEqual([]);
    expect(client.isOpen).toBe(true);
    const lines = logs.lines().filter((l) => l.event === 'auth_denied' && l.sub === owner);
    if (reachesVerifier) {
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        reason: attack.reason,
        route: expect.stringContaining('reauth'),
        ...(attack.scope ? { scope: attack.scope } : {}),
      });
    } else {
      expect(lines).toEqual([]);
    }
    expect(logs.text()).not.toContain(token);
    client.ws.terminate();
  });
});

describe('room attack matrix (open socket, a room it is not admitted to)', () => {
  /** The victim's socket sits in its room; the attacker's token has only the groups given. */
  const rooms: [string, (victimSub: string) => string, readonly string[]][] = [
    ['another user’s private room', (victim) => `user:${victim}`, ['room-demo']],
    ['a private room named by a prefix of another user’s sub', (victim) => `user:${victim.slice(0, 8)}`, []],
    ['a group room without its group', () => 'ops', ['room-demo', 'admins']],
    ['a group room named like another of its groups', () => 'admins', ['admins']],
  ];

  it.each(rooms)(
    'refuses joining %s, tells the members nothing, logs the refusal',
    async (_n, roomOf, groups) => {
      const victimSub = randomUUID();
      const room = roomOf(victimSub);
      const victimToken = mintAccessToken(stack.outputs, { sub: victimSub, 'cognito:groups': ['room-ops'] });
      const victim = await connectWs(stack.outputs.wsUrl!, victimToken, { origin: stack.outputs.appUrl });
      const attackerSub = randomUUID();
      const attackerToken = mintAccessToken(stack.outputs, { sub: attackerSub, 'cognito:groups': groups });
      const intruder = await connectWs(stack.outputs.wsUrl!, attackerToken, { origin: stack.outputs.appUrl });
      opened.push(victim, intruder);
      const victimInRoom = room === `user:${victimSub}` || room === 'ops';
      const victimId = victimInRoom ? await victim.join(room) : 'x'.repeat(12);

      intruder.send({ action: 'join', room });
      expect(await intruder.next('error')).toMatchObject({ reason: 'ERR_ROOM_FORBIDDEN' });
      // Addressed to the victim directly: still refused, the victim hears nothing.
      intruder.send({ action: 'signal', to: victimId, kind: 'offer', payload: { sdp: 'v=0' } });
      expect(await intruder.next('error')).toMatchObject({ reason: 'ERR_NOT_IN_ROOM' });
      expect(intruder.isOpen).toBe(true);
      expect(victim.frames).toEqual([]);
      const refusals = logs.lines().filter((l) => l.event === 'ws_room_forbidden' && l.sub === attackerSub);
      expect(refusals).toEqual([expect.objectContaining({ room })]);
      expect(logs.text()).not.toContain(attackerToken);
    },
  );
});
