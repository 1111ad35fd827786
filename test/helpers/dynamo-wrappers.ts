// Test helper: DynamoDB client middleware that fails on a repeated batch key and that leaves keys unprocessed.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

type RequestItems = Record<string, { Keys?: Record<string, unknown>[] } & Record<string, unknown>>;

/** Batch operations whose key lists must not repeat a key (DynamoDB refuses the whole call). */
const BATCH_COMMANDS = new Set(['BatchGetItemCommand', 'BatchWriteItemCommand', 'TransactGetItemsCommand']);

/**
 * Every batch request with a key twice in one table throws `DuplicateKeyInBatch` and is recorded in `found`, even
 * where an emulator would accept it: a test over this client fails on what AWS would refuse.
 */
export function refuseDuplicateKeys(client: DynamoDBClient): { readonly found: string[] } {
  const found: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (BATCH_COMMANDS.has(context.commandName ?? '')) {
        for (const [table, keys] of keyLists(args.input as Record<string, unknown>)) {
          const seen = new Set<string>();
          for (const key of keys) {
            const text = JSON.stringify(key);
            if (seen.has(text)) {
              found.push(`${context.commandName} ${table} ${text}`);
              const error = new Error(`duplicate key in ${context.commandName}: ${table} ${text}`);
              error.name = 'DuplicateKeyInBatch';
              throw error;
            }
            seen.add(text);
          }
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'refuseDuplicateKeys' },
  );
  return { found };
}

/**
 * The next `calls` BatchGetItem calls read only the first key of each table and return the others as
 * `UnprocessedKeys`, as DynamoDB does past 16 MB of response or when throttled. Returns how many calls were cut.
 */
export function leaveKeysUnprocessed(client: DynamoDBClient, calls: number): { cut: number } {
  const state = { cut: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchGetItemCommand' || state.cut >= calls) return next(args);
      const input = args.input as { RequestItems: RequestItems };
      const kept: RequestItems = {};
      const left: RequestItems = {};
      for (const [table, request] of Object.entries(input.RequestItems)) {
        const [first, ...rest] = request.Keys ?? [];
        kept[table] = { ...request, Keys: [first] };
        if (rest.length > 0) left[table] = { ...request, Keys: rest };
      }
      if (Object.keys(left).length === 0) return next(args);
      state.cut += 1;
      const result = await next({ ...args, input: { ...input, RequestItems: kept } });
      const output = result.output as { UnprocessedKeys?: RequestItems };
      output.UnprocessedKeys = { ...(output.UnprocessedKeys ?? {}), ...left };
      return result;
    },
    { step: 'initialize', name: 'leaveKeysUnprocessed' },
  );
  return state;
}

function keyLists(input: Record<string, unknown>): [string, unknown[]][] {
  const requestItems = input.RequestItems as Record<string, unknown> | undefined;
  if (requestItems) {
    return Object.entries(requestItems).map(([table, request]) => {
      const r = request as { Keys?: unknown[] } | unknown[];
      // BatchWriteItem: a list of Put/Delete requests; BatchGetItem: { Keys }.
      return [table, Array.isArray(r) ? r.map((w) => JSON.stringify(w)) : (r.Keys ?? [])];
    });
  }
  const transact = input.TransactItems as { Get?: { TableName: string; Key: unknown } }[] | undefined;
  const byTable = new Map<string, unknown[]>();
  for (const item of transact ?? []) {
    if (item.Get) byTable.set(item.Get.TableName, [...(byTable.get(item.Get.TableName) ?? []), item.Get.Key]);
  }
  return [...byTable];
}
