// SecretSource adapter over Secrets Manager: a secret's AWSCURRENT (and AWSPREVIOUS) value, read lazily and cached.

import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

/** A secret string held outside the code, the environment and the template. Outages throw. */
export interface SecretSource {
  /** The value in use now. */
  current(): Promise<string>;
  /** The value before the last rotation, if there is one (values sealed with it must still open). */
  previous(): Promise<string | undefined>;
}

export interface SecretsManagerSecretOptions {
  /** Re-read after this long, so a rotation reaches warm functions. @default 300 000 ms */
  readonly cacheMs?: number;
  readonly now?: () => number;
}

/** A client with short timeouts: a sign-in must not hang on Secrets Manager. */
export function createSecretsClient(): SecretsManagerClient {
  return new SecretsManagerClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
  });
}

/** One secret by ARN or name. Nothing is read until first use; a failed read is not cached (the next call retries). */
export class SecretsManagerSecret implements SecretSource {
  private readonly cache = new Map<string, { value: Promise<string | undefined>; readAt: number }>();

  constructor(
    private readonly secretId: string,
    private readonly client: SecretsManagerClient = createSecretsClient(),
    private readonly options: SecretsManagerSecretOptions = {},
  ) {}

  async current(): Promise<string> {
    const value = await this.read('AWSCURRENT');
    if (value === undefined) throw new Error(`secret ${this.secretId} has no current value`);
    return value;
  }

  previous(): Promise<string | undefined> {
    return this.read('AWSPREVIOUS');
  }

  private read(stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<string | undefined> {
    const now = (this.options.now ?? Date.now)();
    const cached = this.cache.get(stage);
    if (cached && now - cached.readAt < (this.options.cacheMs ?? 300_000)) return cached.value;
    const value = this.fetch(stage);
    this.cache.set(stage, { value, readAt: now });
    value.catch(() => this.cache.delete(stage));
    return value;
  }

  private async fetch(stage: string): Promise<string | undefined> {
    try {
      const answer = await this.client.send(
        new GetSecretValueCommand({ SecretId: this.secretId, VersionStage: stage }),
      );
      return answer.SecretString;
    } catch (error) {
      // A secret that was never rotated has no AWSPREVIOUS version.
      if (error instanceof ResourceNotFoundException && stage === 'AWSPREVIOUS') return undefined;
      // Never pass the SDK error on: only its name.
      throw new Error(`Secrets Manager ${stage} of ${this.secretId}: ${(error as Error).name}`);
    }
  }
}
