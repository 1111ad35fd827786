// Part 7: a heavy user's deny-list (issue 23): 1,000 sign-outs of one user, then 100 of its sign-outs at once.
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoRevocationStore } from '../lambdas/adapters/dynamo-revocation-store';
import { ITEM_BUDGET_BYTES, itemSizeBytes } from '../lambdas/shared/deny-list-item';
import type { RevocationRecord } from '../lambdas/shared/ports';
import { revokingScope } from '../lambdas/shared/revocation-rules';
import { FOLD_REASON, RevocationService } from '../lambdas/shared/revocation-service';
import { localDynamoClient, startTempDynamo } from '../test/helpers/temp-dynamo';
import { startCountingEndpoint, type CountingEndpoint } from './lib/counting-endpoint';
import { median, round } from './lib/stats';

const SIGN_OUTS = 1000;
const WRITERS = 100;
const ROUNDS = 3;
const WEEK = 7 * 86400;
/** Access-token lifetime of the default stage: a session entry lives this long (plus skew) once its record ended. */
const ACCESS_SECONDS = 900;

export interface HeavyUserRow {
  readonly scenario: string;
  readonly signOuts: number;
  /** Read units of one authorized request of that user afterwards (its consistent GetItem). Goal: 1. */
  readonly readUnitsPerCheck: number;
  readonly goal: number;
  readonly largestItemBytes: number;
  readonly finalItemBytes: number;
  readonly writeUnitsPerSignOut: number;
  readonly writeCallsPerSignOut: number;
  /** Times the item passed its budget and was folded into a raised user watermark. */
  readonly folds: number;
  /** Tokens of those sign-outs still accepted while they could be presented (goal 0). */
  readonly notRefused: number;
}

export interface HeavyUserResult {
  readonly rows: readonly HeavyUserRow[];
  readonly concurrent: {
    readonly writers: number;
    readonly rounds: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly maxMs: number;
    readonly failed: number;
    readonly notRefused: number;
    readonly writeUnitsPerSignOut: number;
  };
  readonly itemBudgetBytes: number;
  readonly method: string;
}

/** One user's sign-outs as `endSession` writes them (a session entry each), against dynalite behind the counter. */
export async function measureHeavyUser(): Promise<HeavyUserResult> {
  const dynamo = await startTempDynamo('cg-bench-heavy-');
  const endpoint = await startCountingEndpoint({ jwks: { keys: [] }, upstream: dynamo.endpoint });
  const direct = DynamoDBDocumentClient.from(localDynamoClient(dynamo.endpoint));
  const start = Math.floor(Date.now() / 1000);
  try {
    const rows = [
      await signOuts(
        endpoint,
        direct,
        'user-spread',
        'spread over one refresh lifetime (7 days)',
        start,
        WEEK,
      ),
      await signOuts(endpoint, direct, 'user-burst', 'burst: all within 1,000 s', start, 1000),
    ];
    const concurrent = await concurrentSignOuts(endpoint, start + WEEK + 600);
    return {
      rows,
      concurrent,
      itemBudgetBytes: ITEM_BUDGET_BYTES,
      method:
        'RevocationService + DynamoRevocationStore (the deployed code) against dynalite behind the counting proxy; ' +
        'units as dynalite sizes them (ReturnConsumedCapacity); a simulated clock spaces the sign-outs; each ' +
        'concurrent writer has its own client (one Lambda each); latency includes the loopback proxy hop',
    };
  } finally {
    direct.destroy();
    await endpoint.close();
    await dynamo.stop();
  }
}

async function signOuts(
  endpoint: CountingEndpoint,
  direct: DynamoDBDocumentClient,
  sub: string,
  scenario: string,
  start: number,
  spanSeconds: number,
): Promise<HeavyUserRow> {
  const clock = { now: start };
  let folds = 0;
  const store = new DynamoRevocationStore('Revocations', documentsAt(endpoint.url));
  const service = new RevocationService(
    store,
    { nowSeconds: () => clock.now },
    { refreshTokenValiditySeconds: WEEK },
    [{ revoked: async (_key, record) => void (record.reason === FOLD_REASON && (folds += 1)) }],
  );
  const before = endpoint.units();
  const callsBefore = writeCalls(endpoint);
  let largest = 0;
  let notRefused = 0;
  for (let i = 0; i < SIGN_OUTS; i++) {
    clock.now = start + Math.floor((i * spanSeconds) / SIGN_OUTS);
    await service.revokeSession(
      { sessionId: `${sub}-session-${i}`, sub, tokensValidFor: ACCESS_SECONDS },
      { actor: sub, reason: 'logout' },
    );
    largest = Math.max(largest, await sizeOf(direct, sub));
    // the token of this sign-out (issued a minute ago) must be refused from now on
    const claims = { sub, jti: `jti-${i}`, originJti: `${sub}-session-${i}`, iat: clock.now - 60 };
    const records = await store.lookup(claims);
    if (!revokingScope(claims, records, clock.now)) notRefused += 1;
  }
  const after = endpoint.units();
  const checkBefore = endpoint.units();
  await store.lookup({ sub, jti: 'a-live-token', originJti: 'a-live-session' });
  return {
    scenario,
    signOuts: SIGN_OUTS,
    readUnitsPerCheck: endpoint.units().read - checkBefore.read,
    goal: 1,
    largestItemBytes: largest,
    finalItemBytes: await sizeOf(direct, sub),
    writeUnitsPerSignOut: round((after.write - before.write) / SIGN_OUTS),
    writeCallsPerSignOut: round((writeCalls(endpoint) - callsBefore) / SIGN_OUTS),
    folds,
    notRefused,
  };
}

async function concurrentSignOuts(
  endpoint: CountingEndpoint,
  now: number,
): Promise<HeavyUserResult['concurrent']> {
  const sub = 'user-spread'; // the heavy user of the first scenario, item as it left it
  const times: number[] = [];
  let failed = 0;
  let notRefused = 0;
  const before = endpoint.units();
  for (let r = 0; r < ROUNDS; r++) {
    const writers = Array.from({ length: WRITERS }, (_, i) => {
      const store = new DynamoRevocationStore('Revocations', documentsAt(endpoint.url));
      const service = new RevocationService(
        store,
        { nowSeconds: () => now + r },
        { refreshTokenValiditySeconds: WEEK },
      );
      return { store, service, sessionId: `burst-${r}-${i}` };
    });
    const results = await Promise.allSettled(
      writers.map(async ({ service, sessionId }) => {
        const started = performance.now();
        await service.revokeSession(
          { sessionId, sub, tokensValidFor: ACCESS_SECONDS },
          { actor: sub, reason: 'logout' },
        );
        times.push(performance.now() - started);
      }),
    );
    failed += results.filter((r) => r.status === 'rejected').length;
    for (const { store, sessionId } of writers) {
      const claims = { sub, jti: `jti-${sessionId}`, originJti: sessionId, iat: now + r - 60 };
      const records: readonly RevocationRecord[] = await store.lookup(claims);
      if (!revokingScope(claims, records, now + r)) notRefused += 1;
    }
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    writers: WRITERS,
    rounds: ROUNDS,
    p50Ms: round(median(times)),
    p99Ms: round(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]),
    maxMs: round(sorted[sorted.length - 1]),
    failed,
    notRefused,
    writeUnitsPerSignOut: round((endpoint.units().write - before.write) / (WRITERS * ROUNDS)),
  };
}

function documentsAt(url: string): DynamoDBDocumentClient {
  // The deployed client's timeouts (createDocumentClient), pointed at the local endpoint.
  return DynamoDBDocumentClient.from(
    localDynamoClient(url, {
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 500, requestTimeout: 1500 },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

function writeCalls(endpoint: CountingEndpoint): number {
  return endpoint.counts().UpdateItem ?? 0;
}

async function sizeOf(direct: DynamoDBDocumentClient, sub: string): Promise<number> {
  const { Item } = await direct.send(
    new GetCommand({ TableName: 'Revocations', Key: { pk: `user#${sub}` }, ConsistentRead: true }),
  );
  return Item ? itemSizeBytes(Item) : 0;
}
