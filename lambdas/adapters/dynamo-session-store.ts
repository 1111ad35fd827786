// SessionStore over DynamoDB: one item per session, conditional writes so a revocation always wins over a refresh.

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SessionRecord, SessionRefresh, SessionRevocation, SessionStore } from '../sessions/ports';
import { SessionTableSchema } from '../shared/table-schemas';
import { createDocumentClient } from './dynamo-revocation-store';

const PK = SessionTableSchema.partitionKey;
const [BY_SUB] = SessionTableSchema.globalSecondaryIndexes;

export class DynamoSessionStore implements SessionStore {
  constructor(
    private readonly tableName: string,
    private readonly documents: DynamoDBDocumentClient = createDocumentClient(),
  ) {}

  async create(record: SessionRecord): Promise<boolean> {
    return conditional(
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...record },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      ),
    );
  }

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const output = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { [PK]: sessionId }, ConsistentRead: true }),
    );
    return output.Item ? toRecord(output.Item) : undefined;
  }

  async listBySub(sub: string): Promise<readonly SessionRecord[]> {
    const records: SessionRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: BY_SUB.indexName,
          KeyConditionExpression: '#sub = :sub',
          ExpressionAttributeNames: { '#sub': BY_SUB.partitionKey },
          ExpressionAttributeValues: { ':sub': sub },
          ExclusiveStartKey: startKey,
        }),
      );
      records.push(...(page.Items ?? []).map(toRecord));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }

  async refresh(sessionId: string, expected: string, change: SessionRefresh): Promise<boolean> {
    const device = deviceUpdate(change);
    return conditional(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PK]: sessionId },
          UpdateExpression: `SET refreshFingerprint = :next, rotated = :rotated, latestJti = :jti, latestJtiExpiresAt = :exp, refreshedAt = :at${device.set}`,
          ConditionExpression: '#status = :active AND refreshFingerprint = :expected',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':next': change.refreshFingerprint,
            ':rotated': change.rotated,
            ':jti': change.latestJti,
            ':exp': change.latestJtiExpiresAt,
            ':at': change.refreshedAt,
            ':active': 'active',
            ':expected': expected,
            ...device.values,
          },
        }),
      ),
    );
  }

  async markRevoked(sessionId: string, revocation: SessionRevocation): Promise<boolean> {
    return conditional(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PK]: sessionId },
          // The first revocation's who/why/when is kept; revoking again is a no-op.
          UpdateExpression:
            'SET #status = :revoked, revokedAt = if_not_exists(revokedAt, :at), revokedBy = if_not_exists(revokedBy, :by), revokedReason = if_not_exists(revokedReason, :reason)',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#status': 'status', '#pk': PK },
          ExpressionAttributeValues: {
            ':revoked': 'revoked',
            ':at': revocation.revokedAt,
            ':by': revocation.revokedBy,
            ':reason': revocation.revokedReason,
          },
        }),
      ),
    );
  }
}

/** `, userAgent = :ua, ip = :ip` for the device facts the refresh knows (unknown ones keep their value). */
function deviceUpdate(change: SessionRefresh): { set: string; values: Record<string, string> } {
  const facts = { userAgent: change.userAgent, ip: change.ip };
  const known = Object.entries(facts).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return {
    set: known.map(([name]) => `, ${name} = :${name}`).join(''),
    values: Object.fromEntries(known.map(([name, value]) => [`:${name}`, value])),
  };
}

/** true when the write happened, false when its condition failed; other errors propagate. */
async function conditional(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Validates a stored item; throws on data it does not understand (fail closed). */
function toRecord(item: Record<string, unknown>): SessionRecord {
  const text = (name: string): string => {
    const value = item[name];
    if (typeof value !== 'string') throw new Error(`unreadable session item: ${name}`);
    return value;
  };
  const num = (name: string): number => {
    const value = item[name];
    if (typeof value !== 'number') throw new Error(`unreadable session item: ${name}`);
    return value;
  };
  const status = text('status');
  const source = text('sessionIdSource');
  if ((status !== 'active' && status !== 'revoked') || (source !== 'origin_jti' && source !== 'server')) {
    throw new Error('unreadable session item: status');
  }
  const rotated = Array.isArray(item.rotated) ? (item.rotated as unknown[]) : [];
  return {
    sessionId: text(PK),
    sessionIdSource: source,
    sub: text('sub'),
    username: text('username'),
    createdAt: num('createdAt'),
    ...(typeof item.authTime === 'number' ? { authTime: item.authTime } : {}),
    refreshedAt: num('refreshedAt'),
    refreshFingerprint: text('refreshFingerprint'),
    rotated: rotated.map((entry) => {
      const { fingerprint, rotatedAt } = (entry ?? {}) as Record<string, unknown>;
      if (typeof fingerprint !== 'string' || typeof rotatedAt !== 'number') {
        throw new Error('unreadable session item: rotated');
      }
      return { fingerprint, rotatedAt };
    }),
    status,
    latestJti: text('latestJti'),
    latestJtiExpiresAt: num('latestJtiExpiresAt'),
    expiresAt: num('expiresAt'),
    ...(typeof item.revokedAt === 'number' ? { revokedAt: item.revokedAt } : {}),
    ...(typeof item.revokedBy === 'string' ? { revokedBy: item.revokedBy } : {}),
    ...(typeof item.revokedReason === 'string' ? { revokedReason: item.revokedReason } : {}),
    ...(typeof item.userAgent === 'string' ? { userAgent: item.userAgent } : {}),
    ...(typeof item.ip === 'string' ? { ip: item.ip } : {}),
    ...(typeof item.jkt === 'string' ? { jkt: item.jkt } : {}),
  };
}
