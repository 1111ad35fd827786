// RevocationStore grants: the checker may only read; the revoker may write entries; neither gets more.
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RevocationStore } from '../../lib/constructs/revocation-store';
import { DENY_LIST_LAYOUT } from '../../lambdas/shared/table-schemas';
import { testApp } from './test-app';

/** The statements granted to a fresh role, with the table and key ARNs shown as 'table' and 'key'. */
function statementsGranted(
  grant: (store: RevocationStore, role: iam.Role) => void,
): Record<string, unknown>[] {
  const stack = new Stack(testApp(), 'Test');
  const store = new RevocationStore(stack, 'Store');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  grant(store, role);
  const names = new Map([
    [
      JSON.stringify({ 'Fn::GetAtt': [stack.getLogicalId(store.table.node.defaultChild as never), 'Arn'] }),
      'table',
    ],
    [
      JSON.stringify({ 'Fn::GetAtt': [stack.getLogicalId(store.key.node.defaultChild as never), 'Arn'] }),
      'key',
    ],
  ]);
  const roleRef = JSON.stringify({ Ref: stack.getLogicalId(role.node.defaultChild as never) });
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleRef))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[])
    .map((s) => ({ ...s, Resource: names.get(JSON.stringify(s.Resource)) ?? s.Resource }));
}

describe('RevocationStore', () => {
  it('grantCheck allows BatchGetItem and GetItem on the table and kms:Decrypt on the key only', () => {
    expect(statementsGranted((store, role) => store.grantCheck(role))).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'], Resource: 'table' },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'key' },
    ]);
  });

  it('grantRevoke allows updating and reading entries and encrypting, but denies whole-item puts and deletes', () => {
    expect(statementsGranted((store, role) => store.grantRevoke(role))).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: 'table',
      },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: 'key' },
    ]);
  });

  it('migrates older layouts before any reader: a custom resource answered by its own function, readers depend on it', () => {
    const stack = new Stack(testApp(), 'Test');
    const store = new RevocationStore(stack, 'Store');
    const reader = new iam.Role(stack, 'Reader', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    store.readAfterMigration(reader);
    const template = Template.fromStack(stack);
    const [migrationId] = Object.keys(template.findResources('AWS::CloudFormation::CustomResource'));
    expect(template.findResources('AWS::CloudFormation::CustomResource')[migrationId]).toMatchObject({
      Properties: { Layout: DENY_LIST_LAYOUT, ServiceToken: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } },
    });
    expect(
      template.findResources('AWS::IAM::Role')[stack.getLogicalId(reader.node.defaultChild as never)],
    ).toMatchObject({
      DependsOn: [migrationId],
    });
  });

  it('retains table and key by default', () => {
    const stack = new Stack(testApp(), 'Test');
    new RevocationStore(stack, 'Store');
    const template = Template.fromStack(stack);

    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });
});
