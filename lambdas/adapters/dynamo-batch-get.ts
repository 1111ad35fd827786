// BatchGetItem done right: keys deduplicated by construction, ≤100 per call, UnprocessedKeys retried with backoff.

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';

/**
 * BatchGetItem limits (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html): at most
 * 100 keys per call, a key repeated in one call fails the whole call (`ValidationException: Provided list of item
 * keys contains duplicates`), and a response stops at 16 MB (or at throttling) with the rest in `UnprocessedKeys`,
 * which AWS says to retry "using exponential backoff".
 */
export const BATCH_GET_LIMIT = 100;
/** Calls per chunk (the first plus retries of what came back unprocessed). */
const MAX_ATTEMPTS = 5;
const BASE_DELAY_MS = 20;

/** One table's keys (a single string partition key, as every table of this app has). */
export interface TableKeys {
  readonly table: string;
  readonly keyAttribute: string;
  readonly keys: readonly string[];
}

export interface BatchGetResult {
  /** Items found, by table. */
  readonly items: ReadonlyMap<string, readonly Record<string, unknown>[]>;
  /** Keys still unprocessed after every retry, by table (empty when the read is complete). */
  readonly unprocessed: ReadonlyMap<string, readonly string[]>;
}

export interface BatchGetOptions {
  /** Waits between retries; tests pass a no-op. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Reads every key of every table, strongly consistent, in as few BatchGetItem calls as the 100-key limit allows
 * (one call when it fits, so both ends of a relay stay one round trip). Each key is asked for once, whatever the
 * caller passed. What stays unprocessed after the retries is returned, never guessed: the caller decides (a relay
 * fails closed, the sweep skips those rows until its next run).
 */
export async function batchGetAll(
  documents: DynamoDBDocumentClient,
  tables: readonly TableKeys[],
  options: BatchGetOptions = {},
): Promise<BatchGetResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const attributeOf = new Map(tables.map((t) => [t.table, t.keyAttribute]));
  const wanted = new Map<string, Set<string>>();
  for (const { table, keys } of tables) {
    const set = wanted.get(table) ?? new Set<string>();
    for (const key of keys) set.add(key);
    if (set.size > 0) wanted.set(table, set);
  }
  const pairs = [...wanted].flatMap(([table, keys]) => [...keys].map((key) => [table, key] as const));
  const items = new Map<string, Record<string, unknown>[]>();
  const unprocessed = new Map<string, string[]>();
  for (let i = 0; i < pairs.length; i += BATCH_GET_LIMIT) {
    let pending = pairs.slice(i, i + BATCH_GET_LIMIT);
    for (let attempt = 1; pending.length > 0 && attempt <= MAX_ATTEMPTS; attempt++) {
      if (attempt > 1) await sleep(BASE_DELAY_MS * 2 ** (attempt - 2) * (1 + Math.random()));
      const output = await documents.send(
        new BatchGetCommand({ RequestItems: requestOf(pending, attributeOf) }),
      );
      for (const [table, found] of Object.entries(output.Responses ?? {}))
        items.set(table, [...(items.get(table) ?? []), ...found]);
      pending = Object.entries(output.UnprocessedKeys ?? {}).flatMap(([table, request]) =>
        (request.Keys ?? []).map((key) => [table, String(key[attributeOf.get(table) ?? ''])] as const),
      );
    }
    for (const [table, key] of pending) unprocessed.set(table, [...(unprocessed.get(table) ?? []), key]);
  }
  return { items, unprocessed };
}

function requestOf(
  pairs: readonly (readonly [string, string])[],
  attributeOf: ReadonlyMap<string, string>,
): Record<string, { Keys: Record<string, string>[]; ConsistentRead: true }> {
  const requests: Record<string, { Keys: Record<string, string>[]; ConsistentRead: true }> = {};
  for (const [table, key] of pairs) {
    (requests[table] ??= { Keys: [], ConsistentRead: true }).Keys.push({ [attributeOf.get(table)!]: key });
  }
  return requests;
}
