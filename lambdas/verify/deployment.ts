// Reads a deployment description from an outputs file: `cdk deploy --outputs-file` in AWS, `.local/stack.json` offline.

import type { VerifyTarget } from './journey';

/** Everything the journey and its sign-in need to know about one deployment. */
export interface VerifyDeployment extends VerifyTarget {
  readonly region: string;
  readonly userPoolId: string;
  /** The verification app client (AdminInitiateAuth only). */
  readonly verifyClientId: string;
  /** Where the verification user's password is: a Secrets Manager secret in AWS, inline offline. */
  readonly credentials:
    { readonly secretId: string } | { readonly username: string; readonly password: string };
  /** cognito-local's API URL: set only for the offline stack (whose token-signing key is public). */
  readonly offlineCognitoUrl?: string;
}

/** An outputs file that cannot describe a deployment to verify; the message says which key is missing. */
export class OutputsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputsError';
  }
}

/**
 * Parses an outputs file: the offline `stack.json` (flat, camelCase, `apiUrl`) or CDK's `--outputs-file` JSON
 * (`{ "<StackName>": { "ApiUrl": …, … } }`; with several stacks, name one with `stackName`).
 */
export function parseOutputs(json: unknown, stackName?: string): VerifyDeployment {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new OutputsError('the outputs file is not a JSON object');
  const outputs = json as Record<string, unknown>;
  if ('apiUrl' in outputs) return offlineDeployment(outputs);
  const stacks = Object.entries(outputs).filter(
    ([name, value]) => isObject(value) && (!stackName || name === stackName),
  );
  const guard = stacks.filter(([, value]) => 'ApiUrl' in (value as object));
  if (guard.length !== 1) {
    throw new OutputsError(
      guard.length === 0
        ? `no stack with an ApiUrl output${stackName ? ` named ${stackName}` : ''} in the outputs file`
        : `several stacks in the outputs file (${guard.map(([name]) => name).join(', ')}): pass --stack <name>`,
    );
  }
  return cdkDeployment(guard[0][1] as Record<string, unknown>);
}

/** CfnOutput ids of GuardStack the journey reads. */
export const OUTPUT_KEYS = {
  apiUrl: 'ApiUrl',
  wsUrl: 'WebSocketUrl',
  region: 'Region',
  userPoolId: 'UserPoolId',
  enforcementMode: 'EnforcementMode',
  authorizerCacheTtlSeconds: 'AuthorizerCacheTtlSeconds',
  deviceBinding: 'DeviceBinding',
  replayGuard: 'DeviceBindingReplayGuard',
  verifyClientId: 'VerifyClientId',
  verifySecretArn: 'VerifySecretArn',
} as const;

function cdkDeployment(outputs: Record<string, unknown>): VerifyDeployment {
  const read = (key: keyof typeof OUTPUT_KEYS) => optionalString(outputs, OUTPUT_KEYS[key]);
  const need = (key: keyof typeof OUTPUT_KEYS, hint = '') => {
    const value = read(key);
    if (!value) throw new OutputsError(`the outputs lack ${OUTPUT_KEYS[key]}${hint}`);
    return value;
  };
  const verification = ' (deploy with the stage option "verification": true)';
  const ttl = read('authorizerCacheTtlSeconds');
  const wsUrl = read('wsUrl');
  const enforcementMode = read('enforcementMode');
  const deviceBinding = read('deviceBinding');
  const replayGuard = read('replayGuard');
  return {
    apiUrl: need('apiUrl'),
    ...(wsUrl ? { wsUrl } : {}),
    ...(enforcementMode ? { enforcementMode } : {}),
    ...(ttl !== undefined && ttl !== '' ? { authorizerCacheTtlSeconds: Number(ttl) } : {}),
    ...(deviceBinding ? { deviceBinding } : {}),
    ...(replayGuard ? { replayGuard } : {}),
    region: need('region'),
    userPoolId: need('userPoolId'),
    verifyClientId: need('verifyClientId', verification),
    credentials: { secretId: need('verifySecretArn', verification) },
  };
}

function offlineDeployment(outputs: Record<string, unknown>): VerifyDeployment {
  const need = (key: string) => {
    const value = optionalString(outputs, key);
    if (!value)
      throw new OutputsError(`the offline outputs lack ${key} (restart npm start to rewrite stack.json)`);
    return value;
  };
  const user = outputs.verifyUser;
  if (!isObject(user) || typeof user.username !== 'string' || typeof user.password !== 'string')
    throw new OutputsError('the offline outputs lack verifyUser (restart npm start to rewrite stack.json)');
  const wsUrl = optionalString(outputs, 'wsUrl');
  const enforcementMode = optionalString(outputs, 'enforcementMode');
  const deviceBinding = optionalString(outputs, 'dpopMode');
  const replayGuard = optionalString(outputs, 'dpopReplayGuard');
  const ttl = outputs.authorizerCacheTtlSeconds;
  return {
    apiUrl: need('apiUrl'),
    ...(wsUrl ? { wsUrl } : {}),
    ...(enforcementMode ? { enforcementMode } : {}),
    ...(typeof ttl === 'number' ? { authorizerCacheTtlSeconds: ttl } : {}),
    ...(deviceBinding ? { deviceBinding } : {}),
    ...(replayGuard ? { replayGuard } : {}),
    region: need('region'),
    userPoolId: need('userPoolId'),
    verifyClientId: need('verifyClientId'),
    credentials: { username: user.username, password: user.password },
    offlineCognitoUrl: need('cognitoApiUrl'),
  };
}

function optionalString(outputs: Record<string, unknown>, key: string): string | undefined {
  const value = outputs[key];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
