// ProofReplayGuard over DynamoDB: one conditional PutItem per proof, so a replay is refused whichever instance it reaches.

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ProofReplayGuard, ReplayGuardKind } from '../shared/dpop';
import type { Clock } from '../shared/ports';
import { type ProofChecker, RevocationTableSchema, revocationKey } from '../shared/table-schemas';
import { createDocumentClient } from './dynamo-revocation-store';
import { MemoryReplayGuard } from './memory-replay-guard';

const PK = RevocationTableSchema.partitionKey;
const TTL = RevocationTableSchema.ttlAttribute;

/**
 * Writes `proof#<checker>#<jkt>#<jti>` unless it exists and is still inside its window (TTL deletes lazily, so an
 * item past its `expiresAt` counts as gone). One write unit per proof, never a read; an outage throws (the proof
 * check then fails closed).
 */
export class DynamoReplayGuard implements ProofReplayGuard {
  constructor(
    private readonly tableName: string,
    private readonly checker: ProofChecker,
    private readonly clock: Clock,
    private readonly documents: DynamoDBDocumentClient = createDocumentClient(),
  ) {}

  async firstUse(jkt: string, jti: string, expiresAtSeconds: number): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { [PK]: revocationKey.proof(this.checker, jkt, jti), [TTL]: expiresAtSeconds },
          ConditionExpression: 'attribute_not_exists(#pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#pk': PK, '#ttl': TTL },
          ExpressionAttributeValues: { ':now': this.clock.nowSeconds() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/** The guard a stage chose (`dpopReplayGuard`), for one checker of proofs. */
export function buildReplayGuard(
  kind: ReplayGuardKind,
  tableName: string,
  checker: ProofChecker,
  clock: Clock,
): ProofReplayGuard {
  return kind === 'table' ? new DynamoReplayGuard(tableName, checker, clock) : new MemoryReplayGuard(clock);
}
