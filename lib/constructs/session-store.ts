// The sessions table (one item per sign-in session: fingerprints, never tokens; by user via a GSI; CMK, TTL, PITR)
// and the key material that seals the session cookies.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Validations } from 'aws-cdk-lib';
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
  /**
   * Key material for the sealed cookies (AES-256-GCM keys are derived from it). Rotate with PutSecretValue: the
   * auth function seals with AWSCURRENT and still opens values sealed with AWSPREVIOUS.
   */
  public readonly cookieKey: secretsmanager.ISecret;

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
    this.cookieKey = new secretsmanager.Secret(this, 'CookieKey', {
      description: 'Key material of the sealed session cookies (auth function only)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      encryptionKey: key,
      removalPolicy,
    });
    Validations.of(this.cookieKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotated by hand with PutSecretValue (AWSPREVIOUS keeps opening live cookies); a rotation Lambda would add nothing',
    });
  }

  /** Read the cookie key material (GetSecretValue for AWSCURRENT and AWSPREVIOUS, kms:Decrypt). */
  public grantReadCookieKey(grantee: iam.IGrantable): void {
    this.cookieKey.grantRead(grantee);
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
