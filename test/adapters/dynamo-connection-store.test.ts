// The DynamoDB connections adapters against a real dynalite server (tables from the shared schemas).

import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  DynamoCheckedConnections,
  DynamoConnectionStore,
} from '../../lambdas/adapters/dynamo-connection-store';
import { DynamoRevocationStore } from '../../lambdas/adapters/dynamo-revocation-store';
import type { Connection } from '../../lambdas/signaling/ports';
import type { LocalDynamo } from '../../local/dynamo';
import { leaveKeysUnprocessed, refuseDuplicateKeys } from '../helpers/dynamo-wrappers';
import { omit } from '../helpers/memory-connections';
import { localDynamoClient, startTempDynamo } from '../helpers/temp-dynamo';

const NOW = 1_800_000_000;
let dynamo: LocalDynamo;
let documents: DynamoDBDocumentClient;
let store: DynamoConnectionStore;
let checked: DynamoCheckedConnections;
let revocations: DynamoRevocationStore;
let counter = 0;

function connection(overrides: Partial<Connection> = {}): Connection {
  counter += 1;
  return {
    connectionId: `conn-${counter}=`,
    sub: `sub-${counter}`,
    username: `user-${counter}`,
    groups: ['room-demo'],
    sessionId: `session-${counter}`,
    jti: `jti-${counter}`,
    tokenExp: NOW + 900,
    tokenIat: NOW - 10,
    authTime: NOW - 20,
    connectedAt: NOW,
    ...overrides,
  };
}

const read = async (id: string) => (await checked.get([id])).get(id)?.connection;

beforeAll(async () => {
  dynamo = await startTempDynamo('connections-');
  documents = DynamoDBDocumentClient.from(localDynamoClient(dynamo.endpoint), {
    marshallOptions: { removeUndefinedValues: true },
  });
  store = new DynamoConnectionStore('Connections', documents);
  checked = new DynamoCheckedConnections('Connections', 'Revocations', documents);
  revocations = new DynamoRevocationStore('Revocations', documents);
});

afterAll(async () => {
  documents.destroy();
  await dynamo.stop();
});

describe('DynamoConnectionStore', () => {
  it('stores a connection with a TTL beyond the 2 h API Gateway limit and reads it back', async () => {
    const row = connection({ displayName: 'someone@example.com' });
    await store.put(row);
    expect(await read(row.connectionId)).toEqual(row);
    const raw = await documents.send(
      new GetCommand({ TableName: 'Connections', Key: { connectionId: row.connectionId } }),
    );
    expect(raw.Item?.expiresAt).toBeGreaterThan(NOW + 7200);
  });

  it('reads a connection without a session id (emulator tokens)', async () => {
    const row = omit(connection(), 'sessionId');
    await store.put(row);
    expect(await read(row.connectionId)).toEqual(row);
  });

  it('finds connections by sub and by session', async () => {
    const a = connection({ sub: 'shared-sub', sessionId: 'shared-session' });
    const b = connection({ sub: 'shared-sub' });
    const c = connection({ sessionId: 'shared-session' });
    for (const row of [a, b, c]) await store.put(row);
    const ids = (rows: readonly Connection[]) => rows.map((r) => r.connectionId).sort();
    expect(ids(await store.listBySub('shared-sub'))).toEqual(ids([a, b]));
    expect(ids(await store.listBySession('shared-session'))).toEqual(ids([a, c]));
  });

  it('sets and clears a room', async () => {
    const row = connection();
    await store.put(row);
    await store.setRoom(row.connectionId, 'room-y');
    expect((await read(row.connectionId))?.room).toBe('room-y');
    await store.setRoom(row.connectionId, undefined);
    expect((await read(row.connectionId))?.room).toBeUndefined();
  });

  it('adds members to a room set and returns the whole set; removing returns the rest', async () => {
    expect(await store.addMember('set-a', 'm1', 3)).toEqual({ members: ['m1'] });
    expect(await store.addMember('set-a', 'm2', 3)).toEqual({
      members: expect.arrayContaining(['m1', 'm2']),
    });
    expect(await store.addMember('set-a', 'm2', 3)).toEqual({
      members: expect.arrayContaining(['m1', 'm2']),
    });
    expect(await store.removeMember('set-a', 'm1')).toEqual(['m2']);
    expect(await store.removeMember('set-a', 'm2')).toEqual([]);
    expect(await store.removeMember('no-such-room', 'm9')).toEqual([]);
  });

  it('holds the size limit under 20 concurrent joins, and every member sees all earlier ones', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `c${i}`);
    const results = await Promise.all(ids.map((id) => store.addMember('crowded', id, 5)));
    const admitted = results.filter((r) => r !== 'full');
    expect(admitted).toHaveLength(5);
    expect(results.filter((r) => r === 'full')).toHaveLength(15);
    // The writes serialize: the admitted sets are 1, 2, ... 5 members long.
    expect(admitted.map((r) => (r as { members: string[] }).members.length).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('a member already in a full room may join it again', async () => {
    for (const id of ['f1', 'f2']) await store.addMember('full-room', id, 2);
    expect(await store.addMember('full-room', 'f3', 2)).toBe('full');
    expect(await store.addMember('full-room', 'f1', 2)).toEqual({
      members: expect.arrayContaining(['f1', 'f2']),
    });
  });

  it('replaces the token fields on reauth, dropping a session id and auth_time the new token lacks', async () => {
    const row = connection();
    await store.put(row);
    const token = { jti: 'new-jti', tokenExp: NOW + 1800, tokenIat: NOW, groups: ['room-x'] };
    expect(await store.updateToken(row.connectionId, token)).toBe(true);
    expect(await read(row.connectionId)).toEqual({ ...omit(omit(row, 'sessionId'), 'authTime'), ...token });
  });

  it('never recreates a deleted connection on update', async () => {
    const row = connection();
    await store.put(row);
    expect(await store.delete(row.connectionId)).toEqual(row);
    expect(await store.setRoom(row.connectionId, 'room-z')).toBe(false);
    const token = { jti: 'j', tokenExp: 1, tokenIat: 1, groups: [] };
    expect(await store.updateToken(row.connectionId, token)).toBe(false);
    expect(await read(row.connectionId)).toBeUndefined();
    expect(await store.delete(row.connectionId)).toBeUndefined();
  });
});

describe('DynamoCheckedConnections', () => {
  const revoke = (scope: 'token' | 'session' | 'user', row: Connection, notBefore?: number) =>
    revocations.put(
      scope === 'token'
        ? { scope, jti: row.jti }
        : scope === 'session'
          ? { scope, sessionId: row.sessionId! }
          : { scope, sub: row.sub },
      {
        scope,
        sub: row.sub,
        revokedAt: NOW,
        expiresAt: NOW + 3600,
        ...(notBefore ? { notBefore } : {}),
        reason: 'test',
        actor: 'test',
      },
    );

  it('returns each row with the deny-list entries of its own token, by jti, session and user', async () => {
    const [a, b, c, clean] = [connection(), connection(), connection(), connection()];
    for (const row of [a, b, c, clean]) await store.put(row);
    await revoke('token', a);
    await revoke('session', b);
    await revoke('user', c, NOW);
    const found = await checked.get([a, b, c, clean, connection()].map((r) => r.connectionId));
    expect([...found.keys()]).toHaveLength(4);
    expect(found.get(a.connectionId)?.revocations.map((r) => r.scope)).toEqual(['token']);
    expect(found.get(b.connectionId)?.revocations.map((r) => r.scope)).toEqual(['session']);
    expect(found.get(c.connectionId)?.revocations.map((r) => r.scope)).toEqual(['user']);
    expect(found.get(clean.connectionId)?.revocations).toEqual([]);
  });

  it('reads the entries of a reauthed token, not the ones it remembered', async () => {
    const row = connection();
    await store.put(row);
    checked.remember(row);
    await store.updateToken(row.connectionId, {
      jti: 'fresh-jti',
      tokenExp: NOW + 900,
      tokenIat: NOW,
      groups: [],
    });
    await revoke('token', { ...row, jti: 'fresh-jti' });
    const found = await checked.get([row.connectionId]);
    expect(found.get(row.connectionId)?.revocations.map((r) => r.scope)).toEqual(['token']);
  });

  it('lists every connection with its entries, not the room items', async () => {
    const row = connection();
    await store.put(row);
    await store.addMember('listed', row.connectionId, 8);
    await revoke('token', row);
    const all = (await checked.all()).checked;
    expect(all.every((c) => !c.connection.connectionId.startsWith('room#'))).toBe(true);
    expect(all.find((c) => c.connection.connectionId === row.connectionId)?.revocations).toHaveLength(1);
  });
});

describe('batch reads: several sockets of one user, unprocessed keys, large answers', () => {
  /** A fresh client over the same dynalite, so each test's middleware stays its own. */
  function wrapped() {
    const client = localDynamoClient(dynamo.endpoint);
    const docs = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    return { client, docs, checked: new DynamoCheckedConnections('Connections', 'Revocations', docs) };
  }

  it('reads two remembered sockets of one user in one BatchGetItem without repeating the user’s key', async () => {
    const { client, docs, checked: reader } = wrapped();
    const duplicates = refuseDuplicateKeys(client);
    const tab1 = connection({ sub: 'one-user' });
    const tab2 = connection({ sub: 'one-user' });
    for (const row of [tab1, tab2]) {
      await store.put(row);
      reader.remember(row);
    }
    await revocations.put(
      { scope: 'token', jti: tab2.jti },
      {
        scope: 'token',
        sub: 'one-user',
        revokedAt: NOW,
        expiresAt: NOW + 3600,
        reason: 'test',
        actor: 'test',
      },
    );
    const found = await reader.get([tab1.connectionId, tab2.connectionId, tab1.connectionId]);
    expect(duplicates.found).toEqual([]);
    expect(found.get(tab1.connectionId)?.revocations).toEqual([]);
    expect(found.get(tab2.connectionId)?.revocations.map((r) => r.scope)).toEqual(['token']);
    docs.destroy();
  });

  it('retries keys left unprocessed and returns every row', async () => {
    const { client, docs, checked: reader } = wrapped();
    const cut = leaveKeysUnprocessed(client, 1);
    const rows = [connection(), connection(), connection()];
    for (const row of rows) await store.put(row);
    const found = await reader.get(rows.map((r) => r.connectionId));
    expect(cut.cut).toBe(1);
    expect([...found.keys()].sort()).toEqual(rows.map((r) => r.connectionId).sort());
    docs.destroy();
  });

  it('fails closed when keys stay unprocessed after every retry', async () => {
    const { client, docs, checked: reader } = wrapped();
    leaveKeysUnprocessed(client, 1000);
    const rows = Array.from({ length: 8 }, () => connection()); // more keys than calls: one key read per call
    for (const row of rows) await store.put(row);
    await expect(reader.get(rows.map((r) => r.connectionId))).rejects.toThrow('connection check incomplete');
    docs.destroy();
  });

  it('the sweep retries unprocessed deny-list keys instead of aborting the run', async () => {
    const { client, docs, checked: reader } = wrapped();
    const cut = leaveKeysUnprocessed(client, 2);
    const rows = [connection(), connection(), connection()];
    for (const row of rows) await store.put(row);
    const swept = await reader.all();
    expect(cut.cut).toBeGreaterThan(0);
    expect(swept.skipped).toBe(0);
    for (const row of rows)
      expect(swept.checked.map((c) => c.connection.connectionId)).toContain(row.connectionId);
    docs.destroy();
  });

  it('the sweep skips only the rows whose items it cannot read, and counts them', async () => {
    const { client, docs, checked: reader } = wrapped();
    leaveKeysUnprocessed(client, 1000);
    await documents.send(
      new PutCommand({ TableName: 'Connections', Item: { connectionId: 'garbled=', tokenExp: 'soon' } }),
    );
    const swept = await reader.all();
    expect(swept.skipped).toBeGreaterThan(0);
    expect(swept.checked.length).toBeGreaterThan(0); // the first key of each call is still read
    await documents.send(new DeleteCommand({ TableName: 'Connections', Key: { connectionId: 'garbled=' } }));
    docs.destroy();
  });
});

describe('per-user socket cap', () => {
  it('admits exactly the cap when 12 sockets of one user claim at once', async () => {
    const rows = Array.from({ length: 12 }, () => connection({ sub: 'capped-user' }));
    for (const row of rows) await store.put(row);
    const claims = await Promise.all(
      rows.map((r) => store.claimUserSocket('capped-user', r.connectionId, 5)),
    );
    expect(claims.filter(Boolean)).toHaveLength(5);
  });

  it('gives a place back on release, and takes back places of sockets whose rows are gone', async () => {
    const [a, b, c] = [connection({ sub: 'u2' }), connection({ sub: 'u2' }), connection({ sub: 'u2' })];
    for (const row of [a, b, c]) await store.put(row);
    expect(await store.claimUserSocket('u2', a.connectionId, 2)).toBe(true);
    expect(await store.claimUserSocket('u2', b.connectionId, 2)).toBe(true);
    expect(await store.claimUserSocket('u2', c.connectionId, 2)).toBe(false);
    await store.releaseUserSocket('u2', a.connectionId);
    expect(await store.claimUserSocket('u2', c.connectionId, 2)).toBe(true);
    await store.delete(b.connectionId); // its `$disconnect` never released it
    const d = connection({ sub: 'u2' });
    await store.put(d);
    expect(await store.claimUserSocket('u2', d.connectionId, 2)).toBe(true);
  });
});
