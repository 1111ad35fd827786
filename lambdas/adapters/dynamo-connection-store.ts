// Connections over DynamoDB: socket rows, room member sets, and both ends read with their deny-list entries at once.

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient, QueryCommandInput, ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  ConnectionIndex,
  ConnectionTableSchema,
  RevocationTableSchema,
  roomKey,
} from '../shared/table-schemas';
import type {
  CheckedConnection,
  CheckedConnections,
  Connection,
  ConnectionStore,
  ConnectionToken,
  RoomAdd,
} from '../signaling/ports';
import { createDocumentClient, recordsFor, revocationKeysOf } from './dynamo-revocation-store';

const PK = ConnectionTableSchema.partitionKey;
const TTL = ConnectionTableSchema.ttlAttribute;
const REVOCATION_PK = RevocationTableSchema.partitionKey;

/** API Gateway closes every WebSocket after 2 hours; rows outlive that by a margin, then TTL drops them. */
const ROW_LIFETIME_SECONDS = 2 * 3600 + 300;
/** BatchGetItem reads at most 100 items per call. */
const BATCH_LIMIT = 100;

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
    try {
      const output = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PK]: roomKey(room) },
          UpdateExpression: 'ADD members :me SET #ttl = :ttl',
          // The size limit is checked in the same write that adds: concurrent joins cannot overfill the room.
          ConditionExpression:
            'attribute_not_exists(members) OR size(members) < :max OR contains(members, :id)',
          ExpressionAttributeNames: { '#ttl': TTL },
          ExpressionAttributeValues: {
            ':me': new Set([connectionId]),
            ':id': connectionId,
            ':max': maxMembers,
            ':ttl': Math.floor(Date.now() / 1000) + ROW_LIFETIME_SECONDS,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { members: members(output.Attributes) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'full';
      throw error;
    }
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
    const guessedKeys = guesses.every(Boolean) ? guesses.flatMap((g) => keysOf(g!)) : [];
    const first = await this.batchGet(
      ids.map((id) => ({ [PK]: id })),
      guessedKeys,
    );
    const rows = first.connections.map(toConnection);
    const entries = first.revocations;
    const unread = rows.filter(
      (row) => !guessedKeys.length || !sameKeys(row, this.remembered.get(row.connectionId)),
    );
    for (const row of rows) this.remember(row);
    if (unread.length > 0) {
      for (const [pk, record] of await this.entriesFor(unread)) entries.set(pk, record);
    }
    return new Map(rows.map((row) => [row.connectionId, checked(row, entries)]));
  }

  async all(): Promise<readonly CheckedConnection[]> {
    const input: ScanCommandInput = {
      TableName: this.connectionsTable,
      FilterExpression: 'attribute_exists(tokenExp)', // rows, not room items
      ConsistentRead: true,
    };
    const rows: Connection[] = [];
    do {
      const page = await this.documents.send(new ScanCommand(input));
      rows.push(...(page.Items ?? []).map(toConnection));
      input.ExclusiveStartKey = page.LastEvaluatedKey;
    } while (input.ExclusiveStartKey);
    const entries = await this.entriesFor(rows);
    return rows.map((row) => checked(row, entries));
  }

  private async entriesFor(rows: readonly Connection[]): Promise<Map<string, RevocationItem>> {
    const keys = [...new Set(rows.flatMap(keysOf))];
    const entries = new Map<string, RevocationItem>();
    for (let i = 0; i < keys.length; i += BATCH_LIMIT) {
      const { revocations } = await this.batchGet([], keys.slice(i, i + BATCH_LIMIT));
      for (const [pk, record] of revocations) entries.set(pk, record);
    }
    return entries;
  }

  /** One BatchGetItem across both tables, both strongly consistent; an incomplete answer fails closed. */
  private async batchGet(
    connectionKeys: readonly Record<string, string>[],
    revocationPks: readonly string[],
  ): Promise<{ connections: Record<string, unknown>[]; revocations: Map<string, RevocationItem> }> {
    const requests: Record<string, { Keys: Record<string, string>[]; ConsistentRead: true }> = {};
    if (connectionKeys.length)
      requests[this.connectionsTable] = { Keys: [...connectionKeys], ConsistentRead: true };
    if (revocationPks.length) {
      requests[this.revocationTable] = {
        Keys: revocationPks.map((pk) => ({ [REVOCATION_PK]: pk })),
        ConsistentRead: true,
      };
    }
    const output = await this.documents.send(new BatchGetCommand({ RequestItems: requests }));
    const unprocessed = Object.values(output.UnprocessedKeys ?? {}).some((k) => (k.Keys?.length ?? 0) > 0);
    if (unprocessed) throw new Error('connection check incomplete'); // fail closed rather than guess
    const revocations = new Map<string, RevocationItem>();
    for (const item of output.Responses?.[this.revocationTable] ?? []) {
      revocations.set(String(item[REVOCATION_PK]), item);
    }
    return { connections: output.Responses?.[this.connectionsTable] ?? [], revocations };
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
