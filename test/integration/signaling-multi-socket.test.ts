// Several sockets of one user (tabs, devices): rooms, relays, the per-user cap, reauth; real `ws` clients, offline stack.
import { randomUUID } from 'node:crypto';
import { DEFAULT_MAX_CONNECTIONS_PER_USER } from '../../lambdas/signaling/env';
import { mintAccessToken } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import type { WsClient } from '../helpers/ws-client';
import { pageSockets } from '../helpers/ws-client';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.dispose();
});

const connect = pageSockets(() => stack.outputs);

const offer = (to: string) => ({
  action: 'signal',
  to,
  kind: 'offer',
  payload: { type: 'offer', sdp: 'v=0' },
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `n` sockets of one user admitted to group room `room`. */
async function tabs(sub: string, room: string, n: number): Promise<WsClient[]> {
  const token = () => mintAccessToken(stack.outputs, { sub, 'cognito:groups': [`room-${room}`] });
  return Promise.all(Array.from({ length: n }, () => connect(token())));
}

describe('several sockets of one user in one room', () => {
  it('relays signals both ways between two tabs of one user in a group room', async () => {
    const room = `demo-${randomUUID().slice(0, 8)}`;
    const [tab1, tab2] = await tabs(randomUUID(), room, 2);
    const id1 = await tab1.join(room);
    const id2 = await tab2.join(room);
    tab2.send(offer(id1));
    expect(await tab1.next('signal')).toMatchObject({ from: id2, kind: 'offer' });
    tab1.send(offer(id2));
    expect(await tab2.next('signal')).toMatchObject({ from: id1, kind: 'offer' });
    expect(
      [...tab1.frames, ...tab2.frames].filter((f) => f.type === 'error' || f.type === 'peer-left'),
    ).toEqual([]);
  });

  it('relays between two sockets of one user in their private room user:<sub>', async () => {
    const sub = randomUUID();
    const [laptop, phone] = await Promise.all([
      connect(mintAccessToken(stack.outputs, { sub })),
      connect(mintAccessToken(stack.outputs, { sub })),
    ]);
    const laptopId = await laptop.join(`user:${sub}`);
    const phoneId = await phone.join(`user:${sub}`);
    phone.send(offer(laptopId));
    expect(await laptop.next('signal')).toMatchObject({ from: phoneId });
    laptop.send(offer(phoneId));
    expect(await phone.next('signal')).toMatchObject({ from: laptopId });
  });

  it('answers a join of a user’s second socket when that user and another already share the room', async () => {
    const room = `demo-${randomUUID().slice(0, 8)}`;
    const [alice] = await tabs(randomUUID(), room, 1);
    const bob = randomUUID();
    const [bob1, bob2, bob3] = await tabs(bob, room, 3);
    const aliceId = await alice.join(room);
    const bob1Id = await bob1.join(room);
    const bob2Id = await bob2.join(room);
    bob3.send({ action: 'join', room });
    const joined = await bob3.next('joined');
    const peers = (joined.peers as { connectionId: string }[]).map((p) => p.connectionId).sort();
    expect(peers).toEqual([aliceId, bob1Id, bob2Id].sort());
    const toldOfBob3 = (member: WsClient) =>
      member.frames.some(
        (f) => f.type === 'peer-joined' && (f.peer as { connectionId: string }).connectionId === joined.self,
      );
    const deadline = Date.now() + 3000;
    while (![alice, bob1, bob2].every(toldOfBob3) && Date.now() < deadline) await sleep(20);
    expect([alice, bob1, bob2].map(toldOfBob3)).toEqual([true, true, true]);
  });

  it('never tells a room peer-left for a socket that is still open after a refused frame', async () => {
    const room = `demo-${randomUUID().slice(0, 8)}`;
    const [tab1, tab2] = await tabs(randomUUID(), room, 2);
    const id1 = await tab1.join(room);
    await tab2.join(room);
    tab2.send(offer('no-such-peer'));
    expect(await tab2.next('error')).toMatchObject({ reason: 'ERR_PEER_NOT_IN_ROOM' });
    tab2.send(offer(id1));
    await tab1.next('signal');
    await sleep(100);
    expect(tab1.frames.filter((f) => f.type === 'peer-left')).toEqual([]);
    expect(tab2.isOpen).toBe(true);
  });
});

describe('per-user socket cap and reauth policy', () => {
  it(`refuses sockets beyond the per-user cap (${DEFAULT_MAX_CONNECTIONS_PER_USER}) when one user connects 14 at once`, async () => {
    const sub = randomUUID();
    const attempts = await Promise.allSettled(
      Array.from({ length: DEFAULT_MAX_CONNECTIONS_PER_USER + 4 }, () =>
        connect(mintAccessToken(stack.outputs, { sub })),
      ),
    );
    const open = attempts.filter((a) => a.status === 'fulfilled');
    const refused = attempts.filter((a) => a.status === 'rejected');
    expect(open).toHaveLength(DEFAULT_MAX_CONNECTIONS_PER_USER);
    expect(refused.map((r) => String(r.reason))).toEqual(Array(4).fill('Error: HTTP 429'));
    // Another user is not affected; a closed socket gives its place back.
    await connect(mintAccessToken(stack.outputs));
    const first = open[0].value;
    first.ws.close();
    await first.closed;
    await sleep(100); // `$disconnect` runs after the close
    await connect(mintAccessToken(stack.outputs, { sub }));
  });

  it('refuses a reauth token narrowed to openid email, as $connect does, and keeps the socket', async () => {
    const sub = randomUUID();
    const narrowed = mintAccessToken(stack.outputs, { sub, scope: 'openid email' });
    await expect(connect(narrowed)).rejects.toThrow('HTTP 403');
    const client = await connect(mintAccessToken(stack.outputs, { sub }));
    client.send({ action: 'reauth', token: narrowed });
    expect(await client.next('error')).toMatchObject({ reason: 'ERR_FORBIDDEN' });
    client.send({ action: 'reauth', token: mintAccessToken(stack.outputs, { sub }) });
    await client.next('reauthed');
  });
});
