// The DynamoDB connections adapter against a real dynalite server (tables from the shared schemas).

import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoConnectionStore } from '../../lambdas/adapters/dynamo-connection-store';
import type { Connection } from '../../lambdas/signaling/ports';
import type { LocalDynamo } from '../../local/dynamo';
import { omit } from '../helpers/memory-connections';
import { localDynamoClient, startTempDynamo } from '../helpers/temp-dynamo';

const NOW = 1_800_000_000;
let dynamo: LocalDynamo;
let documents: DynamoDBDocumentClient;
let store: DynamoConnectionStore;
let counter = 0;

function connection(overrides: Partial<Connection> = {}): Connection {
  counter += 1;
  return {
    connectionId: `conn-${counter}=`,
    sub: `sub-${counter}`,
    username: `user-${counter}`,
    sessionId: `session-${counter}`,
    jti: `jti-${counter}`,
    tokenExp: NOW + 900,
    tokenIat: NOW - 10,
    connectedAt: NOW,
    ...overrides,
  };
}

beforeAll(async () => {
  dynamo = await startTempDynamo('connections-');
  documents = DynamoDBDocumentClient.from(localDynamoClient(dynamo.endpoint), {
    marshallOptions: { removeUndefinedValues: true },
  });
  store = new DynamoConnectionStore('Connections', documents);
});

afterAll(async () => {
  documents.destroy();
  await dynamo.stop();
});

describe('DynamoConnectionStore', () => {
  it('stores a connection with a TTL beyond the 2 h API Gateway limit and reads it back', async () => {
    const row = connection();
    await store.put(row);
    expect(await store.get(row.connectionId)).toEqual(row);
    const raw = await documents.send(
      new GetCommand({ TableName: 'Connections', Key: { connectionId: row.connectionId } }),
    );
    expect(raw.Item?.expiresAt).toBeGreaterThan(NOW + 7200);
  });

  it('reads a connection without a session id (emulator tokens)', async () => {
    const row = omit(connection(), 'sessionId');
    await store.put(row);
    expect(await store.get(row.connectionId)).toEqual(row);
  });

  it('finds connections by sub, by session and by room', async () => {
    const a = connection({ sub: 'shared-sub', sessionId: 'shared-session' });
    const b = connection({ sub: 'shared-sub' });
    const c = connection({ sessionId: 'shared-session' });
    for (const row of [a, b, c]) await store.put(row);
    await store.setRoom(a.connectionId, 'room-x');
    await store.setRoom(c.connectionId, 'room-x');
    const ids = (rows: readonly Connection[]) => rows.map((r) => r.connectionId).sort();
    expect(ids(await store.listBySub('shared-sub'))).toEqual(ids([a, b]));
    expect(ids(await store.listBySession('shared-session'))).toEqual(ids([a, c]));
    expect(ids(await store.listRoom('room-x'))).toEqual(ids([a, c]));
  });

  it('clears a room', async () => {
    const row = connection();
    await store.put(row);
    await store.setRoom(row.connectionId, 'room-y');
    await store.setRoom(row.connectionId, undefined);
    expect((await store.get(row.connectionId))?.room).toBeUndefined();
    expect(await store.listRoom('room-y')).toEqual([]);
  });

  it('replaces the token fields on reauth, dropping a session id the new token lacks', async () => {
    const row = connection();
    await store.put(row);
    expect(
      await store.updateToken(row.connectionId, { jti: 'new-jti', tokenExp: NOW + 1800, tokenIat: NOW }),
    ).toBe(true);
    const rest = omit(row, 'sessionId');
    expect(await store.get(row.connectionId)).toEqual({
      ...rest,
      jti: 'new-jti',
      tokenExp: NOW + 1800,
      tokenIat: NOW,
    });
  });

  it('never recreates a deleted connection on update', async () => {
    const row = connection();
    await store.put(row);
    expect(await store.delete(row.connectionId)).toEqual(row);
    expect(await store.setRoom(row.connectionId, 'room-z')).toBe(false);
    expect(await store.updateToken(row.connectionId, { jti: 'j', tokenExp: 1, tokenIat: 1 })).toBe(false);
    expect(await store.get(row.connectionId)).toBeUndefined();
    expect(await store.delete(row.connectionId)).toBeUndefined();
  });

  it('lists exactly the connections whose token expired', async () => {
    const expired = connection({ tokenExp: NOW - 5_000_000 });
    const edge = connection({ tokenExp: NOW - 4_000_000 });
    const live = connection({ tokenExp: NOW + 5_000_000 });
    for (const row of [expired, edge, live]) await store.put(row);
    const found = (await store.listExpired(NOW - 4_000_000)).map((r) => r.connectionId);
    expect(found.sort()).toEqual([expired.connectionId, edge.connectionId].sort());
  });
});
