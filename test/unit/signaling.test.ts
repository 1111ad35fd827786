// The signaling core: token checks on every frame, room relay, reauth, leave/disconnect and the sweep (fakes, frozen time).

import type { AccessClaims } from '../../lambdas/shared/claims';
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
import { MemoryConnections } from '../helpers/memory-connections';

const NOW = 1_800_000_000;
const clock = { nowSeconds: () => NOW };

function conn(id: string, overrides: Partial<Connection> = {}): Connection {
  return {
    connectionId: id,
    sub: `sub-${id}`,
    username: id,
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
    scopes: [],
    ...overrides,
  };
}

function setup(
  rows: Connection[],
  options: { records?: RevocationRecord[]; storeDown?: boolean; tokens?: Record<string, VerifyResult> } = {},
) {
  const connections = new MemoryConnections(rows);
  const verifier: TokenVerifier = {
    verify: async (t) => options.tokens?.[t] ?? { ok: false, reason: 'ERR_TOKEN_SIGNATURE' },
  };
  const lookups: unknown[] = [];
  const deps: SignalingDeps = {
    connections,
    verifier,
    clock,
    requireSessionId: true,
    maxRoomSize: 3,
    revocations: {
      lookup: async (key) => {
        lookups.push(key);
        if (options.storeDown) throw new Error('down');
        return options.records ?? [];
      },
    },
  };
  return { connections, deps, lookups };
}

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
    [
      'an unreachable store (fail closed)',
      { rows: [conn('alice')], storeDown: true },
      'ERR_STORE_UNAVAILABLE',
      'store-unavailable',
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

  it('fails closed with an error frame and a close when the connection store is down', async () => {
    const { connections, deps } = setup([conn('alice'), conn('bob')]);
    connections.get = () => Promise.reject(new Error('connect ECONNREFUSED'));
    const effects = await onMessage(
      'alice',
      send({ action: 'signal', to: 'bob', kind: 'offer', payload: { type: 'offer', sdp: 'v=0' } }),
      deps,
    );
    expect(effects).toEqual({
      outbound: [
        { to: 'alice', frame: expect.objectContaining({ type: 'error', reason: 'ERR_STORE_UNAVAILABLE' }) },
      ],
      close: [{ connectionId: 'alice', cause: 'store-unavailable' }],
      denied: { reason: 'ERR_STORE_UNAVAILABLE' },
    });
  });

  it('ignores a revocation entry that has expired', async () => {
    const { deps } = setup([conn('alice')], { records: [revokedRecord('token', { expiresAt: NOW })] });
    const effects = await onMessage('alice', send({ action: 'join', room: 'r1' }), deps);
    expect(effects.close).toEqual([]);
  });

  it('looks up the deny-list once, by jti, session and sub', async () => {
    const { deps, lookups } = setup([conn('alice')]);
    await onMessage('alice', send({ action: 'leave' }), deps);
    expect(lookups).toEqual([{ jti: 'j-alice', originJti: 's-alice', sub: 'sub-alice' }]);
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
  it('join answers with the current peers and announces the newcomer', async () => {
    const { deps, connections } = setup([
      conn('alice'),
      conn('bob', { room: 'r1' }),
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
          peers: [{ connectionId: 'bob', username: 'bob' }],
        },
      },
      {
        to: 'bob',
        frame: { type: 'peer-joined', room: 'r1', peer: { connectionId: 'alice', username: 'alice' } },
      },
    ]);
    expect((await connections.get('alice'))?.room).toBe('r1');
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

  it('rejects joining a full room', async () => {
    const { deps } = setup([
      conn('alice'),
      conn('b1', { room: 'r1' }),
      conn('b2', { room: 'r1' }),
      conn('b3', { room: 'r1' }),
    ]);
    const effects = await onMessage('alice', send({ action: 'join', room: 'r1' }), deps);
    expect(effects.outbound).toEqual([
      { to: 'alice', frame: expect.objectContaining({ reason: 'ERR_ROOM_FULL' }) },
    ]);
  });

  it.each(['offer', 'answer', 'candidate'] as const)(
    'relays a %s to a peer in the same room with a server-set from',
    async (kind) => {
      const { deps } = setup([conn('alice', { room: 'r1' }), conn('bob', { room: 'r1' })]);
      const payload = kind === 'candidate' ? { candidate: 'candidate:1' } : { type: kind, sdp: 'v=0' };
      const effects = await onMessage('alice', send({ action: 'signal', to: 'bob', kind, payload }), deps);
      expect(effects).toEqual({
        outbound: [{ to: 'bob', frame: { type: 'signal', from: 'alice', kind, payload } }],
        close: [],
      });
    },
  );

  it.each([
    [
      'a peer in another room',
      [conn('alice', { room: 'r1' }), conn('carol', { room: 'r2' })],
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
    expect((await connections.get('alice'))?.room).toBeUndefined();
  });
});

describe('onMessage: reauth', () => {
  it('extends the socket with a fresh token of the same user', async () => {
    const fresh = claims({ exp: NOW + 1800 });
    const { deps, connections } = setup([conn('alice', { sub: 'sub-alice' })], {
      tokens: { 'a.b.c': { ok: true, claims: fresh } },
    });
    const effects = await onMessage('alice', send({ action: 'reauth', token: 'a.b.c' }), deps);
    expect(effects).toEqual({
      outbound: [{ to: 'alice', frame: { type: 'reauthed', exp: NOW + 1800 } }],
      close: [],
    });
    expect(await connections.get('alice')).toMatchObject({
      jti: 'j-new',
      sessionId: 's-new',
      tokenExp: NOW + 1800,
      tokenIat: NOW,
    });
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
  ] as const)('refuses %s and keeps the current token', async (_n, verified, records, reason) => {
    const { deps, connections } = setup([conn('alice', { sub: 'sub-alice' })]);
    let calls = 0;
    const effects = await onMessage('alice', send({ action: 'reauth', token: 'a.b.c' }), {
      ...deps,
      // the first lookup is the socket's own check, the second the new token's
      revocations: { lookup: async () => (calls++ === 0 ? [] : [...records]) },
      verifier: { verify: async () => verified },
    });
    expect(effects.outbound).toEqual([
      { to: 'alice', frame: expect.objectContaining({ type: 'error', reason }) },
    ]);
    expect(effects.close).toEqual([]);
    expect(effects.denied?.reason).toBe(reason);
    expect((await connections.get('alice'))?.jti).toBe('j-alice');
  });
});

describe('disconnect, sweep and revocation push', () => {
  it('$disconnect forgets the connection and tells its room', async () => {
    const { connections } = setup([conn('alice', { room: 'r1' }), conn('bob', { room: 'r1' })]);
    const effects = await onDisconnect('alice', connections);
    expect(effects.outbound).toEqual([
      { to: 'bob', frame: { type: 'peer-left', room: 'r1', peer: 'alice' } },
    ]);
    expect(await connections.get('alice')).toBeUndefined();
  });

  it('$disconnect of an unknown connection does nothing', async () => {
    expect(await onDisconnect('ghost', new MemoryConnections())).toEqual({ outbound: [], close: [] });
  });

  it('the sweep closes exactly the sockets whose token has expired', async () => {
    const rows = [
      conn('old', { tokenExp: NOW - 1 }),
      conn('edge', { tokenExp: NOW }),
      conn('fresh', { tokenExp: NOW + 1 }),
    ];
    const effects = await sweep(new MemoryConnections(rows), clock);
    expect(effects.close).toEqual([
      { connectionId: 'old', cause: 'expired' },
      { connectionId: 'edge', cause: 'expired' },
    ]);
    expect(effects.outbound.map((o) => o.frame)).toEqual([
      expect.objectContaining({ reason: 'ERR_TOKEN_EXPIRED' }),
      expect.objectContaining({ reason: 'ERR_TOKEN_EXPIRED' }),
    ]);
  });

  it('revocation push sends a revoked frame then closes', () => {
    expect(revokedEffects([conn('a')], 'session')).toEqual({
      outbound: [{ to: 'a', frame: { type: 'revoked', reason: 'ERR_TOKEN_REVOKED', scope: 'session' } }],
      close: [{ connectionId: 'a', cause: 'revoked' }],
    });
  });

  it('connectionOf stores the identity, token times and connect time', () => {
    const identity = {
      sub: 's',
      username: 'u',
      groups: [],
      scopes: [],
      jti: 'j',
      iat: NOW - 1,
      exp: NOW + 5,
    };
    expect(connectionOf(identity, 'c1', NOW)).toEqual({
      connectionId: 'c1',
      sub: 's',
      username: 'u',
      jti: 'j',
      tokenExp: NOW + 5,
      tokenIat: NOW - 1,
      connectedAt: NOW,
    });
  });
});
