// The deny-list migration custom resource against dynalite: moves old items, answers CloudFormation's pre-signed URL.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { localAwsEnv } from '../../local/aws-env';
import type { LocalDynamo } from '../../local/dynamo';
import { localDynamoClient, startTempDynamo } from '../helpers/temp-dynamo';

const NOW = Math.floor(Date.now() / 1000);
let dynamo: LocalDynamo;
let documents: DynamoDBDocumentClient;
let handler: (event: CloudFormationCustomResourceEvent) => Promise<void>;
const saved = { ...process.env };

beforeAll(async () => {
  dynamo = await startTempDynamo('cg-migrate-');
  documents = DynamoDBDocumentClient.from(localDynamoClient(dynamo.endpoint));
  Object.assign(process.env, localAwsEnv({ region: 'us-east-1', dynamo: dynamo.endpoint }));
  ({ handler } = await import('../../lambdas/migrate/handler'));
});

afterAll(async () => {
  process.env = saved;
  documents.destroy();
  await dynamo.stop();
});

/** A stand-in for the pre-signed S3 URL: records the PUT bodies CloudFormation would receive. */
async function responseUrl(): Promise<{ url: string; bodies: Record<string, unknown>[]; close: () => void }> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push({ method: req.method, ...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as object) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/presigned`,
    bodies,
    close: () => server.close(),
  };
}

const event = (requestType: 'Create' | 'Update' | 'Delete', url: string, tableName: string) =>
  ({
    RequestType: requestType,
    ResponseURL: url,
    StackId: 'stack',
    RequestId: 'request',
    LogicalResourceId: 'LayoutMigration',
    ResourceType: 'AWS::CloudFormation::CustomResource',
    ServiceToken: 'arn',
    PhysicalResourceId: 'Revocations/layout',
    ResourceProperties: { ServiceToken: 'arn', TableName: tableName, Layout: '3' },
  }) as unknown as CloudFormationCustomResourceEvent;

it('moves a live jti# item into its user item and answers SUCCESS with how many it moved', async () => {
  await documents.send(
    new PutCommand({
      TableName: 'Revocations',
      Item: {
        pk: 'jti#j1',
        scope: 'token',
        sub: 'u1',
        expiresAt: NOW + 600,
        revokedAt: NOW,
        reason: 'logout',
      },
    }),
  );
  const cfn = await responseUrl();
  try {
    await handler(event('Create', cfn.url, 'Revocations'));
    expect(cfn.bodies).toEqual([
      expect.objectContaining({
        method: 'PUT',
        Status: 'SUCCESS',
        Data: { Moved: 1 },
        PhysicalResourceId: 'Revocations/layout',
        RequestId: 'request',
        LogicalResourceId: 'LayoutMigration',
      }),
    ]);
    const { Item } = await documents.send(
      new GetCommand({ TableName: 'Revocations', Key: { pk: 'user#u1' }, ConsistentRead: true }),
    );
    expect(Item?.tokens).toMatchObject({ j1: { expiresAt: NOW + 600 } });
  } finally {
    cfn.close();
  }
});

it('fails the deployment (FAILED) when the table cannot be read, so no reader runs unmigrated', async () => {
  const cfn = await responseUrl();
  try {
    await handler(event('Update', cfn.url, 'NoSuchTable'));
    expect(cfn.bodies).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.any(String) })]);
  } finally {
    cfn.close();
  }
});
