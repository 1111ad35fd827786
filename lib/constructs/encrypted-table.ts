// One way to create the app's tables: keys from the shared schema, CMK with rotation, TTL, PITR, GSIs, on-demand.
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { TableSchema } from '../../lambdas/shared/table-schemas';

export interface EncryptedTableOptions {
  /** Keys, TTL attribute and indexes, from `lambdas/shared/table-schemas.ts`. */
  readonly schema: TableSchema;
  /** What the table holds, for the key's description. */
  readonly purpose: string;
  readonly removalPolicy: RemovalPolicy;
  /** Construct id of the table (the key is `Key`). @default 'Table' */
  readonly tableId?: string;
}

/** Creates a customer-managed key and a table encrypted with it as children of `scope`. */
export function createEncryptedTable(
  scope: Construct,
  options: EncryptedTableOptions,
): { table: dynamodb.Table; key: kms.Key } {
  const { schema, removalPolicy } = options;
  const key = new kms.Key(scope, 'Key', {
    description: `Encrypts the cognito-guard ${options.purpose} table`,
    enableKeyRotation: true,
    removalPolicy,
  });
  const attribute = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
  // Classic Table: TableV2 with a customer-managed key needs a concrete stack region.
  const table = new dynamodb.Table(scope, options.tableId ?? 'Table', {
    partitionKey: attribute(schema.partitionKey),
    ...(schema.sortKey ? { sortKey: attribute(schema.sortKey) } : {}),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    ...(schema.ttlAttribute ? { timeToLiveAttribute: schema.ttlAttribute } : {}),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy,
  });
  for (const index of schema.globalSecondaryIndexes ?? []) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }
  return { table, key };
}
