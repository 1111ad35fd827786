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

const PK = RevocationTableSchema.partitionKey;
const TTL = RevocationTableSchema.ttlAttribute;
/**
 * Every write of an entry converges within a few attempts: a condition here fails only when a monotone fact changed
 * (the map now exists, the TTL or the watermark moved forward), never because another entry was added.
 */
const MAX_WRITE_ATTEMPTS = 6;
/** Entries removed per tidy-up write: keeps each expression far below DynamoDB's 4 KB expression limit. */
const PRUNE_CHUNK = 25;

/** A DynamoDB document client with short timeouts: an unreachable store must fail closed quickly. */
export function createDocumentClient(): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 500, requestTimeout: 1500 },
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** What the writer assumed about the item when it chose an expression; a failed condition corrects it. */
interface Assumed {
  mapExists: boolean;
  /** Our TTL is later than the stored one (or there is none): set it. Otherwise leave it. */
  raiseTtl: boolean;
}

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
    return itemSizeBytes(left) > ITEM_BUDGET_BYTES ? 'over-budget' : 'stored';
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
    const assumed: Assumed = { mapExists: true, raiseTtl: true };
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const target = assumed.mapExists ? '#m.#id' : '#m';
      const value = assumed.mapExists ? entry : { [id]: entry };
      const written = await this.update(
        {
          Key: { [PK]: pk },
          UpdateExpression: `SET ${target} = :entry, #sub = :sub${assumed.raiseTtl ? ', #ttl = :ttl' : ''} ADD #version :one`,
          ConditionExpression: [
            assumed.mapExists ? 'attribute_exists(#m)' : 'attribute_not_exists(#m)',
            ttlCondition(assumed),
          ].join(' AND '),
          ExpressionAttributeNames: {
            '#m': map,
            ...(assumed.mapExists ? { '#id': id } : {}),
            '#sub': 'sub',
            '#ttl': TTL,
            '#version': 'version',
          },
          ExpressionAttributeValues: {
            ':entry': value,
            ':sub': sub,
            ':ttl': entry.expiresAt + PRUNE_GRACE_SECONDS,
            ':one': 1,
          },
        },
        pk,
        assumed,
        (item) => item[map] !== undefined,
      );
      if (written && written !== 'superseded') return written; // no watermark condition here: never superseded
    }
    throw new Error('revocation not stored: the item kept changing'); // never silently: the caller fails closed
  }

  /** `SET user` only if no watermark at least as late stands (in this layout or the older top-level one). */
  private async raiseWatermark(
    pk: string,
    sub: string,
    entry: StoredEntry,
  ): Promise<Record<string, unknown> | 'superseded'> {
    const assumed: Assumed = { mapExists: true, raiseTtl: true };
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const written = await this.update(
        {
          Key: { [PK]: pk },
          UpdateExpression: `SET #user = :entry, #sub = :sub${assumed.raiseTtl ? ', #ttl = :ttl' : ''} ADD #version :one`,
          ConditionExpression: [
            '(attribute_not_exists(#user) OR #user.#nb < :nb)',
            '(attribute_not_exists(#nb) OR #nb < :nb)',
            ttlCondition(assumed),
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
        },
        pk,
        assumed,
        () => true,
      );
      if (written === 'superseded') return written;
      if (written) return written;
    }
    throw new Error('revocation not stored: the item kept changing');
  }

  /**
   * One conditional UpdateItem returning the item after it. On a failed condition, reads the item (consistently)
   * to learn which monotone fact was wrong, corrects `assumed` and answers undefined (try again), or `superseded`.
   */
  private async update(
    input: Omit<UpdateCommandInput, 'TableName'>,
    pk: string,
    assumed: Assumed,
    hasMap: (item: Record<string, unknown>) => boolean,
  ): Promise<Record<string, unknown> | 'superseded' | undefined> {
    try {
      const output = await this.documents.send(
        new UpdateCommand({ TableName: this.tableName, ...input, ReturnValues: 'ALL_NEW' }),
      );
      return output.Attributes ?? {};
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { [PK]: pk }, ConsistentRead: true }),
    );
    const nb = input.ExpressionAttributeValues?.[':nb'] as number | undefined;
    if (nb !== undefined && Item) {
      const standing = toUserItem(Item).user?.notBefore;
      if (standing !== undefined && standing >= nb) return 'superseded';
    }
    assumed.mapExists = Item !== undefined && hasMap(Item);
    const ttl = input.ExpressionAttributeValues?.[':ttl'] as number;
    const stored: unknown = Item?.[TTL];
    assumed.raiseTtl = typeof stored !== 'number' || stored < ttl;
    return undefined;
  }

  /**
   * Best effort: removes entries that expired long ago or that the watermark covers, each only if it is still the
   * entry that was read (a concurrent rewrite of the same id wins). Answers the item as it is left.
   */
  private async tidy(
    pk: string,
    item: Record<string, unknown>,
    now: number,
  ): Promise<Record<string, unknown>> {
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
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error; // an outage is the caller's failure
      }
    }
    return left;
  }
}

/** Keeps the item's TTL at the latest expiry it holds: raise it, or write only where it is already later. */
function ttlCondition(assumed: Assumed): string {
  return assumed.raiseTtl ? '(attribute_not_exists(#ttl) OR #ttl < :ttl)' : '#ttl >= :ttl';
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
