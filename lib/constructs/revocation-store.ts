// The deny-list table (ARCHITECTURE §3): CMK-encrypted, TTL-expired, point-in-time recoverable, retained, migrated.
import * as path from 'node:path';
import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import {
  DENY_LIST_LAYOUT,
  PROOF_KEY_PREFIX,
  RevocationTableSchema,
} from '../../lambdas/shared/table-schemas';
import { createEncryptedTable } from './encrypted-table';
import { NodeFunction } from './node-function';

/** The custom resource's function: moves older deny-list layouts into the current one. */
export const MIGRATION_ENTRY = path.join(__dirname, '..', '..', 'lambdas', 'migrate', 'handler.ts');

export interface RevocationStoreProps {
  /** What happens to the table and its key when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Retention of the migration function's log group. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export class RevocationStore extends Construct {
  public readonly table: dynamodb.ITable;
  public readonly key: kms.IKey;
  /** The migration of older layouts; readers depend on it (see `readAfterMigration`). */
  public readonly migration: CustomResource;
  /** The function the migration runs (its log group is queried with the others). */
  public readonly migrator: NodeFunction;
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

    this.migrator = new NodeFunction(this, 'Migrator', {
      entry: MIGRATION_ENTRY,
      serviceName: 'deny-list-migrator',
      description:
        'Moves older deny-list layouts into the current one before the readers update (custom resource)',
      timeout: Duration.minutes(10),
      logRetention: props.logRetention,
    });
    const migrator = this.migrator;
    this.grants.actions(
      migrator,
      'dynamodb:Scan',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );
    key.grant(migrator, 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey');
    this.migration = new CustomResource(this, 'LayoutMigration', {
      serviceToken: migrator.function.functionArn,
      properties: { TableName: table.tableName, Layout: DENY_LIST_LAYOUT },
    });
  }

  /**
   * Upgrades never un-revoke: these functions are created or updated only after the table holds every older entry
   * in the current layout.
   */
  public readAfterMigration(...readers: IConstruct[]): void {
    for (const reader of readers) reader.node.addDependency(this.migration);
  }

  /** Read access for the authorizer: the one BatchGetItem (and GetItem) plus decryption; nothing else. */
  public grantCheck(grantee: iam.IGrantable): void {
    this.grants.actions(grantee, 'dynamodb:BatchGetItem', 'dynamodb:GetItem');
    this.key.grant(grantee, 'kms:Decrypt');
  }

  /**
   * Write access for the revocation service: update one entry of a user's item at a time (never a whole-item put),
   * and read items (refresh checks the deny-list too).
   */
  public grantRevoke(grantee: iam.IGrantable): void {
    this.grants.actions(grantee, 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem', 'dynamodb:GetItem');
    this.key.grant(grantee, 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey');
  }

  /**
   * The DPoP replay guard (`dpopReplayGuard: 'table'`): PutItem on used-proof items only (`proof#…`), never on a
   * user's deny-list item.
   */
  public grantProofRecord(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${PROOF_KEY_PREFIX}*`] } },
      }),
    );
    this.key.grant(grantee, 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey');
  }
}
