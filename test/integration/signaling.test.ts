// The signaling WebSocket end to end on the offline stack with real `ws` clients: refusals, relay, expiry, revocation.
import { DynamoRevocationStore } from '../../lambdas/adapters/dynamo-revocation-store';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import { createObservability } from '../../lambdas/shared/observability';
import { systemClock } from '../../lambdas/shared/ports';
import { RevocationService } from '../../lambdas/shared/revocation-service';
import { loadConnectionsConfig } from '../../lambdas/signaling/config';
import { buildSocketCloser } from '../../lambdas/signaling/deps';
import { rsaTestKey, signRs256 } from '../helpers/jwt';
import { decodePayload, EMULATOR_KEY, mintAccessToken } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { demoUser, signIn } from '../helpers/sign-in';
import type { ConnectOptions, WsClient } from '../helpers/ws-client';
import { connectWs } from '../helpers/ws-client';
import { BrowserSession } from '../helpers/browser-session';

let stack: TestStack;
let revocations: RevocationService;
const by = { actor: 'integration-test', reason: 'test' };
const opened: WsClient['ws'][] = [];

beforeAll(async () => {
  stack = await startTestStack(); // the sweep (every minute) stays out of the way: see signaling-sweep.test.ts
  const store = new DynamoRevocationStore(process.env[AuthorizerEnv.revocationTable]!);
  // Wired as every revoking function wires it: the SocketCloser listener closes the affected sockets at once.
  const closer = buildSocketCloser(
    loadConnectionsConfig(process.env),
    createObservability('integration-test'),
  );
  revocations = new RevocationService(store, systemClock, { refreshTokenValiditySeconds: 7 * 24 * 3600 }, [
    closer,
  ]);
});

afterEach(() => {
  for (const ws of opened.splice(0)) ws.terminate();
});

afterAll(async () => {
  await stack?.dispose();
});

/** Opens a socket like a browser on the app's origin (tracked, terminated after each test). */
async function connect(token: string | undefined, options: Partial<ConnectOptions> = {}): Promise<WsClient> {
  const client = connectWs(stack.outputs.wsUrl!, token, { origin: stack.outputs.appUrl, ...options });
  void client.then((c) => opened.push(c.ws)).catch(() => undefined);
  return client;
}

/** Rooms these tests join; minted tokens carry their groups (room `<name>` admits group `room-<name>`). */
const TEST_ROOMS = ['room-1', 'room-2', 'room-bad', 'room-r', 'late', 'still-here', 'mine'];
const minted = (claims: Record<string, unknown> = {}) =>
  mintAccessToken(stack.outputs, { 'cognito:groups': TEST_ROOMS.map((r) => `room-${r}`), ...claims });
const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('handshake', () => {
  it('writes the WebSocket URL to stack.json and selects the cognito-guard.v1 subprotocol', async () => {
    expect(stack.outputs.wsUrl).toMatch(/^ws:\/\/localhost:\d+\/ws$/);
    const client = await connect(minted());
    expect(client.ws.protocol).toBe('cognito-guard.v1');
  });

  it.each<[string, () => [string | undefined, Partial<ConnectOptions>]]>([
    ['no token', () => [undefined, {}]],
    ['only the subprotocol, no bearer', () => [undefined, { protocols: ['cognito-guard.v1'] }]],
    // Signed by another key under the emulator key's kid.
    ['a forged token', () => [signRs256(rsaTestKey(EMULATOR_KEY.kid), decodePayload(minted())), {}]],
    ['an expired token', () => [minted({ iat: now() - 1000, exp: now() - 10 }), {}]],
    ['a foreign Origin', () => [minted(), { origin: 'https://evil.example' }]],
    ['the token in the query string', () => [minted(), { query: `?access_token=${minted()}` }]],
    ['the token only in the query string', () => [undefined, { query: `?access_token=${minted()}` }]],
  ])('denies a handshake with %s (401)', async (_name, make) => {
    const [token, options] = make();
    await expect(connect(token, options)).rejects.toThrow('HTTP 401');
  });

  it('denies a handshake with a revoked token (401)', async () => {
    const token = minted();
    const { jti, sub, exp } = decodePayload(token) as { jti: string; sub: string; exp: number };
    await revocations.revokeToken({ jti, sub, exp }, by);
    await expect(connect(token)).rejects.toThrow('HTTP 401');
  });

  it('accepts a client that sends no Origin (not a browser)', async () => {
    expect((await connect(minted(), { origin: undefined })).isOpen).toBe(true);
  });
});

describe('rooms and relay', () => {
  it('relays offer, answer and candidates both ways with a server-set from; another room hears nothing', async () => {
    const [alice, bob, carol] = await Promise.all([
      signIn(stack, 'alice@example.com', 'Alice-local-1!').then((t) => connect(t.accessToken)),
      signIn(stack, 'bob@example.com', 'Bob-local-1!').then((t) => connect(t.accessToken)),
      connect(minted()),
    ]);
    const aliceId = await alice.join('demo'); // alice and bob are in group room-demo (local/seed.ts)
    const carolId = await carol.join('room-2');
    bob.send({ action: 'join', room: 'demo' });
    const bobJoined = await bob.next('joined');
    expect(bobJoined.peers).toEqual([expect.objectContaining({ connectionId: aliceId })]);
    const bobId = bobJoined.self as string;
    expect((await alice.next('peer-joined')).peer).toMatchObject({ connectionId: bobId });

    alice.send({ action: 'signal', to: bobId, kind: 'offer', payload: { type: 'offer', sdp: 'v=0 offer' } });
    expect(await bob.next('signal')).toEqual({
      type: 'signal',
      from: aliceId,
      kind: 'offer',
      payload: { type: 'offer', sdp: 'v=0 offer' },
    });
    bob.send({
      action: 'signal',
      to: aliceId,
      kind: 'answer',
      payload: { type: 'answer', sdp: 'v=0 answer' },
    });
    expect(await alice.next('signal')).toEqual({
      type: 'signal',
      from: bobId,
      kind: 'answer',
      payload: { type: 'answer', sdp: 'v=0 answer' },
    });
    const candidate = {
      candidate: 'candidate:1 1 udp 2113937151 192.0.2.1 5000 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    };
    alice.send({ action: 'signal', to: bobId, kind: 'candidate', payload: candidate });
    bob.send({ action: 'signal', to: aliceId, kind: 'candidate', payload: candidate });
    expect(await bob.next('signal')).toMatchObject({ from: aliceId, kind: 'candidate', payload: candidate });
    expect(await alice.next('signal')).toMatchObject({ from: bobId, kind: 'candidate', payload: candidate });

    // A frame addressed to a peer in another room is refused; carol never hears anything.
    alice.send({ action: 'signal', to: carolId, kind: 'offer', payload: { sdp: 'x' } });
    expect(await alice.next('error')).toMatchObject({ reason: 'ERR_PEER_NOT_IN_ROOM' });
    await sleep(200);
    expect(carol.frames.filter((f) => f.type === 'signal')).toEqual([]);
  });

  it.each([
    ['malformed', 'not json', 'ERR_FRAME_MALFORMED'],
    [
      'a client-set from',
      JSON.stringify({ action: 'signal', to: 'x', from: 'y', kind: 'offer', payload: { sdp: 'x' } }),
      'ERR_FRAME_MALFORMED',
    ],
    [
      'an unknown kind',
      JSON.stringify({ action: 'signal', to: 'x', kind: 'bye', payload: {} }),
      'ERR_FRAME_MALFORMED',
    ],
    [
      'oversized',
      JSON.stringify({ action: 'signal', to: 'x', kind: 'offer', payload: { sdp: 'x'.repeat(20_000) } }),
      'ERR_FRAME_TOO_LARGE',
    ],
  ])('answers a %s frame with an error frame and relays nothing', async (_name, body, reason) => {
    const [alice, bob] = await Promise.all([connect(minted()), connect(minted())]);
    await alice.join('room-bad');
    const bobId = await bob.join('room-bad');
    await alice.next('peer-joined');
    alice.send(body.replace('"to":"x"', `"to":"${bobId}"`));
    expect(await alice.next('error')).toMatchObject({ reason });
    await sleep(200);
    expect(bob.frames).toEqual([]);
    expect(alice.isOpen).toBe(true);
  });
});

describe('revocation and expiry on open sockets', () => {
  it('closes the revoked socket within 2 s, with a revoked frame, and keeps the peer open', async () => {
    const aliceToken = minted();
    const [alice, bob] = await Promise.all([connect(aliceToken), connect(minted())]);
    const aliceId = await alice.join('room-r');
    await bob.join('room-r');
    const { jti, sub, exp } = decodePayload(aliceToken) as { jti: string; sub: string; exp: number };

    const start = Date.now();
    await revocations.revokeToken({ jti, sub, exp }, by);
    const { at } = await alice.closed;

    expect(at - start).toBeLessThan(2000);
    expect(alice.frames).toContainEqual({ type: 'revoked', reason: 'ERR_TOKEN_REVOKED', scope: 'token' });
    expect((await bob.next('peer-left')).peer).toBe(aliceId);
    expect(bob.isOpen).toBe(true);
    bob.send({ action: 'leave' });
    await bob.next('left');
  });

  it('closes a revoked session’s socket', async () => {
    const token = minted();
    const client = await connect(token);
    const { origin_jti, sub } = decodePayload(token) as { origin_jti: string; sub: string };
    await revocations.revokeSession({ sessionId: origin_jti, sub }, by);
    await client.closed;
    expect(client.frames).toContainEqual({ type: 'revoked', reason: 'ERR_TOKEN_REVOKED', scope: 'session' });
  });

  it('revokeUser closes every socket of that user and no other', async () => {
    const sub = crypto.randomUUID();
    const [first, second, other] = await Promise.all([
      connect(minted({ sub })),
      connect(minted({ sub })),
      connect(minted()),
    ]);
    await revocations.revokeUser({ sub }, by);
    await Promise.all([first.closed, second.closed]);
    expect(other.isOpen).toBe(true);
  });

  it('refuses the next frame of a token that expired while connected, and closes the socket', async () => {
    const client = await connect(minted({ exp: now() + 2 }));
    await sleep(2100);
    client.send({ action: 'join', room: 'late' });
    expect(await client.next('error')).toMatchObject({ reason: 'ERR_TOKEN_EXPIRED' });
    await client.closed;
  });
});

describe('reauth', () => {
  it('keeps the socket alive past the old exp with a fresh token of the same user', async () => {
    const sub = crypto.randomUUID();
    const client = await connect(minted({ sub, exp: now() + 2 }));
    const fresh = minted({ sub, exp: now() + 900 });
    client.send({ action: 'reauth', token: fresh });
    expect(await client.next('reauthed')).toEqual({ type: 'reauthed', exp: decodePayload(fresh).exp });
    await sleep(2100); // past the first token's exp
    await client.join('still-here');
    expect(client.isOpen).toBe(true);
  });

  it('refuses another user’s token and keeps the current one', async () => {
    const client = await connect(minted());
    client.send({ action: 'reauth', token: minted() });
    expect(await client.next('error')).toMatchObject({ reason: 'ERR_FORBIDDEN' });
    await client.join('mine');
  });
});

describe('REST logout closes sockets', () => {
  /** Alice signed in on a laptop and a phone, bob on his browser; each with a socket open on its access token. */
  async function signedInWithSockets() {
    const [laptop, phone, bobBrowser] = [
      new BrowserSession(stack.outputs),
      new BrowserSession(stack.outputs),
      new BrowserSession(stack.outputs),
    ];
    await Promise.all([
      laptop.signIn(demoUser(stack.outputs, 'alice')),
      phone.signIn(demoUser(stack.outputs, 'alice')),
      bobBrowser.signIn(demoUser(stack.outputs, 'bob')),
    ]);
    const sockets = await Promise.all([
      connect(laptop.accessToken),
      connect(phone.accessToken),
      connect(bobBrowser.accessToken),
    ]);
    return { laptop, sockets };
  }

  it('logout closes this session’s socket within 2 s; the same user’s other session and bob stay open', async () => {
    const {
      laptop,
      sockets: [aliceLaptop, alicePhone, bob],
    } = await signedInWithSockets();

    const start = Date.now();
    expect((await laptop.call('POST', '/auth/logout')).status).toBe(200);
    const { at } = await aliceLaptop.closed;

    expect(at - start).toBeLessThan(2000);
    expect(aliceLaptop.frames).toContainEqual(
      expect.objectContaining({ type: 'revoked', reason: 'ERR_TOKEN_REVOKED' }),
    );
    await sleep(200);
    expect(alicePhone.isOpen).toBe(true);
    expect(bob.isOpen).toBe(true);
  });

  it('logout-all closes every socket of the user within 2 s; bob stays open', async () => {
    const {
      laptop,
      sockets: [first, second, bob],
    } = await signedInWithSockets();

    const start = Date.now();
    expect((await laptop.call('POST', '/auth/logout-all')).status).toBe(200);
    const closed = await Promise.all([first.closed, second.closed]);

    expect(Math.max(...closed.map((c) => c.at)) - start).toBeLessThan(2000);
    expect(bob.isOpen).toBe(true);
  });
});
