// RevocationReader/Writer over DynamoDB: one item per user, one consistent GetItem per check; never token bytes.

import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AccessClaims } from '../shared/claims';
import type {
  PutOutcome,
  RevocationKey,
  RevocationReader,
  RevocationRecord,
  RevocationWriter,
} from '../shared/ports';
import { RevocationTableSchema, revocationKey } from '../shared/table-schemas';

const PK = RevocationTableSchema.partitionKey;
const TTL = RevocationTableSchema.ttlAttribute;

/**
 * An entry is dropped by a later write only once it expired this long before that write's clock, so a reader whose
 * clock lags the writer's still sees every entry it would apply (the rules ignore expired entries anyway).
 */
export const PRUNE_GRACE_SECONDS = 300;
/** Concurrent writers to one user item retry on a lost race; past this many tries the write fails (and says so). */
const MAX_WRITE_ATTEMPTS = 25;

/** The stored fields of one entry; scope and sub come from where it sits in the item. */
interface StoredEntry {
  readonly revokedAt: number;
  readonly expiresAt: number;
  readonly notBefore?: number;
  readonly reason: string;
  readonly actor: string;
}

/**
 * A user's deny-list item: the watermark and the live token and session revocations, pruned as they expire, so
 * one strongly consistent read of a few hundred bytes (1 read unit) answers every check. `version` orders writers.
 */
interface UserItem {
  readonly sub: string;
  readonly version: number;
  readonly user?: StoredEntry;
  readonly tokens: Readonly<Record<string, StoredEntry>>;
  readonly sessions: Readonly<Record<string, StoredEntry>>;
}

/** A DynamoDB document client with short timeouts: an unreachable store must fail closed quickly. */
export function createDocumentClient(): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 500, requestTimeout: 1500 },
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
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
   * Adds one entry to its user's item: read, merge (pruning long-expired entries), write back on the condition that
   * nobody wrote in between, and retry if somebody did, so concurrent revocations never lose each other.
   */
  async put(key: RevocationKey, record: RevocationRecord): Promise<PutOutcome> {
    if (!record.sub) throw new Error('a revocation without its user cannot be stored'); // fail closed
    const pk = revocationKey.user(record.sub);
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const output = await this.documents.send(
        new GetCommand({ TableName: this.tableName, Key: { [PK]: pk }, ConsistentRead: true }),
      );
      const current = output.Item ? toUserItem(output.Item) : undefined;
      const next = merge(current, key, record);
      if (next === 'superseded') return next;
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { [PK]: pk, ...next, [TTL]: latestExpiry(next) },
            ...writeCondition(current),
          }),
        );
        return 'stored';
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt)); // lost a race: re-read
      }
    }
    throw new Error('revocation not stored: too many concurrent writers');
  }
}

/** The deny-list partition key that may revoke a token: its user's item (it holds the token and session entries). */
export function revocationKeysOf(claims: Pick<AccessClaims, 'sub'>): string[] {
  return [revocationKey.user(claims.sub)];
}

/**
 * The entries of a user item that may revoke this token: its jti's, its session's and the user watermark. Throws on
 * data it does not understand (fail closed).
 */
export function recordsFor(
  item: Record<string, unknown> | undefined,
  claims: Pick<AccessClaims, 'jti' | 'originJti' | 'sub'>,
): RevocationRecord[] {
  if (!item) return [];
  const user = toUserItem(item);
  if (user.sub !== claims.sub) throw new Error('unreadable revocation item'); // another user's item: never guess
  const records: RevocationRecord[] = [];
  const token = user.tokens[claims.jti];
  if (token) records.push({ scope: 'token', sub: user.sub, ...token });
  const session = claims.originJti ? user.sessions[claims.originJti] : undefined;
  if (session) records.push({ scope: 'session', sub: user.sub, ...session });
  if (user.user) records.push({ scope: 'user', sub: user.sub, ...user.user });
  return records;
}

/** The item after adding one entry, or `superseded` when an equal or later user watermark already stands. */
function merge(
  current: UserItem | undefined,
  key: RevocationKey,
  record: RevocationRecord,
): UserItem | 'superseded' {
  const entry: StoredEntry = {
    revokedAt: record.revokedAt,
    expiresAt: record.expiresAt,
    ...(record.notBefore === undefined ? {} : { notBefore: record.notBefore }),
    reason: record.reason,
    actor: record.actor,
  };
  const pruneBefore = record.revokedAt - PRUNE_GRACE_SECONDS;
  const base: UserItem = {
    sub: record.sub,
    version: (current?.version ?? 0) + 1,
    ...(current?.user && current.user.expiresAt >= pruneBefore ? { user: current.user } : {}),
    tokens: live(current?.tokens ?? {}, pruneBefore),
    sessions: live(current?.sessions ?? {}, pruneBefore),
  };
  switch (key.scope) {
    case 'token':
      return { ...base, tokens: { ...base.tokens, [key.jti]: entry } };
    case 'session':
      return { ...base, sessions: { ...base.sessions, [key.sessionId]: entry } };
    case 'user': {
      // A watermark only moves forward: an event delivered late must not re-validate tokens a later one revoked.
      const standing = current?.user?.notBefore;
      if (standing !== undefined && record.notBefore !== undefined && standing >= record.notBefore) {
        return 'superseded';
      }
      return { ...base, user: entry };
    }
  }
}

/** Nobody wrote since `current` was read: the same version, or still no item / still the pre-version layout. */
function writeCondition(
  current: UserItem | undefined,
): Pick<PutCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
  if (!current) {
    return { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } };
  }
  return current.version === 0
    ? {
        ConditionExpression: 'attribute_not_exists(#version)',
        ExpressionAttributeNames: { '#version': 'version' },
      }
    : {
        ConditionExpression: '#version = :version',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':version': current.version },
      };
}

function live(
  entries: Readonly<Record<string, StoredEntry>>,
  pruneBefore: number,
): Record<string, StoredEntry> {
  return Object.fromEntries(Object.entries(entries).filter(([, e]) => e.expiresAt >= pruneBefore));
}

/** TTL of the whole item: the latest expiry of anything it holds (plus the grace), so no live entry is deleted. */
function latestExpiry(item: UserItem): number {
  const all = [item.user, ...Object.values(item.tokens), ...Object.values(item.sessions)];
  return Math.max(...all.map((e) => e?.expiresAt ?? 0)) + PRUNE_GRACE_SECONDS;
}

function toUserItem(item: Record<string, unknown>): UserItem {
  if (item.version === undefined && item.scope === 'user' && typeof item.sub === 'string') {
    // A watermark stored before one item per user (version 0): still applies, and the next write upgrades it.
    return { sub: item.sub, version: 0, user: toEntry(item), tokens: {}, sessions: {} };
  }
  if (typeof item.sub !== 'string' || typeof item.version !== 'number') {
    throw new Error('unreadable revocation item'); // fail closed on data we do not understand
  }
  return {
    sub: item.sub,
    version: item.version,
    ...(item.user === undefined ? {} : { user: toEntry(item.user) }),
    tokens: toEntries(item.tokens),
    sessions: toEntries(item.sessions),
  };
}

function toEntries(value: unknown): Record<string, StoredEntry> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) throw new Error('unreadable revocation item');
  return Object.fromEntries(Object.entries(value).map(([id, entry]) => [id, toEntry(entry)]));
}

function toEntry(value: unknown): StoredEntry {
  const entry = value as Record<string, unknown> | null;
  if (typeof entry !== 'object' || entry === null || typeof entry.expiresAt !== 'number') {
    throw new Error('unreadable revocation item');
  }
  return {
    revokedAt: Number(entry.revokedAt),
    expiresAt: entry.expiresAt,
    ...(typeof entry.notBefore === 'number' ? { notBefore: entry.notBefore } : {}),
    reason: text(entry.reason),
    actor: text(entry.actor),
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
