// ConnectionStore over DynamoDB: one item per open socket, GSIs by sub / session / room, TTL for lost disconnects.

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient, QueryCommandInput, ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Connection, ConnectionStore, ConnectionToken } from '../signaling/ports';
import { ConnectionIndex, ConnectionTableSchema } from '../shared/table-schemas';
import { createDocumentClient } from './dynamo-revocation-store';

const PK = ConnectionTableSchema.partitionKey;
const TTL = ConnectionTableSchema.ttlAttribute;

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

  async get(connectionId: string): Promise<Connection | undefined> {
    const output = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { [PK]: connectionId }, ConsistentRead: true }),
    );
    return output.Item ? toConnection(output.Item) : undefined;
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
    const values = { ':jti': token.jti, ':exp': token.tokenExp, ':iat': token.tokenIat };
    return this.updateExisting(
      connectionId,
      token.sessionId === undefined
        ? {
            UpdateExpression: 'SET jti = :jti, tokenExp = :exp, tokenIat = :iat REMOVE sessionId',
            ExpressionAttributeValues: values,
          }
        : {
            UpdateExpression: 'SET jti = :jti, tokenExp = :exp, tokenIat = :iat, sessionId = :sid',
            ExpressionAttributeValues: { ...values, ':sid': token.sessionId },
          },
    );
  }

  listRoom(room: string): Promise<readonly Connection[]> {
    return this.query(ConnectionIndex.byRoom, 'room', room);
  }

  listBySub(sub: string): Promise<readonly Connection[]> {
    return this.query(ConnectionIndex.bySub, 'sub', sub);
  }

  listBySession(sessionId: string): Promise<readonly Connection[]> {
    return this.query(ConnectionIndex.bySession, 'sessionId', sessionId);
  }

  /** A scan: the sweep runs once a minute over a table of open sockets only. */
  async listExpired(nowSeconds: number): Promise<readonly Connection[]> {
    const input: ScanCommandInput = {
      TableName: this.tableName,
      FilterExpression: 'tokenExp <= :now',
      ExpressionAttributeValues: { ':now': nowSeconds },
    };
    const found: Connection[] = [];
    do {
      const page = await this.documents.send(new ScanCommand(input));
      found.push(...(page.Items ?? []).map(toConnection));
      input.ExclusiveStartKey = page.LastEvaluatedKey;
    } while (input.ExclusiveStartKey);
    return found;
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
    update: { UpdateExpression: string; ExpressionAttributeValues?: Record<string, unknown> },
  ): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PK]: connectionId },
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
          ...update,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function toConnection(item: Record<string, unknown>): Connection {
  const { connectionId, sub, username, sessionId, jti, tokenExp, tokenIat, connectedAt, room } = item;
  if (typeof connectionId !== 'string' || typeof sub !== 'string' || typeof jti !== 'string') {
    throw new Error('unreadable connection item');
  }
  return {
    connectionId,
    sub,
    username: typeof username === 'string' ? username : sub,
    ...(typeof sessionId === 'string' ? { sessionId } : {}),
    jti,
    tokenExp: Number(tokenExp),
    tokenIat: Number(tokenIat),
    connectedAt: Number(connectedAt),
    ...(typeof room === 'string' ? { room } : {}),
  };
}
