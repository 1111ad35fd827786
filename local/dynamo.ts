// DynamoDB offline: dynalite in-process with its data on disk, tables created from the shared schemas.
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import type {
  AttributeDefinition,
  CreateTableCommandInput,
  KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { Level } from 'level';
import { migrateLegacyRevocations } from '../lambdas/adapters/dynamo-revocation-store';
import type { TableName, TableSchema } from '../lambdas/shared/table-schemas';
import { TABLE_SCHEMAS } from '../lambdas/shared/table-schemas';
import { DataDirInUseError } from './errors';
import type { ListenTarget } from './listen';
import { close, listen } from './listen';

export interface LocalDynamo {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface LocalDynamoOptions extends Omit<ListenTarget, 'service'> {
  /** LevelDB directory: revocations survive a restart. */
  readonly dir: string;
}

/** Starts dynalite and creates every table of TABLE_SCHEMAS that does not exist yet. */
export async function startDynamo(options: LocalDynamoOptions): Promise<LocalDynamo> {
  await mkdir(options.dir, { recursive: true });
  // Probe first: dynalite opens its LevelDB as soon as it is created, and crashes the process if it can't.
  await probePort(options);
  await probeDataDir(options.dir);
  const server = dynalite({ path: options.dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listen(server, { ...options, service: 'DynamoDB (dynalite)' });
  const endpoint = `http://${options.host}:${port}`;
  const stop = () => close(server);
  try {
    const client = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    for (const [name, schema] of Object.entries(TABLE_SCHEMAS)) {
      await ensureTable(client, name, schema);
    }
    // As a deployment does before its functions update: older deny-list layouts move into the current one.
    const revocationTable: TableName = 'Revocations';
    await migrateLegacyRevocations(
      revocationTable,
      DynamoDBDocumentClient.from(client),
      Math.floor(Date.now() / 1000),
    );
    client.destroy();
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, stop };
}

async function probePort(target: Omit<ListenTarget, 'service'>): Promise<void> {
  if (target.port === 0) return;
  const probe = createServer();
  await listen(probe, { ...target, service: 'DynamoDB (dynalite)' });
  await close(probe);
}

async function probeDataDir(dir: string): Promise<void> {
  const db = new Level(dir);
  try {
    await db.open();
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED')
      throw new DataDirInUseError(dir);
    throw error;
  }
  await db.close();
}

async function ensureTable(client: DynamoDBClient, name: string, schema: TableSchema): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(createTableInput(name, schema)));
  }
}

/** TTL is not set: dynalite has no TTL deletion, and readers ignore expired items anyway. */
function createTableInput(name: string, schema: TableSchema): CreateTableCommandInput {
  const keySchema = (partitionKey: string, sortKey?: string): KeySchemaElement[] => [
    { AttributeName: partitionKey, KeyType: 'HASH' },
    ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
  ];
  const indexes = schema.globalSecondaryIndexes ?? [];
  const attributes = new Set([
    schema.partitionKey,
    schema.sortKey,
    ...indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ]);
  const definitions: AttributeDefinition[] = [...attributes]
    .filter((attribute): attribute is string => attribute !== undefined)
    .map((attribute) => ({ AttributeName: attribute, AttributeType: 'S' }));
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: definitions,
    KeySchema: keySchema(schema.partitionKey, schema.sortKey),
    ...(indexes.length
      ? {
          GlobalSecondaryIndexes: indexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: 'ALL' },
          })),
        }
      : {}),
  };
}
