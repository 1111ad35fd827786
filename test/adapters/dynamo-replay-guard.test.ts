// The DPoP replay guard against dynalite: a proof id is accepted once, by whichever instance sees it first.

import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoReplayGuard } from '../../lambdas/adapters/dynamo-replay-guard';
import { checkProof } from '../../lambdas/shared/dpop';
import { JoseDpopVerifier } from '../../lambdas/adapters/jose-dpop-verifier';
import type { Clock } from '../../lambdas/shared/ports';
import type { LocalDynamo } from '../../local/dynamo';
import { newDeviceKey, proofFor } from '../helpers/dpop';
import { localDynamoClient, startTempDynamo } from '../helpers/temp-dynamo';

const TABLE = 'Revocations';
let dynamo: LocalDynamo;
let documents: DynamoDBDocumentClient;
let now = Math.floor(Date.now() / 1000);
const clock: Clock = { nowSeconds: () => now };

/** A guard as one Lambda instance builds it: its own client, nothing shared with the others but the table. */
const instance = (checker: 'authorizer' | 'token-handler' = 'authorizer') =>
  new DynamoReplayGuard(
    TABLE,
    checker,
    clock,
    DynamoDBDocumentClient.from(localDynamoClient(dynamo.endpoint)),
  );

beforeAll(async () => {
  dynamo = await startTempDynamo('cg-replay-');
  documents = DynamoDBDocumentClient.from(localDynamoClient(dynamo.endpoint));
});

afterAll(async () => {
  await dynamo?.stop();
});

beforeEach(() => {
  now = Math.floor(Date.now() / 1000);
});

describe('DynamoReplayGuard', () => {
  it('accepts a proof id once: the same instance and every other instance refuse it afterwards', async () => {
    const [a, b, c] = [instance(), instance(), instance()];
    expect(await a.firstUse('jkt-1', 'jti-once-0000001', now + 60)).toBe(true);
    expect(await a.firstUse('jkt-1', 'jti-once-0000001', now + 60)).toBe(false);
    expect(await b.firstUse('jkt-1', 'jti-once-0000001', now + 60)).toBe(false);
    expect(await c.firstUse('jkt-1', 'jti-once-0000001', now + 60)).toBe(false);
  });

  it('lets exactly one of many instances racing with one proof id through', async () => {
    const guards = Array.from({ length: 20 }, () => instance());
    const firsts = await Promise.all(
      guards.map((guard) => guard.firstUse('jkt-race', 'jti-race-00000001', now + 60)),
    );
    expect(firsts.filter(Boolean)).toHaveLength(1);
  });

  it('keys on the key and the id: the same jti under another key, or another id, is a first use', async () => {
    const guard = instance();
    expect(await guard.firstUse('jkt-2', 'jti-shared-000001', now + 60)).toBe(true);
    expect(await guard.firstUse('jkt-3', 'jti-shared-000001', now + 60)).toBe(true);
    expect(await guard.firstUse('jkt-2', 'jti-other-0000001', now + 60)).toBe(true);
  });

  it('keeps the checkers apart: the auth function re-checks a proof the authorizer accepted for the same request', async () => {
    expect(await instance('authorizer').firstUse('jkt-4', 'jti-logout-000001', now + 60)).toBe(true);
    expect(await instance('token-handler').firstUse('jkt-4', 'jti-logout-000001', now + 60)).toBe(true);
    expect(await instance('token-handler').firstUse('jkt-4', 'jti-logout-000001', now + 60)).toBe(false);
  });

  it('writes one small item with its window as TTL, keyed on thumbprint and jti (never the proof)', async () => {
    await instance().firstUse('jkt-5', 'jti-stored-000001', now + 60);
    const { Item } = await documents.send(
      new GetCommand({
        TableName: TABLE,
        Key: { pk: 'proof#authorizer#jkt-5#jti-stored-000001' },
        ConsistentRead: true,
      }),
    );
    expect(Item).toEqual({ pk: 'proof#authorizer#jkt-5#jti-stored-000001', expiresAt: now + 60 });
  });

  it('treats an item past its window as gone (TTL deletes lazily)', async () => {
    const guard = instance();
    expect(await guard.firstUse('jkt-6', 'jti-expired-00001', now + 60)).toBe(true);
    now += 61;
    expect(await guard.firstUse('jkt-6', 'jti-expired-00001', now + 60)).toBe(true);
  });

  it('throws when the table cannot be written, and the proof check then refuses (fail closed)', async () => {
    const broken = new DynamoReplayGuard('NoSuchTable', 'authorizer', clock, documents);
    await expect(broken.firstUse('jkt-7', 'jti-broken-000001', now + 60)).rejects.toThrow();
    const key = await newDeviceKey();
    const url = 'https://app.example.com/api/me';
    const decision = await checkProof(
      await proofFor(key, { method: 'GET', url }),
      { method: 'GET', url },
      {
        verifier: new JoseDpopVerifier(),
        clock: { nowSeconds: () => Math.floor(Date.now() / 1000) },
        replay: broken,
      },
    );
    expect(decision).toMatchObject({ ok: false, reason: 'ERR_STORE_UNAVAILABLE' });
  });
});
