// Secrets Manager offline: GetSecretValue and PutSecretValue (AWSCURRENT / AWSPREVIOUS staging) over a JSON file,
// so the auth function's real Secrets Manager adapter reads the client secret and cookie keys as in AWS.
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ListenTarget } from './listen';
import { close, listen } from './listen';

interface Version {
  readonly id: string;
  readonly value: string;
  readonly stages: readonly string[];
  readonly createdAt: number;
}

type Secrets = Record<string, readonly Version[]>;

export interface LocalSecretsManagerOptions extends Omit<ListenTarget, 'service'> {
  /** The JSON file holding every secret (mode 0600). */
  readonly file: string;
}

export interface LocalSecretsManager {
  readonly url: string;
  readonly port: number;
  /** The AWSCURRENT value of a secret, if any. */
  current(name: string): Promise<string | undefined>;
  /** PutSecretValue: the new value becomes AWSCURRENT, the previous current AWSPREVIOUS. */
  put(name: string, value: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the endpoint; the secrets persist in `options.file` across restarts. */
export async function startSecretsManager(options: LocalSecretsManagerOptions): Promise<LocalSecretsManager> {
  const load = async (): Promise<Secrets> => {
    try {
      return JSON.parse(await readFile(options.file, 'utf8')) as Secrets;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  };
  let writing = Promise.resolve();
  const put = (name: string, value: string): Promise<void> =>
    (writing = writing.then(async () => {
      const secrets = await load();
      const versions = (secrets[name] ?? []).map((version) => ({
        ...version,
        stages: version.stages.includes('AWSCURRENT') ? ['AWSPREVIOUS'] : [],
      }));
      secrets[name] = [
        ...versions.filter((v) => v.stages.length),
        { id: randomUUID(), value, stages: ['AWSCURRENT'], createdAt: Date.now() },
      ];
      await writeFile(options.file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    }));
  const find = async (name: string, stage: string): Promise<Version | undefined> =>
    (await load())[name]?.find((version) => version.stages.includes(stage));

  const server = createServer((req, res) => {
    handle(req, res, { find, put }).catch((error: unknown) => {
      reply(res, 500, { __type: 'InternalServiceError', message: (error as Error).message });
    });
  });
  const port = await listen(server, { ...options, service: 'Secrets Manager (local)' });
  return {
    url: `http://${options.host}:${port}`,
    port,
    current: async (name) => (await find(name, 'AWSCURRENT'))?.value,
    put,
    stop: () => close(server),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  secrets: {
    find(name: string, stage: string): Promise<Version | undefined>;
    put(name: string, value: string): Promise<void>;
  },
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
    string,
    string | undefined
  >;
  const name = body.SecretId ?? '';
  switch (req.headers['x-amz-target']) {
    case 'secretsmanager.GetSecretValue': {
      const stage = body.VersionStage ?? 'AWSCURRENT';
      const version = await secrets.find(name, stage);
      if (!version) {
        return reply(res, 400, {
          __type: 'ResourceNotFoundException',
          message: `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
        });
      }
      return reply(res, 200, {
        ARN: arn(name),
        Name: name,
        SecretString: version.value,
        VersionId: version.id,
        VersionStages: version.stages,
        CreatedDate: version.createdAt / 1000,
      });
    }
    case 'secretsmanager.PutSecretValue': {
      if (typeof body.SecretString !== 'string') {
        return reply(res, 400, { __type: 'InvalidParameterException', message: 'SecretString is required' });
      }
      await secrets.put(name, body.SecretString);
      const version = await secrets.find(name, 'AWSCURRENT');
      return reply(res, 200, {
        ARN: arn(name),
        Name: name,
        VersionId: version?.id,
        VersionStages: ['AWSCURRENT'],
      });
    }
    default:
      return reply(res, 400, { __type: 'UnknownOperationException', message: 'not emulated offline' });
  }
}

const arn = (name: string): string => `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}`;

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
}
