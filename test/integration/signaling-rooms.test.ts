// Rooms on the offline stack with real `ws` clients: race-free joins, the size limit, access control, both-ends checks.
import { randomUUID } from 'node:crypto';
import { DynamoRevocationStore } from '../../lambdas/adapters/dynamo-revocation-store';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import { DEFAULT_LIMITS } from '../../lambdas/signaling/signaling';
import { decodePayload, mintAccessToken } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { signIn } from '../helpers/sign-in';
import type { Frame, WsClient } from '../helpers/ws-client';
import { pageSockets } from '../helpers/ws-client';

let stack: TestStack;
let denyList: DynamoRevocationStore;

beforeAll(async () => {
  stack = await startTestStack();
  // Written straight to the deny-list, without the SocketCloser: as when the push-close failed.
  denyList = new DynamoRevocationStore(process.env[AuthorizerEnv.revocationTable]!);
});

afterAll(async () => {
  await stack?.dispose();
});

const connect = pageSockets(() => stack.outputs);

/** A token admitted to group room `room` (group `room-<room>`), for a fresh user unless `sub` is given. */
const member = (room: string, claims: Record<string, unknown> = {}) =>
  mintAccessToken(stack.outputs, { 'cognito:groups': [`room-${room}`], ...claims });
const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The connection ids a socket has learnt of in its room: its `joined` frame's peers and every `peer-joined`. */
function known(joined: Frame, client: WsClient): string[] {
  const peers = (joined.peers as readonly { connectionId: string }[]).map((p) => p.connectionId);
  const announced = client.frames
    .filter((f) => f.type === 'peer-joined')
    .map((f) => (f.peer as { connectionId: string }).connectionId);
  return [...peers, ...announced];
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('race-free joins', () => {
  it('two sockets joining one room at the same instant always learn of each other (25 rounds)', async () => {
    for (let round = 0; round < 25; round++) {
      const room = `race-${round}-${randomUUID().slice(0, 8)}`;
      const [a, b] = await Promise.all([connect(member(room)), connect(member(room))]);
      a.send({ action: 'join', room });
      b.send({ action: 'join', room });
      const [aJoined, bJoined] = await Promise.all([a.next('joined'), b.next('joined')]);
      await waitFor(
        () =>
          known(aJoined, a).includes(bJoined.self as string) &&
          known(bJoined, b).includes(aJoined.self as string),
      );
      a.ws.terminate();
      b.ws.terminate();
    }
  });

  it(`holds the room size limit (${DEFAULT_LIMITS.maxRoomSize}) when more sockets join at once`, async () => {
    const room = `crowd-${randomUUID().slice(0, 8)}`;
    const size = DEFAULT_LIMITS.maxRoomSize + 4;
    const clients = await Promise.all(Array.from({ length: size }, () => connect(member(room))));
    for (const c of clients) c.send({ action: 'join', room });
    await waitFor(() =>
      clients.every((c) => c.frames.some((f) => f.type === 'joined' || f.type === 'error')),
    );
    const joined = clients.filter((c) => c.frames.some((f) => f.type === 'joined'));
    const refused = clients.filter((c) =>
      c.frames.some((f) => f.type === 'error' && f.reason === 'ERR_ROOM_FULL'),
    );
    expect(joined).toHaveLength(DEFAULT_LIMITS.maxRoomSize);
    expect(refused).toHaveLength(4);
    // Every admitted member learns of every other admitted member, and of no refused one.
    const joinedFrames = joined.map((c) => c.frames.find((f) => f.type === 'joined')!);
    const ids = joinedFrames.map((f) => f.self);
    const learnt = (i: number) => known(joinedFrames[i], joined[i]);
    await waitFor(() => joined.every((_c, i) => ids.every((id, j) => i === j || learnt(i).includes(id))));
    for (let i = 0; i < joined.length; i++) expect(learnt(i)).toHaveLength(DEFAULT_LIMITS.maxRoomSize - 1);
  });
});

describe('room access control', () => {
  it('refuses another user’s private room and admits the same user’s second socket', async () => {
    const owner = randomUUID();
    const room = `user:${owner}`;
    const [laptop, robot, stranger] = await Promise.all([
      connect(mintAccessToken(stack.outputs, { sub: owner })),
      connect(mintAccessToken(stack.outputs, { sub: owner })),
      connect(mintAccessToken(stack.outputs)),
    ]);
    const laptopId = await laptop.join(room);
    stranger.send({ action: 'join', room });
    expect(await stranger.next('error')).toMatchObject({ reason: 'ERR_ROOM_FORBIDDEN' });
    robot.send({ action: 'join', room });
    expect((await robot.next('joined')).peers).toEqual([{ connectionId: laptopId, name: owner }]);
    await laptop.next('peer-joined');
    expect(laptop.frames).toEqual([]); // the stranger's attempt changed nothing the owner could see
  });

  it('refuses a non-member of the group room; a member succeeds', async () => {
    const room = `group-${randomUUID().slice(0, 8)}`;
    const [outsider, insider] = await Promise.all([
      connect(member('some-other-room')),
      connect(member(room)),
    ]);
    outsider.send({ action: 'join', room });
    expect(await outsider.next('error')).toMatchObject({ reason: 'ERR_ROOM_FORBIDDEN' });
    await insider.join(room);
    expect(insider.frames).toEqual([]); // the insider was never told of the outsider
  });

  it('shows peers by email, never by sub (alice and bob in the seeded room demo)', async () => {
    const [alice, bob] = await Promise.all([
      signIn(stack, 'alice@example.com', 'Alice-local-1!').then((t) => connect(t.accessToken)),
      signIn(stack, 'bob@example.com', 'Bob-local-1!').then((t) => connect(t.accessToken)),
    ]);
    await alice.join('demo');
    bob.send({ action: 'join', room: 'demo' });
    const joined = await bob.next('joined');
    expect(joined.peers).toEqual([expect.objectContaining({ name: 'alice@example.com' })]);
    expect(await alice.next('peer-joined')).toMatchObject({ peer: { name: 'bob@example.com' } });
    expect(JSON.stringify(joined)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/); // no uuid (sub) leaks
  });
});

describe('every relay checks both ends', () => {
  async function pair(recipientClaims: Record<string, unknown> = {}) {
    const room = `relay-${randomUUID().slice(0, 8)}`;
    const recipientToken = member(room, recipientClaims);
    const [sender, recipient] = await Promise.all([connect(member(room)), connect(recipientToken)]);
    await sender.join(room);
    const recipientId = await recipient.join(room);
    await sender.next('peer-joined');
    return { sender, recipient, recipientId, recipientToken };
  }
  const offer = (to: string) => ({ action: 'signal', to, kind: 'offer', payload: { sdp: 'v=0' } });

  it('never relays to a recipient revoked without a push-close: it gets the reason and is closed', async () => {
    const { sender, recipient, recipientId, recipientToken } = await pair();
    const { jti, sub, exp } = decodePayload(recipientToken) as { jti: string; sub: string; exp: number };
    await denyList.put(
      { scope: 'token', jti },
      { scope: 'token', sub, revokedAt: now(), expiresAt: exp, reason: 'test', actor: 'test' },
    );
    sender.send(offer(recipientId));
    expect(await sender.next('error')).toMatchObject({ reason: 'ERR_PEER_NOT_IN_ROOM' });
    await recipient.closed;
    expect(recipient.frames).toEqual([
      expect.objectContaining({ type: 'error', reason: 'ERR_TOKEN_REVOKED' }),
    ]);
  });

  it('never relays to a recipient whose token expired: it gets the reason and is closed', async () => {
    const { sender, recipient, recipientId } = await pair({ exp: now() + 2 });
    await sleep(2100);
    sender.send(offer(recipientId));
    expect(await sender.next('error')).toMatchObject({ reason: 'ERR_PEER_NOT_IN_ROOM' });
    await recipient.closed;
    expect(recipient.frames).toEqual([
      expect.objectContaining({ type: 'error', reason: 'ERR_TOKEN_EXPIRED' }),
    ]);
  });
});

describe('per-connection rate limit', () => {
  it('throttles a client over the limit with an error frame, then closes it', async () => {
    const client = await connect(member('noisy'));
    for (let i = 0; i < 60; i++) client.send({ action: 'leave' });
    await client.closed;
    expect(client.frames).toContainEqual(
      expect.objectContaining({ type: 'error', reason: 'ERR_RATE_LIMITED' }),
    );
    const reasons = client.frames.map((f) => f.reason);
    expect(reasons.indexOf('ERR_RATE_LIMITED')).toBeGreaterThan(0); // frames within the burst were answered
    await sleep(500); // frames still queued at the shim drain before the stack stops
  });
});
