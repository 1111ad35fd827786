// Connections over DynamoDB: socket rows, room member sets, and both ends read with their deny-list entries at once.

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient, QueryCommandInput, ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  ConnectionIndex,
  ConnectionTableSchema,
  RevocationTableSchema,
  roomKey,
  userSocketsKey,
} from '../shared/table-schemas';
import type {
  CheckedConnection,
  CheckedConnections,
  Connection,
  ConnectionStore,
  ConnectionToken,
  RoomAdd,
  SweepRead,
} from '../signaling/ports';
import type { BatchGetResult } from './dynamo-batch-get';
import { batchGetAll } from './dynamo-batch-get';
import { createDocumentClient, recordsFor, revocationKeysOf } from './dynamo-revocation-store';

const PK = ConnectionTableSchema.partitionKey;
const TTL = ConnectionTableSchema.ttlAttribute;
const REVOCATION_PK = RevocationTableSchema.partitionKey;

/** API Gateway closes every WebSocket after 2 hours; rows outlive that by a margin, then TTL drops them. */
const ROW_LIFETIME_SECONDS = 2 * 3600 + 300;

export class DynamoConnectionStore implements ConnectionStore {
  constructor(
    private readonly tableName: string,
    private readonly documents: DynamoDBDocumentClient = createDocumentClient(),
  ) {}

  async put(connection: Connection): Promise<void> {
    const item = { ...connection, [TTL]: connection.connectedAt + ROW_LIFETIME_SECONDS };
    await this.documents.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  async delete(connectionId: string): Promise<Connection | undefined> {
    const output = await this.documents.send(
      new DeleteCommand({ TableName: this.tableName, Key: { [PK]: connectionId }, ReturnValues: 'ALL_OLD' }),
    );
    return output.Attributes ? toConnection(output.Attributes) : undefined;
  }

  async setRoom(connectionId: string, room: string | undefined): Promise<boolean> {
    return this.updateExisting(
      connectionId,
      room === undefined
        ? { UpdateExpression: 'REMOVE room' }
        : { UpdateExpression: 'SET room = :room', ExpressionAttributeValues: { ':room': room } },
    );
  }

  async updateToken(connectionId: string, token: ConnectionToken): Promise<boolean> {
    const set = ['jti = :jti', 'tokenExp = :exp', 'tokenIat = :iat', '#groups = :groups'];
    const remove: string[] = [];
    const values: Record<string, unknown> = {
      ':jti': token.jti,
      ':exp': token.tokenExp,
      ':iat': token.tokenIat,
      ':groups': token.groups,
    };
    for (const [attribute, value] of [
      ['sessionId', token.sessionId],
      ['authTime', token.authTime],
    ] as const) {
      if (value === undefined) remove.push(attribute);
      else {
        set.push(`${attribute} = :${attribute}`);
        values[`:${attribute}`] = value;
      }
    }
    return this.updateExisting(connectionId, {
      UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ExpressionAttributeValues: values,
      ExpressionAttributeNames: { '#groups': 'groups' },
    });
  }

  async addMember(room: string, connectionId: string, maxMembers: number): Promise<RoomAdd> {
    const added = await this.addCapped(roomKey(room), connectionId, maxMembers);
    return added ? { members: members(added) } : 'full';
  }

  async removeMember(room: string, connectionId: string): Promise<readonly string[]> {
    const output = await this.documents
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PK]: roomKey(room) },
          UpdateExpression: 'DELETE members :me',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
          ExpressionAttributeValues: { ':me': new Set([connectionId]) },
          ReturnValues: 'ALL_NEW',
        }),
      )
      .catch((error: unknown) => {
        if (error instanceof ConditionalCheckFailedException) return { Attributes: undefined }; // no such room
        throw error;
      });
    return members(output.Attributes);
  }

  async claimUserSocket(sub: string, connectionId: string, max: number): Promise<boolean> {
    if (await this.addToUserSockets(sub, connectionId, max)) return true;
    // Full: places of sockets whose `$disconnect` never arrived (their rows are gone) are given back, once.
    if (!(await this.releaseStale(sub))) return false;
    return this.addToUserSockets(sub, connectionId, max);
  }

  async releaseUserSocket(sub: string, connectionId: string): Promise<void> {
    await this.removeFromSet(userSocketsKey(sub), [connectionId]);
  }

  private async addToUserSockets(sub: string, connectionId: string, max: number): Promise<boolean> {
    return (await this.addCapped(userSocketsKey(sub), connectionId, max)) !== undefined;
  }

  /**
   * One conditional ADD to a member set (a room, a user's sockets): the cap is checked in the same write that adds, so
   * racing joins or connects cannot pass it; an id already in the set is added again without counting twice. The item
   * after the write, or undefined when the set is full.
   */
  private async addCapped(
    key: string,
    connectionId: string,
    max: number,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const output = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PK]: key },
          UpdateExpression: 'ADD members :me SET #ttl = :ttl',
          ConditionExpression:
            'attribute_not_exists(members) OR size(members) < :max OR contains(members, :id)',
          ExpressionAttributeNames: { '#ttl': TTL },
          ExpressionAttributeValues: {
            ':me': new Set([connectionId]),
            ':id': connectionId,
            ':max': max,
            ':ttl': Math.floor(Date.now() / 1000) + ROW_LIFETIME_SECONDS,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return output.Attributes ?? {};
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * Drops the user's counted sockets that have no row any more (a row is written before its socket is counted and
   * deleted before it is released, so a counted id without a row is a socket that is gone). True if any was dropped.
   */
  private async releaseStale(sub: string): Promise<boolean> {
    const set = complete(
      await batchGetAll(this.documents, [
        { table: this.tableName, keyAttribute: PK, keys: [userSocketsKey(sub)] },
      ]),
    );
    const counted = members(set.get(this.tableName)?.[0]);
    const read = await batchGetAll(this.documents, [
      { table: this.tableName, keyAttribute: PK, keys: counted },
    ]);
    const live = new Set((complete(read).get(this.tableName) ?? []).map((item) => String(item[PK])));
    const stale = counted.filter((id) => !live.has(id));
    if (stale.length === 0) return false;
    await this.removeFromSet(userSocketsKey(sub), stale);
    return true;
  }

  private async removeFromSet(key: string, ids: readonly string[]): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [PK]: key },
        UpdateExpression: 'DELETE members :ids',
        ExpressionAttributeValues: { ':ids': new Set(ids) },
      }),
    );
  }

  listBySub(sub: string): Promise<readonly Connection[]> {
    return this.query(ConnectionIndex.bySub, 'sub', sub);
  }

  listBySession(sessionId: string): Promise<readonly Connection[]> {
    return this.query(ConnectionIndex.bySession, 'sessionId', sessionId);
  }

  private async query(indexName: string, attribute: string, value: string): Promise<readonly Connection[]> {
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: indexName,
      KeyConditionExpression: '#k = :v',
      ExpressionAttributeNames: { '#k': attribute },
      ExpressionAttributeValues: { ':v': value },
    };
    const found: Connection[] = [];
    do {
      const page = await this.documents.send(new QueryCommand(input));
      found.push(...(page.Items ?? []).map(toConnection));
      input.ExclusiveStartKey = page.LastEvaluatedKey;
    } while (input.ExclusiveStartKey);
    return found;
  }

  /** An update that never recreates a row deleted by `$disconnect` meanwhile. */
  private async updateExisting(
    connectionId: string,
    update: {
      UpdateExpression: string;
      ExpressionAttributeValues?: Record<string, unknown>;
      ExpressionAttributeNames?: Record<string, string>;
    },
  ): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PK]: connectionId },
          ConditionExpression: 'attribute_exists(#pk)',
          ...update,
          ExpressionAttributeNames: { '#pk': PK, ...update.ExpressionAttributeNames },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/** The token keys a connection's deny-list entries live under. */
type TokenKeys = Pick<Connection, 'sub' | 'jti' | 'sessionId'>;

/** Instances remember this many connections' token keys (a Map keeps insertion order: the oldest go first). */
const MAX_REMEMBERED = 10_000;

/**
 * CheckedConnections over the connections and revocation tables. It remembers each connection's token keys from the
 * rows it has read, so the next read asks for the rows *and* their users' deny-list items (one per user, holding the
 * jti and session entries too) in one BatchGetItem; a row never seen (or of another user) costs a second read for
 * the right items. Either way every decision rests on the rows and entries as stored, read strongly consistent.
 */
export class DynamoCheckedConnections implements CheckedConnections {
  private readonly remembered = new Map<string, TokenKeys>();

  constructor(
    private readonly connectionsTable: string,
    private readonly revocationTable: string,
    private readonly documents: DynamoDBDocumentClient = createDocumentClient(),
  ) {}

  /** Learns a connection's token keys without a read (e.g. at `$connect`, from the row just written). */
  remember(connection: TokenKeys & Pick<Connection, 'connectionId'>): void {
    this.remembered.delete(connection.connectionId);
    this.remembered.set(connection.connectionId, {
      sub: connection.sub,
      jti: connection.jti,
      ...(connection.sessionId ? { sessionId: connection.sessionId } : {}),
    });
    if (this.remembered.size > MAX_REMEMBERED) this.remembered.delete(this.remembered.keys().next().value!);
  }

  async get(connectionIds: readonly string[]): Promise<ReadonlyMap<string, CheckedConnection>> {
    const ids = [...new Set(connectionIds)];
    const guesses = ids.map((id) => this.remembered.get(id));
    // Several sockets of one user share one deny-list item: batchGetAll asks for each key once.
    const guessedKeys = guesses.every(Boolean) ? guesses.flatMap((g) => keysOf(g!)) : [];
    const first = complete(
      await batchGetAll(this.documents, [
        { table: this.connectionsTable, keyAttribute: PK, keys: ids },
        { table: this.revocationTable, keyAttribute: REVOCATION_PK, keys: guessedKeys },
      ]),
    );
    const rows = (first.get(this.connectionsTable) ?? []).map(toConnection);
    const entries = byKey(first.get(this.revocationTable));
    const unread = rows.filter(
      (row) => !guessedKeys.length || !sameKeys(row, this.remembered.get(row.connectionId)),
    );
    for (const row of rows) this.remember(row);
    if (unread.length > 0) {
      const more = complete(await this.entriesFor(unread));
      for (const [pk, record] of byKey(more.get(this.revocationTable))) entries.set(pk, record);
    }
    return new Map(rows.map((row) => [row.connectionId, checked(row, entries)]));
  }

  /**
   * Every open connection with its entries. One unreadable row or deny-list item, or keys DynamoDB still leaves
   * unprocessed after the retries (e.g. responses over 16 MB), skip only those rows: they are counted in `skipped`
   * and checked at their next frame or the next run.
   */
  async all(): Promise<SweepRead> {
    const input: ScanCommandInput = {
      TableName: this.connectionsTable,
      FilterExpression: 'attribute_exists(tokenExp)', // rows, not room or socket-count items
      ConsistentRead: true,
    };
    const rows: Connection[] = [];
    let skipped = 0;
    do {
      const page = await this.documents.send(new ScanCommand(input));
      for (const item of page.Items ?? []) {
        const row = readable(() => toConnection(item));
        if (row) rows.push(row);
        else skipped++;
      }
      input.ExclusiveStartKey = page.LastEvaluatedKey;
    } while (input.ExclusiveStartKey);
    const read = await this.entriesFor(rows);
    const missing = new Set(read.unprocessed.get(this.revocationTable) ?? []);
    const entries = byKey(read.items.get(this.revocationTable));
    const result: CheckedConnection[] = [];
    for (const row of rows) {
      const one = keysOf(row).some((pk) => missing.has(pk))
        ? undefined
        : readable(() => checked(row, entries));
      if (one) result.push(one);
      else skipped++;
    }
    return { checked: result, skipped };
  }

  private entriesFor(rows: readonly Connection[]): Promise<BatchGetResult> {
    return batchGetAll(this.documents, [
      { table: this.revocationTable, keyAttribute: REVOCATION_PK, keys: rows.flatMap(keysOf) },
    ]);
  }
}

/** The items of a read that must be complete (a decision rests on it): anything unprocessed fails closed. */
function complete(read: BatchGetResult): ReadonlyMap<string, readonly Record<string, unknown>[]> {
  if (read.unprocessed.size > 0) throw new Error('connection check incomplete'); // fail closed rather than guess
  return read.items;
}

function byKey(items: readonly Record<string, unknown>[] | undefined): Map<string, RevocationItem> {
  return new Map((items ?? []).map((item) => [String(item[REVOCATION_PK]), item]));
}

/** The value, or undefined when the data cannot be understood (the sweep skips it; decisions never do). */
function readable<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** A stored deny-list item (one per user), read raw and turned into the records of one token by `recordsFor`. */
type RevocationItem = Record<string, unknown>;

function keysOf(token: TokenKeys): string[] {
  return revocationKeysOf({ sub: token.sub });
}

/** The guess read the right deny-list item: it is keyed on the user alone (its entries cover every jti and session). */
function sameKeys(row: TokenKeys, guess: TokenKeys | undefined): boolean {
  return !!guess && guess.sub === row.sub;
}

function checked(row: Connection, entries: ReadonlyMap<string, RevocationItem>): CheckedConnection {
  const claims = { jti: row.jti, sub: row.sub, originJti: row.sessionId };
  return {
    connection: row,
    revocations: keysOf(row).flatMap((pk) => recordsFor(entries.get(pk), claims)),
  };
}

function members(item: Record<string, unknown> | undefined): readonly string[] {
  const set = item?.members;
  return set instanceof Set ? [...(set as Set<string>)] : [];
}

function toConnection(item: Record<string, unknown>): Connection {
  const { connectionId, sub, username, displayName, groups, sessionId, jti, tokenExp, tokenIat, authTime } =
    item;
  if (
    typeof connectionId !== 'string' ||
    typeof sub !== 'string' ||
    typeof jti !== 'string' ||
    typeof tokenExp !== 'number' ||
    typeof tokenIat !== 'number'
  ) {
    throw new Error('unreadable connection item'); // fail closed on data we do not understand
  }
  return {
    connectionId,
    sub,
    username: typeof username === 'string' ? username : sub,
    ...(typeof displayName === 'string' ? { displayName } : {}),
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    ...(typeof sessionId === 'string' ? { sessionId } : {}),
    jti,
    tokenExp,
    tokenIat,
    ...(typeof authTime === 'number' ? { authTime } : {}),
    connectedAt: Number(item.connectedAt),
    ...(typeof item.room === 'string' ? { room: item.room } : {}),
  };
}
