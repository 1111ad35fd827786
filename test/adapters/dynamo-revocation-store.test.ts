// The DynamoDB deny-list adapter against a real dynalite server: revoke then check, for every scope.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startCountingEndpoint } from '../../bench/lib/counting-endpoint';
import { authorizeToken } from '../../lambdas/authorizer/authorize';
import {
  DynamoRevocationStore,
  migrateLegacyRevocations,
  PRUNE_GRACE_SECONDS,
} from '../../lambdas/adapters/dynamo-revocation-store';
import { ITEM_BUDGET_BYTES, itemSizeBytes } from '../../lambdas/shared/deny-list-item';
import { FOLD_REASON } from '../../lambdas/shared/revocation-service';
import type { AccessClaims } from '../../lambdas/shared/claims';
import type { RevocationRecord } from '../../lambdas/shared/ports';
import { RevocationService } from '../../lambdas/shared/revocation-service';
import type { LocalDynamo } from '../../local/dynamo';
import { startDynamo } from '../../local/dynamo';
import { localDynamoClient, startTempDynamo } from '../helpers/temp-dynamo';

const NOW = Math.floor(Date.now() / 1000);
let dynamo: LocalDynamo;
let counter = 0;

function documents(endpoint: string): DynamoDBDocumentClient {
  // dynalite serialises writes to one item: 100 racing writers need more than production's 1.5 s on a loaded machine
  const client = localDynamoClient(endpoint, {
    requestHandler: { connectionTimeout: 300, requestTimeout: 10_000 },
  });
  return DynamoDBDocumentClient.from(client);
}

function fresh(overrides: Partial<AccessClaims> = {}): AccessClaims {
  counter += 1;
  return {
    sub: `sub-${counter}`,
    username: `user-${counter}`,
    jti: `jti-${counter}`,
    originJti: `session-${counter}`,
    clientId: 'client',
    iat: NOW - 10,
    exp: NOW + 900,
    groups: [],
    scopes: [],
    ...overrides,
  };
}

function setup(clock = { nowSeconds: () => NOW }) {
  const store = new DynamoRevocationStore('Revocations', documents(dynamo.endpoint));
  const service = new RevocationService(store, clock, { refreshTokenValiditySeconds: 7 * 86400 });
  const decide = (claims: AccessClaims) =>
    authorizeToken('token', {
      verifier: { verify: async () => ({ ok: true, claims }) },
      revocations: store,
      clock,
      requireSessionId: true,
      mode: 'enforce',
    });
  return { store, service, decide };
}

beforeAll(async () => {
  dynamo = await startTempDynamo('cg-dynamo-');
});

afterAll(async () => {
  await dynamo.stop();
});

async function userItem(sub: string): Promise<Record<string, unknown>> {
  const { Item } = await documents(dynamo.endpoint).send(
    new GetCommand({ TableName: 'Revocations', Key: { pk: `user#${sub}` }, ConsistentRead: true }),
  );
  return Item ?? {};
}

describe('DynamoRevocationStore', () => {
  it('finds nothing for a token that was never revoked', async () => {
    const { store, decide } = setup();
    const claims = fresh();
    expect(await store.lookup(claims)).toEqual([]);
    expect(await decide(claims)).toMatchObject({ effect: 'Allow' });
  });

  it('denies a token revoked by jti, and only that token', async () => {
    const { service, decide } = setup();
    const claims = fresh();
    await service.revokeToken(claims, { actor: claims.sub, reason: 'logout' });
    expect(await decide(claims)).toMatchObject({
      effect: 'Deny',
      reason: 'ERR_TOKEN_REVOKED',
      scope: 'token',
    });
    expect(await decide({ ...claims, jti: 'another-token-of-the-session' })).toMatchObject({
      effect: 'Allow',
    });
  });

  it('denies every token of a revoked session', async () => {
    const { service, decide } = setup();
    const claims = fresh();
    await service.revokeSession(
      { sessionId: claims.originJti!, sub: claims.sub },
      { actor: 'system', reason: 'refresh-reuse' },
    );
    expect(await decide({ ...claims, jti: 'refreshed-token' })).toMatchObject({
      reason: 'ERR_TOKEN_REVOKED',
      scope: 'session',
    });
    expect(await decide({ ...claims, originJti: 'other-session' })).toMatchObject({ effect: 'Allow' });
  });

  it('denies tokens issued before a user watermark and allows later ones', async () => {
    const { service, decide } = setup();
    const claims = fresh();
    await service.revokeUser({ sub: claims.sub }, { actor: 'admin:x', reason: 'admin' });
    expect(await decide(claims)).toMatchObject({ reason: 'ERR_TOKEN_REVOKED', scope: 'user' });
    expect(await decide({ ...claims, iat: NOW + 5, jti: 'after' })).toMatchObject({ effect: 'Allow' });
  });

  it('never moves a user watermark back: a late, older change stores nothing', async () => {
    const { store } = setup();
    const sub = fresh().sub;
    const record = (notBefore: number, actor: string) => ({
      scope: 'user' as const,
      sub,
      revokedAt: NOW,
      notBefore,
      expiresAt: NOW + 3600,
      reason: 'admin',
      actor,
    });
    expect(await store.put({ scope: 'user', sub }, record(NOW + 10, 'newer'))).toBe('stored');
    expect(await store.put({ scope: 'user', sub }, record(NOW - 50, 'late-older'))).toBe('superseded');
    expect(await store.put({ scope: 'user', sub }, record(NOW + 10, 'same-second'))).toBe('superseded');
    expect(await store.lookup({ sub, jti: 'none' })).toEqual([record(NOW + 10, 'newer')]);
    expect(await store.put({ scope: 'user', sub }, record(NOW + 11, 'later'))).toBe('stored');
    expect(await store.lookup({ sub, jti: 'none' })).toEqual([record(NOW + 11, 'later')]);
  });

  it('stores actor, reason and times but no token', async () => {
    const { service, store } = setup();
    const claims = fresh();
    await service.revokeToken(claims, { actor: claims.sub, reason: 'logout' });
    expect(await store.lookup(claims)).toEqual([
      {
        scope: 'token',
        sub: claims.sub,
        revokedAt: NOW,
        expiresAt: claims.exp,
        reason: 'logout',
        actor: claims.sub,
      },
    ]);
  });

  it('ignores entries whose expiresAt has passed even though dynalite never deletes them', async () => {
    const claims = fresh();
    await setup({ nowSeconds: () => NOW - 2000 }).service.revokeToken(
      { ...claims, exp: NOW - 1000 },
      { actor: claims.sub, reason: 'logout' },
    );
    expect(await setup().store.lookup(claims)).toHaveLength(1);
    expect(await setup().decide(claims)).toMatchObject({ effect: 'Allow' });
  });

  it('checks a token with one strongly consistent GetItem of 1 read unit, whatever the user holds', async () => {
    const { service } = setup();
    const claims = fresh();
    const by = { actor: claims.sub, reason: 'logout' };
    for (let i = 0; i < 10; i++) {
      await service.revokeToken({ ...claims, jti: `old-${i}` }, by);
      await service.revokeSession({ sessionId: `old-session-${i}`, sub: claims.sub }, by);
    }
    await service.revokeSession({ sessionId: claims.originJti!, sub: claims.sub }, by);
    await service.revokeUser({ sub: claims.sub }, { actor: 'admin:x', reason: 'admin' });
    const endpoint = await startCountingEndpoint({ jwks: { keys: [] }, upstream: dynamo.endpoint });
    try {
      const store = new DynamoRevocationStore('Revocations', documents(endpoint.url));
      const records = await store.lookup(claims);
      expect(records.map((r) => r.scope).sort()).toEqual(['session', 'user']);
      expect(endpoint.counts()).toEqual({ GetItem: 1 });
      expect(endpoint.units()).toEqual({ read: 1, write: 0 });
    } finally {
      await endpoint.close();
    }
  });

  it('loses no revocation when many writers revoke tokens, sessions and the user at once', async () => {
    const sub = fresh().sub;
    const writers = Array.from({ length: 12 }, () => setup().service); // each with its own client
    const by = { actor: sub, reason: 'logout' };
    const outcomes = await Promise.all(
      writers.flatMap((service, i) => [
        service.revokeToken({ jti: `race-jti-${i}`, sub, exp: NOW + 900 }, by),
        service.revokeSession({ sessionId: `race-session-${i}`, sub }, by),
        service.revokeUser({ sub }, { actor: 'admin:x', reason: 'admin' }, NOW - 100 + i),
      ]),
    );
    expect(outcomes).toHaveLength(36);
    const store = setup().store;
    for (let i = 0; i < 12; i++) {
      const scopes = (await store.lookup({ sub, jti: `race-jti-${i}`, originJti: `race-session-${i}` }))
        .map((r) => r.scope)
        .sort();
      expect(scopes).toEqual(['session', 'token', 'user']);
    }
    // the watermark is the latest one any writer asked for, whatever order they landed in
    const [watermark] = (await store.lookup({ sub, jti: 'none' })).filter((r) => r.scope === 'user');
    expect(watermark.notBefore).toBe(NOW - 100 + 11 + 1);
  });

  it('stores and refuses all of 100 concurrent sign-outs of one user: no write fails, no revocation is lost', async () => {
    const sub = fresh().sub;
    const signedIn = Array.from({ length: 100 }, (_, i) =>
      fresh({ sub, jti: `t-${i}`, originJti: `s-${i}` }),
    );
    const outcomes = await Promise.allSettled(
      signedIn.map((claims) =>
        setup().service.revokeSession(
          { sessionId: claims.originJti!, sub, tokensValidFor: 900 },
          { actor: sub, reason: 'logout' },
        ),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    const { decide } = setup();
    const decisions = await Promise.all(signedIn.map((claims) => decide(claims)));
    expect(decisions.filter((d) => d.effect !== 'Deny' || d.reason !== 'ERR_TOKEN_REVOKED')).toEqual([]);
    // Past its budget the item was folded: a watermark covers them all and the item is small again.
    const item = await userItem(sub);
    expect((item.user as { reason: string } | undefined)?.reason).toBe(FOLD_REASON);
    expect(itemSizeBytes(item)).toBeLessThanOrEqual(ITEM_BUDGET_BYTES + 100 * 130);
  });

  it('keeps a heavy user at one read unit: 300 sign-outs over a week leave a small item and every one refused while it can be presented', async () => {
    const sub = fresh().sub;
    let clock = NOW;
    const at = { nowSeconds: () => clock };
    const { service } = setup(at);
    const signedOut: AccessClaims[] = [];
    let largest = 0;
    for (let i = 0; i < 300; i++) {
      clock = NOW + i * 2000; // ~ every half hour for a week
      const claims = fresh({ sub, iat: clock - 60, exp: clock + 840, originJti: `heavy-${i}` });
      await service.revokeSession(
        { sessionId: claims.originJti!, sub, tokensValidFor: 900 },
        {
          actor: sub,
          reason: 'logout',
        },
      );
      signedOut.push(claims);
      largest = Math.max(largest, itemSizeBytes(await userItem(sub)));
      expect(await setup(at).decide(claims)).toMatchObject({ effect: 'Deny', scope: 'session' });
    }
    expect(largest).toBeLessThanOrEqual(ITEM_BUDGET_BYTES / 2 + 200); // tidied once past half its budget
    const endpoint = await startCountingEndpoint({ jwks: { keys: [] }, upstream: dynamo.endpoint });
    try {
      const store = new DynamoRevocationStore('Revocations', documents(endpoint.url));
      await store.lookup(fresh({ sub }));
      expect(endpoint.units()).toEqual({ read: 1, write: 0 });
    } finally {
      await endpoint.close();
    }
  });

  it('folds a user whose live entries pass the budget: a watermark revokes them all, the item shrinks, it is counted', async () => {
    const sub = fresh().sub;
    const { store } = setup();
    const heard: RevocationRecord[] = [];
    const service = new RevocationService(
      store,
      { nowSeconds: () => NOW },
      { refreshTokenValiditySeconds: 86400 },
      [{ revoked: async (_key, record) => void heard.push(record) }],
    );
    const tokens = Array.from({ length: 60 }, (_, i) => fresh({ sub, jti: `fold-${i}` }));
    for (const claims of tokens) await service.revokeToken(claims, { actor: sub, reason: 'logout' });
    const item = await userItem(sub);
    expect(item.user).toMatchObject({ reason: FOLD_REASON, actor: 'system' });
    expect(itemSizeBytes(item)).toBeLessThanOrEqual(ITEM_BUDGET_BYTES);
    // announced like any user revocation (sockets closed, event, metric DenyListFolded via the recorder)
    expect(heard.filter((record) => record.reason === FOLD_REASON)).toMatchObject([{ scope: 'user', sub }]);
    for (const claims of tokens) {
      expect(await setup().decide(claims)).toMatchObject({ effect: 'Deny', reason: 'ERR_TOKEN_REVOKED' });
    }
  });

  it('drops entries that expired well before a later write once past half its budget, keeps live ones, and sets the TTL past the last', async () => {
    const claims = fresh();
    const by = { actor: claims.sub, reason: 'logout' };
    const past = NOW - 3 * PRUNE_GRACE_SECONDS;
    await setup({ nowSeconds: () => past - 100 }).service.revokeToken(
      { ...claims, jti: 'gone', exp: past },
      by,
    );
    await setup({ nowSeconds: () => NOW - 100 }).service.revokeToken(
      { ...claims, jti: 'just-expired', exp: NOW - 10 },
      by,
    );
    const live = Array.from({ length: 24 }, (_, i) => `live-${i}`);
    for (const jti of live) await setup().service.revokeToken({ ...claims, jti, exp: NOW + 600 }, by);
    await setup().service.revokeToken(claims, by);
    const client = documents(dynamo.endpoint);
    const { Item } = await client.send(
      new GetCommand({ TableName: 'Revocations', Key: { pk: `user#${claims.sub}` }, ConsistentRead: true }),
    );
    expect(Object.keys(Item!.tokens as object).sort()).toEqual([claims.jti, 'just-expired', ...live].sort());
    expect(Item!.expiresAt).toBe(claims.exp + PRUNE_GRACE_SECONDS);
    expect(await setup().decide({ ...claims, jti: 'gone' })).toMatchObject({ effect: 'Allow' });
  });

  it('refuses to store a revocation that names no user, and stores nothing', async () => {
    const { store } = setup();
    const record = {
      scope: 'token' as const,
      sub: '',
      revokedAt: NOW,
      expiresAt: NOW + 60,
      reason: 'x',
      actor: 'y',
    };
    await expect(store.put({ scope: 'token', jti: 'orphan' }, record)).rejects.toThrow();
  });

  it('fails closed on an item it cannot read', async () => {
    const claims = fresh();
    const client = documents(dynamo.endpoint);
    await client.send(
      new PutCommand({
        TableName: 'Revocations',
        Item: { pk: `user#${claims.sub}`, sub: claims.sub, version: 1, tokens: 'junk' },
      }),
    );
    expect(await setup().decide(claims)).toMatchObject({ effect: 'Deny', reason: 'ERR_STORE_UNAVAILABLE' });
  });

  it('still applies a watermark stored in the one-item-per-entry layout, and upgrades it on the next write', async () => {
    const claims = fresh();
    const legacy = {
      scope: 'user',
      sub: claims.sub,
      revokedAt: NOW,
      expiresAt: NOW + 3600,
      notBefore: NOW + 1,
    };
    await documents(dynamo.endpoint).send(
      new PutCommand({
        TableName: 'Revocations',
        Item: { pk: `user#${claims.sub}`, ...legacy, reason: 'admin', actor: 'admin:x' },
      }),
    );
    expect(await setup().decide(claims)).toMatchObject({ effect: 'Deny', scope: 'user' });
    const { service, store } = setup();
    await service.revokeToken({ ...claims, jti: 'later' }, { actor: claims.sub, reason: 'logout' });
    const scopes = (await store.lookup({ ...claims, jti: 'later' })).map((r) => r.scope).sort();
    expect(scopes).toEqual(['token', 'user']);
  });

  it('keeps refusing everything an upgraded table refused: one-item-per-entry items and versioned user items', async () => {
    const client = documents(dynamo.endpoint);
    const put = (Item: Record<string, unknown>) =>
      client.send(new PutCommand({ TableName: 'Revocations', Item }));
    const byJti = fresh();
    const bySession = fresh();
    const byOldUser = fresh();
    const byVersioned = fresh();
    const expired = fresh();
    const entry = { revokedAt: NOW - 5, reason: 'logout', actor: 'someone' };
    // The one-item-per-entry layout (before one item per user).
    await put({ pk: `jti#${byJti.jti}`, scope: 'token', sub: byJti.sub, expiresAt: byJti.exp, ...entry });
    await put({
      pk: `session#${bySession.originJti}`,
      scope: 'session',
      sub: bySession.sub,
      expiresAt: NOW + 7 * 86400,
      ...entry,
    });
    await put({ pk: `jti#${expired.jti}`, scope: 'token', sub: expired.sub, expiresAt: NOW - 10, ...entry });
    await put({
      pk: `user#${byOldUser.sub}`,
      scope: 'user',
      sub: byOldUser.sub,
      notBefore: NOW + 1,
      expiresAt: NOW + 3600,
      ...entry,
    });
    // The versioned one-item-per-user layout as its read-modify-write stored it.
    await put({
      pk: `user#${byVersioned.sub}`,
      sub: byVersioned.sub,
      version: 7,
      tokens: { [byVersioned.jti]: { ...entry, expiresAt: byVersioned.exp } },
      sessions: { 'other-session': { ...entry, expiresAt: NOW + 7 * 86400 } },
      expiresAt: NOW + 7 * 86400 + 300,
    });

    expect(await migrateLegacyRevocations('Revocations', client, NOW)).toBe(2);
    expect(await migrateLegacyRevocations('Revocations', client, NOW)).toBe(0); // idempotent
    const { decide, service } = setup();
    expect(await decide(byJti)).toMatchObject({ effect: 'Deny', scope: 'token' });
    expect(await decide({ ...bySession, jti: 'any-token-of-the-session' })).toMatchObject({
      scope: 'session',
    });
    expect(await decide(byOldUser)).toMatchObject({ effect: 'Deny', scope: 'user' });
    expect(await decide(byVersioned)).toMatchObject({ effect: 'Deny', scope: 'token' });
    expect(await decide({ ...byVersioned, jti: 'x', originJti: 'other-session' })).toMatchObject({
      scope: 'session',
    });
    const gone = await client.send(
      new GetCommand({ TableName: 'Revocations', Key: { pk: `jti#${byJti.jti}` }, ConsistentRead: true }),
    );
    expect(gone.Item).toBeUndefined();

    // New writes go into both older user items without losing what they held.
    await service.revokeSession({ sessionId: 'new', sub: byVersioned.sub, tokensValidFor: 900 }, entry);
    await service.revokeToken({ ...byOldUser, jti: 'new' }, entry);
    expect(await decide(byVersioned)).toMatchObject({ effect: 'Deny', scope: 'token' });
    expect(await decide({ ...byVersioned, originJti: 'new', jti: 'y' })).toMatchObject({ scope: 'session' });
    expect(await decide(byOldUser)).toMatchObject({ effect: 'Deny', scope: 'user' });
    expect(await decide({ ...byOldUser, jti: 'new', iat: NOW + 5 })).toMatchObject({ scope: 'token' });
  });

  it('moves older layouts into the current one when the offline store boots on an upgraded data dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cg-upgrade-'));
    const options = { dir, host: '127.0.0.1', port: 0, envName: 'DYNAMO_PORT' };
    const claims = fresh();
    let local = await startDynamo(options);
    try {
      await documents(local.endpoint).send(
        new PutCommand({
          TableName: 'Revocations',
          Item: {
            pk: `jti#${claims.jti}`,
            scope: 'token',
            sub: claims.sub,
            expiresAt: claims.exp,
            revokedAt: NOW,
          },
        }),
      );
      await local.stop();
      local = await startDynamo(options);
      const store = new DynamoRevocationStore('Revocations', documents(local.endpoint));
      expect(await store.lookup(claims)).toMatchObject([{ scope: 'token', sub: claims.sub }]);
    } finally {
      await local.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails closed with ERR_STORE_UNAVAILABLE when the store is unreachable', async () => {
    const store = new DynamoRevocationStore('Revocations', documents('http://127.0.0.1:9'));
    const decision = await authorizeToken('token', {
      verifier: { verify: async () => ({ ok: true, claims: fresh() }) },
      revocations: store,
      clock: { nowSeconds: () => NOW },
      requireSessionId: true,
      mode: 'enforce',
    });
    expect(decision).toMatchObject({ effect: 'Deny', reason: 'ERR_STORE_UNAVAILABLE' });
  });
});
