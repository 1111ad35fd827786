// The signaling core: token checks on every frame, room relay, reauth, leave/disconnect and the sweep (fakes, frozen time).

import type { AccessClaims } from '../../lambdas/shared/claims';
import { SIGNALING_SCOPE } from '../../lambdas/shared/oauth-scopes';
import type { RevocationRecord, TokenVerifier, VerifyResult } from '../../lambdas/shared/ports';
import type { Connection } from '../../lambdas/signaling/ports';
import type { SignalingDeps } from '../../lambdas/signaling/signaling';
import {
  connectionOf,
  onDisconnect,
  onMessage,
  revokedEffects,
  sweep,
} from '../../lambdas/signaling/signaling';
import { ConnectionRateLimiter } from '../../lambdas/signaling/rate-limiter';
import { namedRoomPolicy } from '../../lambdas/signaling/room-policy';
import { MemoryConnections } from '../helpers/memory-connections';

const NOW = 1_800_000_000;
const clock = { nowSeconds: () => NOW };

function conn(id: string, overrides: Partial<Connection> = {}): Connection {
  return {
    connectionId: id,
    sub: `sub-${id}`,
    username: id,
    groups: ['room-r1', 'room-r2'],
    sessionId: `s-${id}`,
    jti: `j-${id}`,
    tokenExp: NOW + 600,
    tokenIat: NOW - 300,
    connectedAt: NOW - 60,
    ...overrides,
  };
}

function claims(overrides: Partial<AccessClaims> = {}): AccessClaims {
  return {
    sub: 'sub-alice',
    username: 'alice',
    jti: 'j-new',
    originJti: 's-new',
    clientId: 'c',
    iat: NOW,
    exp: NOW + 900,
    groups: [],
    scopes: ['openid', SIGNALING_SCOPE],
    ...overrides,
  };
}

function setup(
  rows: Connection[],
  options: {
    records?: RevocationRecord[];
    storeDown?: boolean;
    tokens?: Record<string, VerifyResult>;
    /** Deny-list entries returned with these connections' rows. */
    revokedRows?: Record<string, RevocationRecord[]>;
  } = {},
) {
  const connections = new MemoryConnections(rows);
  connections.failing = !!options.storeDown;
  for (const row of rows) connections.revocations.set(row.connectionId, options.records ?? []);
  for (const [id, records] of Object.entries(options.revokedRows ?? {}))
    connections.revocations.set(id, records);
  const verifier: TokenVerifier = {
    verify: async (t) => options.tokens?.[t] ?? { ok: false, reason: 'ERR_TOKEN_SIGNATURE' },
  };
  const lookups: unknown[] = [];
  const deps: SignalingDeps = {
    connections,
    checked: connections,
    verifier,
    clock,
    requireSessionId: true,
    policy: namedRoomPolicy,
    rateLimit: () => 'ok',
    limits: { maxRoomSize: 3 },
    revocations: {
      lookup: async (key) => {
        lookups.push(key);
        return options.records ?? [];
      },
    },
  };
  return { connections, deps, lookups };
}

const row = async (connections: MemoryConnections, id: string) =>
  (await connections.get([id])).get(id)?.connection;

const send = (frame: object) => JSON.stringify(frame);
const revokedRecord = (
  scope: RevocationRecord['scope'],
  extra: Partial<RevocationRecord> = {},
): RevocationRecord => ({
  scope,
  sub: 'sub-alice',
  revokedAt: NOW - 1,
  expiresAt: NOW + 600,
  reason: 'logout',
  actor: 'sub-alice',
  ...extra,
});

type Given = { rows: Connection[]; records?: RevocationRecord[]; storeDown?: boolean };

describe('onMessage: every frame first checks the token', () => {
  it.each<[string, Given, string, string]>([
    ['an expired token', { rows: [conn('alice', { tokenExp: NOW })] }, 'ERR_TOKEN_EXPIRED', 'expired'],
    [
      'a token revoked by jti',
      { rows: [conn('alice')], records: [revokedRecord('token')] },
      'ERR_TOKEN_REVOKED',
      'revoked',
    ],
    [
      'a session revoked',
      { rows: [conn('alice')], records: [revokedRecord('session')] },
      'ERR_TOKEN_REVOKED',
      'revoked',
    ],
    [
      'a token issued before the user watermark',
      {
        rows: [conn('alice', { sub: 'sub-alice' })],
        records: [revokedRecord('user', { notBefore: NOW - 299 })],
      },
      'ERR_TOKEN_REVOKED',
      'revoked',
    ],
  ])('denies %s with an error frame and a close', async (_name, given, reason, cause) => {
    const { deps } = setup(given.rows, given);
    const effects = await onMessage('alice', send({ action: 'join', room: 'r1' }), deps);
    expect(effects.outbound).toEqual([
      { to: 'alice', frame: expect.objectContaining({ type: 'error', reason }) },
    ]);
    expect(effects.close).toEqual([{ connectionId: 'alice', cause }]);
    expect(effects.denied).toMatchObject({ reason, jti: 'j-alice' });
  });

  it('fails closed on a store outage with an error frame, relaying nothing and keeping the sender open and in its room', async () => {
    const { deps } = setup([conn('alice', { room: 'r1' }), conn('bob', { room: 'r1' })], { storeDown: true });
    const effects = await onMessage(
      'alice',
      send({ action: 'signal', to: 'bob', kind: 'offer', payload: { type: 'offer', sdp: 'v=0' } }),
      deps,
    );
    expect(effects).toEqual({
      outbound: [
        { to: 'alice', frame: expect.objectContaining({ type: 'error', reason: 'ERR_STORE_UNAVAILABLE' }) },
      ],
      close: [],
      failed: { reason: 'ERR_STORE_UNAVAILABLE', errorName: 'Error' },
    });
  });

  it.each(['setRoom', 'addMember', 'removeMember', 'updateToken'] as const)(
    'answers a join, leave or reauth whose store write (%s) throws with an error frame, never silence',
    async (method) => {
      const { deps, connections } = setup([conn('alice', { sub: 'sub-alice', room: 'r2' })], {
        tokens: { 'a.b.c': { ok: true, claims: claims() } },
      });
      connections[method] = async () => {
        throw new Error('store down');
      };
      for (const frame of [
        { action: 'join', room: 'r1' },
        { action: 'leave' },
        { action: 'reauth', token: 'a.b.c' },
      ]) {
        const effects = await onMessage('alice', send(frame), deps);
        const toAlice = effects.outbound.filter((o) => o.to === 'alice');
        expect(toAlice).toHaveLength(1);
        expect(effects.close).toEqual([]);
      }
    },
  );

  it('ignores a revocation entry that has expired', async () => {
    const { deps } = setup([conn('alice')], { records: [revokedRecord('token', { expiresAt: NOW - 1 })] });
    const effects = await onMessage('alice', send({ action: 'join', room: 'r1' }), deps);
    expect(effects.close).toEqual([]);
  });

  it('applies a revocation entry through the second of its expiresAt (the verifier accepts exp == now)', async () => {
    const { deps } = setup([conn('alice')], { records: [revokedRecord('token', { expiresAt: NOW })] });
    const effects = await onMessage('alice', send({ action: 'leave' }), deps);
    expect(effects.close).toEqual([{ connectionId: 'alice', cause: 'revoked' }]);
  });

  it('reads this connection and its deny-list entries in one checked read', async () => {
    const { deps, connections, lookups } = setup([conn('alice')]);
    await onMessage('alice', send({ action: 'leave' }), deps);
    expect(connections.reads).toEqual([['alice']]);
    expect(lookups).toEqual([]);
  });

  it('closes a socket it has no row for', async () => {
    const { deps } = setup([]);
    const effects = await onMessage('ghost', send({ action: 'leave' }), deps);
    expect(effects.close).toEqual([{ connectionId: 'ghost', cause: 'unknown-connection' }]);
  });

  it('checks the token before parsing: a revoked socket sending garbage is closed', async () => {
    const { deps } = setup([conn('alice', { tokenExp: NOW - 1 })]);
    expect((await onMessage('alice', 'garbage', deps)).close).toHaveLength(1);
  });

  it.each([
    ['malformed', 'not json', 'ERR_FRAME_MALFORMED'],
    ['oversized', send({ action: 'join', room: 'x'.repeat(20_000) }), 'ERR_FRAME_TOO_LARGE'],
  ])('rejects a %s frame with an error frame, keeps the socket, relays nothing', async (_n, body, reason) => {
    const { deps } = setup([conn('alice', { room: 'r1' }), conn('bob', { room: 'r1' })]);
    const effects = await onMessage('alice', body, deps);
    expect(effects).toEqual({
      outbound: [{ to: 'alice', frame: expect.objectContaining({ type: 'error', reason }) }],
      close: [],
    });
  });
});

describe('onMessage: rooms and relay', () => {
  it('join answers with the current peers by name and announces the newcomer; no sub is shown', async () => {
    const { deps, connections } = setup([
      conn('alice', { displayName: 'alice@example.com' }),
      conn('bob', { room: 'r1', displayName: 'bob@example.com' }),
      conn('carol', { room: 'r2' }),
    ]);
    const effects = await onMessage('alice', send({ action: 'join', room: 'r1' }), deps);
    expect(effects.outbound).toEqual([
      {
        to: 'alice',
        frame: {
          type: 'joined',
          room: 'r1',
          self: 'alice',
          peers: [{ connectionId: 'bob', name: 'bob@example.com' }],
        },
      },
      {
        to: 'bob',
        frame: {
          type: 'peer-joined',
          room: 'r1',
          peer: { connectionId: 'alice', name: 'alice@example.com' },
        },
      },
    ]);
    expect(JSON.stringify(effects)).not.toContain('sub-');
    expect((await row(connections, 'alice'))?.room).toBe('r1');
  });

  it('writes the membership before reading the room: of two joins the second sees the first', async () => {
    const { deps } = setup([conn('alice'), conn('bob')]);
    const first = await onMessage('alice', send({ action: 'join', room: 'r1' }), deps);
    const second = await onMessage('bob', send({ action: 'join', room: 'r1' }), deps);
    expect(first.outbound).toEqual([
      { to: 'alice', frame: { type: 'joined', room: 'r1', self: 'alice', peers: [] } },
    ]);
    expect(second.outbound.map((o) => [o.to, o.frame.type])).toEqual([
      ['bob', 'joined'],
      ['alice', 'peer-joined'],
    ]);
  });

  it('switching rooms tells the old room first', async () => {
    const { deps } = setup([
      conn('alice', { room: 'r1' }),
      conn('bob', { room: 'r1' }),
      conn('carol', { room: 'r2' }),
    ]);
    const effects = await onMessage('alice', send({ action: 'join', room: 'r2' }), deps);
    expect(effects.outbound.map((o) => [o.to, o.frame.type])).toEqual([
      ['bob', 'peer-left'],
      ['alice', 'joined'],
      ['carol', 'peer-joined'],
    ]);
  });

  it('rejects joining a full room and leaves the connection in no room', async () => {
    const { deps, connections } = setup([
      conn('alice'),
      conn('b1', { room: 'r1' }),
      conn('b2', { room: 'r1' }),
      conn('b3', { room: 'r1' }),
    ]);
    const effects = await onMessage('alice', send({ action: 'join', room: 'r1' }), deps);
    expect(effects.outbound).toEqual([
      { to: 'alice', frame: expect.objectContaining({ reason: 'ERR_ROOM_FULL' }) },
    ]);
    expect((await row(connections, 'alice'))?.room).toBeUndefined();
    expect(connections.rooms.get('r1')?.size).toBe(3);
  });

  it('closes a member whose token went bad instead of announcing it', async () => {
    const { deps } = setup([conn('alice'), conn('bob', { room: 'r1', tokenExp: NOW - 1 })]);
    const effects = await onMessage('alice', send({ action: 'join', room: 'r1' }), deps);
    expect(effects.outbound).toEqual([
      { to: 'alice', frame: { type: 'joined', room: 'r1', self: 'alice', peers: [] } },
      { to: 'bob', frame: expect.objectContaining({ reason: 'ERR_TOKEN_EXPIRED' }) },
    ]);
    expect(effects.close).toEqual([{ connectionId: 'bob', cause: 'expired' }]);
  });

  it.each<[string, Partial<Connection>, string]>([
    ['a non-member of the group room', { groups: ['room-other'] }, 'r1'],
    ['another user in a private room', {}, 'user:sub-bob'],
  ])('refuses %s with ERR_ROOM_FORBIDDEN and changes nothing', async (_n, alice, room) => {
    const { deps, connections } = setup([conn('alice', alice), conn('bob', { room })]);
    const effects = await onMessage('alice', send({ action: 'join', room }), deps);
    expect(effects.outbound).toEqual([
      { to: 'alice', frame: expect.objectContaining({ type: 'error', reason: 'ERR_ROOM_FORBIDDEN' }) },
    ]);
    expect(effects.roomRefused).toEqual({ sub: 'sub-alice', room });
    expect((await row(connections, 'alice'))?.room).toBeUndefined();
    expect(connections.rooms.get(room)?.has('alice') ?? false).toBe(false);
  });

  it('admits a second connection of the same sub to its private room', async () => {
    const { deps } = setup([
      conn('laptop', { sub: 'sub-x' }),
      conn('robot', { sub: 'sub-x', room: 'user:sub-x' }),
    ]);
    const effects = await onMessage('laptop', send({ action: 'join', room: 'user:sub-x' }), deps);
    expect(effects.outbound[0]?.frame).toMatchObject({ type: 'joined', peers: [{ connectionId: 'robot' }] });
  });

  it.each(['offer', 'answer', 'candidate'] as const)(
    'relays a %s to a peer in the same room with a server-set from, after one read of both ends',
    async (kind) => {
      const { deps, connections } = setup([conn('alice', { room: 'r1' }), conn('bob', { room: 'r1' })]);
      const payload = kind === 'candidate' ? { candidate: 'candidate:1' } : { type: kind, sdp: 'v=0' };
      const effects = await onMessage('alice', send({ action: 'signal', to: 'bob', kind, payload }), deps);
      expect(effects).toEqual({
        outbound: [{ to: 'bob', frame: { type: 'signal', from: 'alice', kind, payload } }],
        close: [],
      });
      expect(connections.reads).toEqual([['alice', 'bob']]);
    },
  );

  it.each<[string, Partial<Connection>, RevocationRecord[], string, string]>([
    ['expired', { tokenExp: NOW }, [], 'ERR_TOKEN_EXPIRED', 'expired'],
    ['revoked', {}, [revokedRecord('session', { sub: 'sub-bob' })], 'ERR_TOKEN_REVOKED', 'revoked'],
  ])(
    'never relays to a recipient whose token is %s: it is told why and closed',
    async (_n, bob, records, reason, cause) => {
      const { deps } = setup([conn('alice', { room: 'r1' }), conn('bob', { room: 'r1', ...bob })], {
        revokedRows: { bob: records },
      });
      const effects = await onMessage(
        'alice',
        send({ action: 'signal', to: 'bob', kind: 'offer', payload: { sdp: 'x' } }),
        deps,
      );
      expect(effects.outbound).toEqual([
        { to: 'alice', frame: expect.objectContaining({ reason: 'ERR_PEER_NOT_IN_ROOM' }) },
        { to: 'bob', frame: expect.objectContaining({ type: 'error', reason }) },
      ]);
      expect(effects.close).toEqual([{ connectionId: 'bob', cause }]);
    },
  );

  it('refuses a relay when the sender’s token no longer admits it to the room', async () => {
    const { deps } = setup([conn('alice', { room: 'r1', groups: [] }), conn('bob', { room: 'r1' })]);
    const effects = await onMessage(
      'alice',
      send({ action: 'signal', to: 'bob', kind: 'offer', payload: { sdp: 'x' } }),
      deps,
    );
    expect(effects.outbound).toEqual([
      { to: 'alice', frame: expect.objectContaining({ reason: 'ERR_ROOM_FORBIDDEN' }) },
    ]);
  });

  it.each([
    [
      'a peer in another room',
      [conn('alice', { room: 'r1' }), conn('carol', { room: 'r2' })],
      'carol',
      'ERR_PEER_NOT_IN_ROOM',
    ],
    [
      'a peer the room policy no longer admits',
      [conn('alice', { room: 'r1' }), conn('carol', { room: 'r1', groups: [] })],
      'carol',
      'ERR_PEER_NOT_IN_ROOM',
    ],
    ['an unknown peer', [conn('alice', { room: 'r1' })], 'nobody', 'ERR_PEER_NOT_IN_ROOM'],
    ['itself', [conn('alice', { room: 'r1' })], 'alice', 'ERR_PEER_NOT_IN_ROOM'],
    ['anyone before joining', [conn('alice'), conn('bob')], 'bob', 'ERR_NOT_IN_ROOM'],
  ])('refuses a signal addressed to %s and relays nothing', async (_n, rows, to, reason) => {
    const { deps } = setup(rows);
    const effects = await onMessage(
      'alice',
      send({ action: 'signal', to, kind: 'offer', payload: { sdp: 'x' } }),
      deps,
    );
    expect(effects).toEqual({
      outbound: [{ to: 'alice', frame: expect.objectContaining({ type: 'error', reason }) }],
      close: [],
    });
  });

  it('leave clears the room and tells the peers', async () => {
    const { deps, connections } = setup([conn('alice', { room: 'r1' }), conn('bob', { room: 'r1' })]);
    const effects = await onMessage('alice', send({ action: 'leave' }), deps);
    expect(effects.outbound).toEqual([
      { to: 'bob', frame: { type: 'peer-left', room: 'r1', peer: 'alice' } },
      { to: 'alice', frame: { type: 'left', room: 'r1' } },
    ]);
    expect((await row(connections, 'alice'))?.room).toBeUndefined();
    expect([...(connections.rooms.get('r1') ?? [])]).toEqual(['bob']);
  });
});

describe('onMessage: rate limit', () => {
  it('refuses a frame over the limit with an error frame, then closes a client that keeps sending', async () => {
    const { deps, connections } = setup([conn('alice')]);
    const limiter = new ConnectionRateLimiter({ framesPerSecond: 1, burst: 2 });
    const limited = { ...deps, rateLimit: (id: string, now: number) => limiter.take(id, now) };
    const frames = [];
    for (let i = 0; i < 4; i++) frames.push(await onMessage('alice', send({ action: 'leave' }), limited));
    expect(frames.map((f) => f.outbound[0]?.frame)).toEqual([
      expect.objectContaining({ reason: 'ERR_NOT_IN_ROOM' }),
      expect.objectContaining({ reason: 'ERR_NOT_IN_ROOM' }),
      expect.objectContaining({ reason: 'ERR_RATE_LIMITED' }),
      expect.objectContaining({ reason: 'ERR_RATE_LIMITED' }),
    ]);
    expect(frames.map((f) => f.close)).toEqual([
      [],
      [],
      [],
      [{ connectionId: 'alice', cause: 'rate-limited' }],
    ]);
    expect(connections.reads).toHaveLength(2); // throttled frames cost no read
  });

  it('refills the bucket over time', () => {
    const limiter = new ConnectionRateLimiter({ framesPerSecond: 1, burst: 1 });
    expect([limiter.take('a', NOW), limiter.take('a', NOW), limiter.take('a', NOW + 1)]).toEqual([
      'ok',
      'throttled',
      'ok',
    ]);
  });
});

describe('onMessage: reauth', () => {
  it('extends the socket with a fresh token of the same user, groups and auth_time included', async () => {
    const fresh = claims({ exp: NOW + 1800, authTime: NOW - 50, groups: ['room-r9'] });
    const { deps, connections } = setup([conn('alice', { sub: 'sub-alice' })], {
      tokens: { 'a.b.c': { ok: true, claims: fresh } },
    });
    const effects = await onMessage('alice', send({ action: 'reauth', token: 'a.b.c' }), deps);
    expect(effects).toEqual({
      outbound: [{ to: 'alice', frame: { type: 'reauthed', exp: NOW + 1800 } }],
      close: [],
    });
    expect(await row(connections, 'alice')).toMatchObject({
      jti: 'j-new',
      sessionId: 's-new',
      tokenExp: NOW + 1800,
      tokenIat: NOW,
      authTime: NOW - 50,
      groups: ['room-r9'],
    });
  });

  it('takes the socket out of a room its new token no longer admits it to', async () => {
    const { deps, connections } = setup(
      [conn('alice', { sub: 'sub-alice', room: 'r1' }), conn('bob', { room: 'r1' })],
      {
        tokens: { 'a.b.c': { ok: true, claims: claims({ groups: [] }) } },
      },
    );
    const effects = await onMessage('alice', send({ action: 'reauth', token: 'a.b.c' }), deps);
    expect(
      effects.outbound.map((o) => [o.to, o.frame.type, (o.frame as { reason?: string }).reason]),
    ).toEqual([
      ['alice', 'reauthed', undefined],
      ['bob', 'peer-left', undefined],
      ['alice', 'error', 'ERR_ROOM_FORBIDDEN'],
    ]);
    expect((await row(connections, 'alice'))?.room).toBeUndefined();
  });

  it.each([
    ['another user’s token', { ok: true, claims: claims({ sub: 'sub-bob' }) }, [], 'ERR_FORBIDDEN'],
    ['an invalid token', { ok: false, reason: 'ERR_TOKEN_SIGNATURE' }, [], 'ERR_TOKEN_SIGNATURE'],
    [
      'a token without origin_jti',
      { ok: true, claims: claims({ originJti: undefined }) },
      [],
      'ERR_TOKEN_CLAIMS',
    ],
    ['a revoked token', { ok: true, claims: claims() }, [revokedRecord('session')], 'ERR_TOKEN_REVOKED'],
    [
      'a token narrowed to openid email (the $connect scope policy)',
      { ok: true, claims: claims({ scopes: ['openid', 'email'] }) },
      [],
      'ERR_FORBIDDEN',
    ],
    [
      'a token whose sign-in predates the user watermark',
      { ok: true, claims: claims({ iat: NOW, authTime: NOW - 100 }) },
      [revokedRecord('user', { notBefore: NOW - 10 })],
      'ERR_TOKEN_REVOKED',
    ],
  ] as const)('refuses %s and keeps the current token', async (_n, verified, records, reason) => {
    const { deps, connections } = setup([conn('alice', { sub: 'sub-alice' })]);
    const effects = await onMessage('alice', send({ action: 'reauth', token: 'a.b.c' }), {
      ...deps,
      revocations: { lookup: async () => [...records] },
      verifier: { verify: async () => verified },
    });
    expect(effects.outbound).toEqual([
      { to: 'alice', frame: expect.objectContaining({ type: 'error', reason }) },
    ]);
    expect(effects.close).toEqual([]);
    expect(effects.denied?.reason).toBe(reason);
    expect((await row(connections, 'alice'))?.jti).toBe('j-alice');
  });
});

describe('disconnect, sweep and revocation push', () => {
  it('$disconnect forgets the connection and tells its room', async () => {
    const { connections } = setup([conn('alice', { room: 'r1' }), conn('bob', { room: 'r1' })]);
    const effects = await onDisconnect('alice', connections);
    expect(effects.outbound).toEqual([
      { to: 'bob', frame: { type: 'peer-left', room: 'r1', peer: 'alice' } },
    ]);
    expect(await row(connections, 'alice')).toBeUndefined();
    expect([...(connections.rooms.get('r1') ?? [])]).toEqual(['bob']);
  });

  it('$disconnect of an unknown connection does nothing', async () => {
    expect(await onDisconnect('ghost', new MemoryConnections())).toEqual({ outbound: [], close: [] });
  });

  it('the sweep closes exactly the sockets whose token has expired or was revoked', async () => {
    const { connections } = setup(
      [
        conn('old', { tokenExp: NOW - 1 }),
        conn('edge', { tokenExp: NOW }),
        conn('fresh', { tokenExp: NOW + 1 }),
        conn('revoked'),
      ],
      { revokedRows: { revoked: [revokedRecord('token', { sub: 'sub-revoked' })] } },
    );
    const { effects } = await sweep(connections, clock);
    expect(effects.close).toEqual([
      { connectionId: 'old', cause: 'expired' },
      { connectionId: 'edge', cause: 'expired' },
      { connectionId: 'revoked', cause: 'revoked' },
    ]);
    expect(effects.outbound.map((o) => o.frame)).toEqual([
      expect.objectContaining({ reason: 'ERR_TOKEN_EXPIRED' }),
      expect.objectContaining({ reason: 'ERR_TOKEN_EXPIRED' }),
      expect.objectContaining({ reason: 'ERR_TOKEN_REVOKED' }),
    ]);
  });

  it('revocation push sends a revoked frame then closes', () => {
    expect(revokedEffects([conn('a')], 'session')).toEqual({
      outbound: [{ to: 'a', frame: { type: 'revoked', reason: 'ERR_TOKEN_REVOKED', scope: 'session' } }],
      close: [{ connectionId: 'a', cause: 'revoked' }],
    });
  });

  it('connectionOf stores the identity, groups, token times, display name and connect time', () => {
    const identity = {
      sub: 's',
      username: 'u',
      groups: ['room-demo'],
      scopes: [],
      jti: 'j',
      iat: NOW - 1,
      authTime: NOW - 9,
      exp: NOW + 5,
    };
    expect(connectionOf(identity, 'c1', NOW, 'u@example.com')).toEqual({
      connectionId: 'c1',
      sub: 's',
      username: 'u',
      displayName: 'u@example.com',
      groups: ['room-demo'],
      jti: 'j',
      tokenExp: NOW + 5,
      tokenIat: NOW - 1,
      authTime: NOW - 9,
      connectedAt: NOW,
    });
  });
});
