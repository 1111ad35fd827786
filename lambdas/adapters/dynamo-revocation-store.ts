// RevocationReader/Writer over DynamoDB: one item per user, one consistent GetItem per check; never token bytes.

import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  ScanCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AccessClaims } from '../shared/claims';
import {
  droppable,
  type EntryMap,
  FOLD_MARGIN_SECONDS,
  ITEM_BUDGET_BYTES,
  itemSizeBytes,
  legacyRecord,
  PRUNE_GRACE_SECONDS,
  recordsFor,
  type StoredEntry,
  toUserItem,
} from '../shared/deny-list-item';
import type {
  PutOutcome,
  RevocationKey,
  RevocationReader,
  RevocationRecord,
  RevocationWriter,
} from '../shared/ports';
import { RevocationTableSchema, revocationKey } from '../shared/table-schemas';

export { PRUNE_GRACE_SECONDS, recordsFor };

/** Offline only: the DynamoDB request timeout in milliseconds (see requestTimeoutMs). */
export const DYNAMODB_TIMEOUT_ENV = 'COGNITO_GUARD_DYNAMODB_TIMEOUT_MS';
const PK = RevocationTableSchema.partitionKey;
const TTL = RevocationTableSchema.ttlAttribute;
/** Entries removed per tidy-up write: keeps each expression far below DynamoDB's 4 KB expression limit. */
const PRUNE_CHUNK = 25;

/**
 * How long one DynamoDB request may take (read when a client is built, at cold start): 1.5 s in AWS. The offline stack (local/aws-env.ts) allows more, because
 * there one Node process on a small machine plays DynamoDB (dynalite serialises one item's writes), API Gateway and
 * every Lambda at once; it is a speed allowance, not a difference in behaviour.
 */
function requestTimeoutMs(): number {
  return Number(process.env[DYNAMODB_TIMEOUT_ENV]) || 1500;
}

/** A DynamoDB document client with short timeouts: an unreachable store must fail closed quickly. */
export function createDocumentClient(): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 500, requestTimeout: requestTimeoutMs() },
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * The four states a user item can be in for one write: its map exists or not; its TTL is absent or at most ours (so
 * this write raises it), or later. Exactly one holds at any moment and each fact only moves one way (a map once
 * created stays; a TTL only grows), so trying the four conditional writes in turn lands within a few attempts, with
 * no read and no dependence on what other writers add.
 */
const SHAPES = [
  { mapExists: true, raiseTtl: true },
  { mapExists: true, raiseTtl: false },
  { mapExists: false, raiseTtl: true },
  { mapExists: false, raiseTtl: false },
] as const;

type Shape = (typeof SHAPES)[number];

/**
 * The order the shapes are tried in: the usual ones first; a failed create usually means a concurrent writer created
 * the map, so the map shapes come again before the last one. Covers every shape twice.
 */
const SHAPE_ORDER = [0, 1, 2, 0, 1, 3, 2, 3] as const;

export class DynamoRevocationStore implements RevocationReader, RevocationWriter {
  constructor(
    private readonly tableName: string,
    private readonly documents: DynamoDBDocumentClient = createDocumentClient(),
  ) {}

  async lookup(
    claims: Pick<AccessClaims, 'jti' | 'originJti' | 'sub'>,
  ): Promise<readonly RevocationRecord[]> {
    // Consistent read: a revocation written a moment ago must apply to the very next request.
    const output = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [PK]: revocationKey.user(claims.sub) },
        ConsistentRead: true,
      }),
    );
    return recordsFor(output.Item, claims);
  }

  /**
   * Adds one entry with an UpdateItem that sets that entry alone, so concurrent revocations of one user never
   * contend; a watermark moves only forward (by condition). Then drops expired and covered entries, best effort.
   * `over-budget` tells the caller to fold the item (raise the watermark).
   */
  async put(key: RevocationKey, record: RevocationRecord): Promise<PutOutcome> {
    if (!record.sub) throw new Error('a revocation without its user cannot be stored'); // fail closed
    const pk = revocationKey.user(record.sub);
    const entry: StoredEntry = {
      revokedAt: record.revokedAt,
      expiresAt: record.expiresAt,
      ...(record.notBefore === undefined ? {} : { notBefore: record.notBefore }),
      reason: record.reason,
      actor: record.actor,
    };
    const written =
      key.scope === 'user'
        ? await this.raiseWatermark(pk, record.sub, entry)
        : await this.setEntry(pk, record.sub, key.scope === 'token' ? 'tokens' : 'sessions', key, entry);
    if (written === 'superseded') return written;
    const left = await this.tidy(pk, written, record.revokedAt);
    if (itemSizeBytes(left) <= ITEM_BUDGET_BYTES) return 'stored';
    // A fold now would stand no later than one made this second: it is done (or under way), do not repeat it.
    const standing = toUserItem(left).user?.notBefore ?? 0;
    return standing >= record.revokedAt + FOLD_MARGIN_SECONDS + 1 ? 'stored' : 'over-budget';
  }

  /** `SET tokens.<jti>` or `sessions.<id>`: independent of every other entry, so no writer waits for another. */
  private async setEntry(
    pk: string,
    sub: string,
    map: EntryMap,
    key: RevocationKey,
    entry: StoredEntry,
  ): Promise<Record<string, unknown>> {
    const id = key.scope === 'token' ? key.jti : key.scope === 'session' ? key.sessionId : key.sub;
    const other: EntryMap = map === 'tokens' ? 'sessions' : 'tokens';
    for (const index of SHAPE_ORDER) {
      const shape: Shape = SHAPES[index];
      // Creating one map creates the other too (if absent): the user's next writes find both.
      const target = shape.mapExists ? '#m.#id = :entry' : '#m = :entry, #o = if_not_exists(#o, :empty)';
      const written = await this.update({
        Key: { [PK]: pk },
        UpdateExpression: `SET ${target}, #sub = :sub${shape.raiseTtl ? ', #ttl = :ttl' : ''} ADD #version :one`,
        ConditionExpression: [
          // Revoke more, never less: an entry of this id that already lives longer stands (see below).
          shape.mapExists
            ? 'attribute_exists(#m) AND (attribute_not_exists(#m.#id) OR #m.#id.#exp <= :exp)'
            : 'attribute_not_exists(#m)',
          ttlCondition(shape),
        ].join(' AND '),
        ExpressionAttributeNames: {
          '#m': map,
          ...(shape.mapExists ? { '#id': id, '#exp': 'expiresAt' } : { '#o': other }),
          '#sub': 'sub',
          '#ttl': TTL,
          '#version': 'version',
        },
        ExpressionAttributeValues: {
          ':entry': shape.mapExists ? entry : { [id]: entry },
          ...(shape.mapExists ? { ':exp': entry.expiresAt } : { ':empty': {} }),
          ':sub': sub,
          ':ttl': entry.expiresAt + PRUNE_GRACE_SECONDS,
          ':one': 1,
        },
      });
      if (written) return written;
    }
    // Every shape failed: either the same id already has an entry that lives at least as long (it stands, and it
    // revokes what this one would), or the item kept changing (never silently: the caller fails closed).
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { [PK]: pk }, ConsistentRead: true }),
    );
    const standing = (Item?.[map] as Record<string, StoredEntry> | undefined)?.[id];
    if (Item && standing && standing.expiresAt >= entry.expiresAt) return Item;
    throw new Error('revocation not stored: the item kept changing');
  }

  /**
   * `SET user` only if no watermark at least as late stands (in this layout or the older top-level one). Failing
   * both TTL shapes means the watermark condition failed: a later one stands, and that never changes back.
   */
  private async raiseWatermark(
    pk: string,
    sub: string,
    entry: StoredEntry,
  ): Promise<Record<string, unknown> | 'superseded'> {
    for (const shape of SHAPES.filter((s) => s.mapExists)) {
      const written = await this.update({
        Key: { [PK]: pk },
        UpdateExpression: `SET #user = :entry, #sub = :sub${shape.raiseTtl ? ', #ttl = :ttl' : ''} ADD #version :one`,
        ConditionExpression: [
          '(attribute_not_exists(#user) OR #user.#nb < :nb)',
          '(attribute_not_exists(#nb) OR #nb < :nb)',
          ttlCondition(shape),
        ].join(' AND '),
        ExpressionAttributeNames: {
          '#user': 'user',
          '#nb': 'notBefore',
          '#sub': 'sub',
          '#ttl': TTL,
          '#version': 'version',
        },
        ExpressionAttributeValues: {
          ':entry': entry,
          ':nb': entry.notBefore,
          ':sub': sub,
          ':ttl': entry.expiresAt + PRUNE_GRACE_SECONDS,
          ':one': 1,
        },
      });
      if (written) return written;
    }
    return 'superseded';
  }

  /** One conditional UpdateItem: the item after it, or undefined when its condition did not hold. */
  private async update(
    input: Omit<UpdateCommandInput, 'TableName'>,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const output = await this.documents.send(
        new UpdateCommand({ TableName: this.tableName, ...input, ReturnValues: 'ALL_NEW' }),
      );
      return output.Attributes ?? {};
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * Best effort: removes entries that expired long ago or that the watermark covers, each only if it is still the
   * entry that was read (a concurrent rewrite of the same id wins). Answers the item as it is left, as far as known.
   */
  private async tidy(
    pk: string,
    item: Record<string, unknown>,
    now: number,
  ): Promise<Record<string, unknown>> {
    // Below half the budget a tidy-up is not worth its write; the reader ignores expired entries anyway.
    if (itemSizeBytes(item) <= ITEM_BUDGET_BYTES / 2) return item;
    const drops = droppable(toUserItem(item), now);
    if (drops.length === 0) return item;
    let left = item;
    for (let i = 0; i < drops.length; i += PRUNE_CHUNK) {
      const chunk = drops.slice(i, i + PRUNE_CHUNK);
      const names: Record<string, string> = { '#r': 'revokedAt', '#e': 'expiresAt', '#version': 'version' };
      const values: Record<string, unknown> = { ':one': 1 };
      const paths: string[] = [];
      const conditions: string[] = [];
      chunk.forEach(({ map, id, entry }, n) => {
        names[`#${map}`] = map;
        names[`#k${n}`] = id;
        values[`:r${n}`] = entry.revokedAt;
        values[`:e${n}`] = entry.expiresAt;
        const path = `#${map}.#k${n}`;
        paths.push(path);
        conditions.push(`(attribute_not_exists(${path}) OR (${path}.#r = :r${n} AND ${path}.#e = :e${n}))`);
      });
      try {
        const output = await this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { [PK]: pk },
            UpdateExpression: `REMOVE ${paths.join(', ')} ADD #version :one`,
            ConditionExpression: `attribute_exists(#sub) AND ${conditions.join(' AND ')}`,
            ExpressionAttributeNames: { ...names, '#sub': 'sub' },
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        left = output.Attributes ?? left;
      } catch {
        // Best effort, whatever the error: the entry is stored; a changed entry, a throttle or an outage only leaves
        // the item larger until the next write tidies it (or folds it).
      }
    }
    return left;
  }
}

/** Keeps the item's TTL at the latest expiry it holds: raise it, or write only where it is already later. */
function ttlCondition(shape: Shape): string {
  return shape.raiseTtl ? '(attribute_not_exists(#ttl) OR #ttl <= :ttl)' : '#ttl > :ttl';
}

/** The deny-list partition key that may revoke a token: its user's item (it holds the token and session entries). */
export function revocationKeysOf(claims: Pick<AccessClaims, 'sub'>): string[] {
  return [revocationKey.user(claims.sub)];
}

/** Partition-key prefixes of the one-item-per-entry layout that a later release stopped reading. */
const LEGACY_PREFIXES = ['jti#', 'session#'] as const;

/**
 * Upgrade step, run before the new readers serve (deploy-time custom resource; `npm start` at boot): moves every live
 * `jti#` / `session#` item of the one-item-per-entry layout into its user's item, then deletes it, so an upgraded
 * table refuses every token it refused before. Idempotent; answers how many entries it moved.
 */
export async function migrateLegacyRevocations(
  tableName: string,
  documents: DynamoDBDocumentClient,
  nowSeconds: number,
): Promise<number> {
  const store = new DynamoRevocationStore(tableName, documents);
  let moved = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        FilterExpression: 'begins_with(#pk, :jti) OR begins_with(#pk, :session)',
        ExpressionAttributeNames: { '#pk': PK },
        ExpressionAttributeValues: { ':jti': LEGACY_PREFIXES[0], ':session': LEGACY_PREFIXES[1] },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const record = legacyRecord(item);
      const pk = String(item[PK]);
      if (record.expiresAt >= nowSeconds) {
        const id = pk.slice(pk.indexOf('#') + 1);
        const key: RevocationKey =
          record.scope === 'token' ? { scope: 'token', jti: id } : { scope: 'session', sessionId: id };
        await store.put(key, record);
        moved += 1;
      }
      await documents.send(new DeleteCommand({ TableName: tableName, Key: { [PK]: pk } }));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return moved;
}
