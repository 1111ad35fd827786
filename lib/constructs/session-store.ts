// The sessions table: one item per sign-in session (fingerprints, never tokens), by user via a GSI; CMK, TTL, PITR.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { SessionTableSchema } from '../../lambdas/shared/table-schemas';
import { createEncryptedTable } from './encrypted-table';

export interface SessionStoreProps {
  /** What happens to the table and its key when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class SessionStore extends Construct {
  public readonly table: dynamodb.ITable;
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: SessionStoreProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const { table, key } = createEncryptedTable(this, {
      schema: SessionTableSchema,
      purpose: 'sessions',
      removalPolicy,
    });
    this.key = key;
    this.table = table;
  }

  /**
   * What the session functions do: create, read and conditionally update items, query the by-user index (named,
   * not `index/*`); never delete, scan or query the base table.
   */
  public grantReadWrite(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
      resourceArns: [this.table.tableArn],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: SessionTableSchema.globalSecondaryIndexes.map(
        (index) => `${this.table.tableArn}/index/${index.indexName}`,
      ),
    });
    this.key.grant(grantee, 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey');
  }
}
