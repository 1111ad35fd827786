// The deny-list table (ARCHITECTURE §3): CMK-encrypted, TTL-expired, point-in-time recoverable, retained.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { RevocationTableSchema } from '../../lambdas/shared/table-schemas';
import { createEncryptedTable } from './encrypted-table';

export interface RevocationStoreProps {
  /** What happens to the table and its key when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class RevocationStore extends Construct {
  public readonly table: dynamodb.ITable;
  public readonly key: kms.IKey;
  private readonly grants: dynamodb.TableGrants;

  constructor(scope: Construct, id: string, props: RevocationStoreProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const { table, key } = createEncryptedTable(this, {
      schema: RevocationTableSchema,
      purpose: 'revocation',
      removalPolicy,
    });
    this.key = key;
    this.table = table;
    this.grants = table.grants;
  }

  /** Read access for the authorizer: the one BatchGetItem (and GetItem) plus decryption; nothing else. */
  public grantCheck(grantee: iam.IGrantable): void {
    this.grants.actions(grantee, 'dynamodb:BatchGetItem', 'dynamodb:GetItem');
    this.key.grant(grantee, 'kms:Decrypt');
  }

  /**
   * Write access for the revocation service: update one entry of a user's item at a time (never a whole-item put),
   * and read the item back after a failed condition.
   */
  public grantRevoke(grantee: iam.IGrantable): void {
    this.grants.actions(grantee, 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem', 'dynamodb:GetItem');
    this.key.grant(grantee, 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey');
  }
}
