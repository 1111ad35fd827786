// Reads the verification user's credentials from a Secrets Manager secret `{ "username": …, "password": … }`.

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { VerificationCredentials } from './cognito-admin-sign-in';

/** GetSecretValue (`secretsmanager:GetSecretValue` on this secret, plus `kms:Decrypt` if it uses a CMK). */
export async function secretsManagerCredentials(
  secretId: string,
  client: SecretsManagerClient = new SecretsManagerClient({}),
): Promise<VerificationCredentials> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  let parsed: unknown;
  try {
    parsed = JSON.parse(SecretString ?? '');
  } catch {
    parsed = undefined;
  }
  const { username, password } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
    throw new Error(`secret ${secretId} is not JSON { username, password }`);
  }
  return { username, password };
}
