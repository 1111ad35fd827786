// Test helper: dynalite (every table of the shared schemas) on a random port, over a fresh temporary data dir.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LocalDynamo } from '../../local/dynamo';
import { startDynamo } from '../../local/dynamo';

/** Starts dynalite in a new `<tmpdir>/<prefix>…` directory; `stop` also deletes that directory. */
export async function startTempDynamo(prefix: string): Promise<LocalDynamo> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const dynamo = await startDynamo({ dir, host: '127.0.0.1', port: 0, envName: 'DYNAMO_PORT' });
  return {
    ...dynamo,
    stop: async () => {
      await dynamo.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A client of a local endpoint: dummy credentials, one attempt (no retries hiding a failure). */
export function localDynamoClient(endpoint: string, config: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    ...config,
  });
}
