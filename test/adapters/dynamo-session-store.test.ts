// The DynamoDB session store against a real dynalite: create, read, list by user, conditional refresh and revoke.

import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoSessionStore } from '../../lambdas/adapters/dynamo-session-store';
import type { SessionRecord } from '../../lambdas/sessions/ports';
import type { LocalDynamo } from '../../local/dynamo';
import { localDynamoClient, startTempDynamo } from '../helpers/temp-dynamo';

const NOW = 1_800_000_000;
let dynamo: LocalDynamo;
let documents: DynamoDBDocumentClient;
let store: DynamoSessionStore;
let counter = 0;

function session(overrides: Partial<SessionRecord> = {}): SessionRecord {
  counter += 1;
  return {
    sessionId: `session-${counter}`,
    sessionIdSource: 'origin_jti',
    sub: `sub-${counter}`,
    username: `sub-${counter}`,
    createdAt: NOW,
    refreshedAt: NOW,
    refreshFingerprint: 'f'.repeat(64),
    rotated: [],
    status: 'active',
    latestJti: `jti-${counter}`,
    latestJtiExpiresAt: NOW + 900,
    expiresAt: NOW + 604800,
    ...overrides,
  };
}

const revocation = { revokedAt: NOW + 5, revokedBy: 'admin:root', revokedReason: 'admin' };

beforeAll(async () => {
  dynamo = await startTempDynamo('cg-sessions-');
  documents = DynamoDBDocumentClient.from(localDynamoClient(dynamo.endpoint));
  store = new DynamoSessionStore('Sessions', documents);
});

afterAll(async () => {
  documents.destroy();
  await dynamo.stop();
});

describe('DynamoSessionStore', () => {
  it('stores a session and reads it back unchanged', async () => {
    const record = session({ rotated: [{ fingerprint: 'a'.repeat(64), rotatedAt: NOW - 1 }] });
    expect(await store.create(record)).toBe(true);
    expect(await store.get(record.sessionId)).toEqual(record);
  });

  it("stores a bound session's key thumbprint and reads it back", async () => {
    const record = session({ jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' });
    await store.create(record);
    expect(await store.get(record.sessionId)).toEqual(record);
  });

  it('refuses to overwrite an existing session id', async () => {
    const record = session();
    await store.create(record);
    expect(await store.create({ ...record, sub: 'someone-else' })).toBe(false);
    expect((await store.get(record.sessionId))?.sub).toBe(record.sub);
  });

  it('answers undefined for an unknown session', async () => {
    expect(await store.get('no-such-session')).toBeUndefined();
  });

  it("lists every session of a user and no one else's", async () => {
    const mine = [session({ sub: 'lister' }), session({ sub: 'lister' })];
    for (const record of [...mine, session({ sub: 'other' })]) await store.create(record);
    const listed = await store.listBySub('lister');
    expect(listed.map((s) => s.sessionId).sort()).toEqual(mine.map((s) => s.sessionId).sort());
  });

  it('applies a refresh when the expected fingerprint is current', async () => {
    const record = session();
    await store.create(record);
    const change = {
      refreshFingerprint: 'b'.repeat(64),
      rotated: [{ fingerprint: record.refreshFingerprint, rotatedAt: NOW + 1 }],
      latestJti: 'jti-new',
      latestJtiExpiresAt: NOW + 901,
      refreshedAt: NOW + 1,
    };
    expect(await store.refresh(record.sessionId, record.refreshFingerprint, change)).toBe(true);
    expect(await store.get(record.sessionId)).toEqual({ ...record, ...change });
  });

  it('refuses a refresh whose expected fingerprint is stale (a concurrent refresh won)', async () => {
    const record = session();
    await store.create(record);
    const change = { ...record, refreshFingerprint: 'c'.repeat(64) };
    expect(await store.refresh(record.sessionId, 'stale', change)).toBe(false);
    expect(await store.get(record.sessionId)).toEqual(record);
  });

  it('refuses a refresh of a revoked session (revocation wins)', async () => {
    const record = session();
    await store.create(record);
    await store.markRevoked(record.sessionId, revocation);
    expect(
      await store.refresh(record.sessionId, record.refreshFingerprint, { ...record, latestJti: 'x' }),
    ).toBe(false);
    expect((await store.get(record.sessionId))?.latestJti).toBe(record.latestJti);
  });

  it('marks a session revoked and keeps the first revocation on a second one', async () => {
    const record = session();
    await store.create(record);
    expect(await store.markRevoked(record.sessionId, revocation)).toBe(true);
    expect(
      await store.markRevoked(record.sessionId, { revokedAt: NOW + 9, revokedBy: 'x', revokedReason: 'y' }),
    ).toBe(true);
    expect(await store.get(record.sessionId)).toEqual({ ...record, status: 'revoked', ...revocation });
  });

  it('refuses to revoke an unknown session without creating it', async () => {
    expect(await store.markRevoked('ghost', revocation)).toBe(false);
    expect(await store.get('ghost')).toBeUndefined();
  });

  it('fails closed on an item it does not understand', async () => {
    await documents.send(
      new PutCommand({ TableName: 'Sessions', Item: { sessionId: 'odd', status: 'maybe' } }),
    );
    await expect(store.get('odd')).rejects.toThrow('unreadable session item');
  });

  it('throws when the store is unreachable', async () => {
    const offline = new DynamoSessionStore(
      'Sessions',
      DynamoDBDocumentClient.from(localDynamoClient('http://127.0.0.1:9')),
    );
    await expect(offline.get('any')).rejects.toThrow();
  });
});
