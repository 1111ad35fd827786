// RevocationReader/Writer over DynamoDB: one consistent BatchGetItem per check; items keyed on claims, never token bytes.

import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AccessClaims } from '../shared/claims';
import type {
  PutOutcome,
  RevocationKey,
  RevocationReader,
  RevocationRecord,
  RevocationWriter,
} from '../shared/ports';
import type { RevocationScope } from '../shared/reasons';
import { REVOCATION_SCOPES } from '../shared/reasons';
import { RevocationTableSchema, revocationKey } from '../shared/table-schemas';

const PK = RevocationTableSchema.partitionKey;

/** A DynamoDB document client with short timeouts: an unreachable store must fail closed quickly. */
export function createDocumentClient(): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 500, requestTimeout: 1500 },
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function partitionKeyOf(key: RevocationKey): string {
  switch (key.scope) {
    case 'token':
      return revocationKey.token(key.jti);
    case 'session':
      return revocationKey.session(key.sessionId);
    case 'user':
      return revocationKey.user(key.sub);
  }
}

export class DynamoRevocationStore implements RevocationReader, RevocationWriter {
  constructor(
    private readonly tableName: string,
    private readonly documents: DynamoDBDocumentClient = createDocumentClient(),
  ) {}

  async lookup(
    claims: Pick<AccessClaims, 'jti' | 'originJti' | 'sub'>,
  ): Promise<readonly RevocationRecord[]> {
    const keys = revocationKeysOf(claims);
    const output = await this.documents.send(
      new BatchGetCommand({
        RequestItems: {
          // Consistent read: a revocation written a moment ago must apply to the very next request.
          [this.tableName]: { Keys: keys.map((pk) => ({ [PK]: pk })), ConsistentRead: true },
        },
      }),
    );
    const unprocessed = output.UnprocessedKeys?.[this.tableName]?.Keys?.length ?? 0;
    if (unprocessed > 0) throw new Error('revocation lookup incomplete'); // fail closed rather than guess
    return (output.Responses?.[this.tableName] ?? []).map(toRecord);
  }

  async put(key: RevocationKey, record: RevocationRecord): Promise<PutOutcome> {
    const item = { [PK]: partitionKeyOf(key), ...record };
    if (record.notBefore === undefined) {
      await this.documents.send(new PutCommand({ TableName: this.tableName, Item: item }));
      return 'stored';
    }
    try {
      // A watermark only moves forward: an event delivered late must not re-validate tokens a later one revoked.
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#notBefore) OR #notBefore < :notBefore',
          ExpressionAttributeNames: { '#notBefore': 'notBefore' },
          ExpressionAttributeValues: { ':notBefore': record.notBefore },
        }),
      );
      return 'stored';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'superseded';
      throw error;
    }
  }
}

/** The deny-list partition keys that may revoke a token: its jti, its user and, when it has one, its session. */
export function revocationKeysOf(claims: Pick<AccessClaims, 'jti' | 'originJti' | 'sub'>): string[] {
  const keys = [revocationKey.token(claims.jti), revocationKey.user(claims.sub)];
  if (claims.originJti) keys.push(revocationKey.session(claims.originJti));
  return keys;
}

/** A stored deny-list item as a record; throws on data it does not understand (fail closed). */
export function toRecord(item: Record<string, unknown>): RevocationRecord {
  const scope = item.scope as RevocationScope;
  if (!REVOCATION_SCOPES.includes(scope) || typeof item.expiresAt !== 'number') {
    throw new Error('unreadable revocation item'); // fail closed on data we do not understand
  }
  return {
    scope,
    sub: text(item.sub),
    revokedAt: Number(item.revokedAt),
    expiresAt: item.expiresAt,
    ...(typeof item.notBefore === 'number' ? { notBefore: item.notBefore } : {}),
    reason: text(item.reason),
    actor: text(item.actor),
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
