// Custom resource (CloudFormation): moves older deny-list layouts into the current one before the new readers run.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { migrateLegacyRevocations } from '../adapters/dynamo-revocation-store';

/** Properties the RevocationStore construct passes; a new `Layout` value runs the migration again. */
export interface MigrationProperties {
  readonly TableName: string;
  readonly Layout: string;
}

// The SDK's default timeouts and retries: a deployment may wait, it must not give up on a slow page.
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

/**
 * Create/Update: every live `jti#` / `session#` item is moved into its user's item (idempotent). Delete: nothing
 * (the table is retained). A failure fails the deployment, so no reader of the new release runs unmigrated. Answers
 * CloudFormation itself (the custom resource's service token is this function: no provider framework function):
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
 */
export const handler = async (event: CloudFormationCustomResourceEvent): Promise<void> => {
  const { TableName, Layout } = event.ResourceProperties as unknown as MigrationProperties;
  const physicalId = event.RequestType === 'Create' ? `${TableName}/layout` : event.PhysicalResourceId;
  let outcome: { Status: 'SUCCESS' | 'FAILED'; Reason?: string; Data?: Record<string, number> };
  try {
    const moved =
      event.RequestType === 'Delete'
        ? 0
        : await migrateLegacyRevocations(TableName, documents, Math.floor(Date.now() / 1000));
    outcome = { Status: 'SUCCESS', Data: { Moved: moved } };
  } catch (error) {
    outcome = {
      Status: 'FAILED',
      Reason: `layout ${Layout}: ${(error as Error).name}: ${(error as Error).message}`,
    };
  }
  const body = JSON.stringify({
    ...outcome,
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  // The pre-signed S3 URL takes a PUT with no content type.
  const response = await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) throw new Error(`CloudFormation response refused: ${response.status}`);
};
