// Reissues cognito-local's tokens with the claims real Cognito adds (origin_jti, granted scopes), same key and kid.
import { createPrivateKey, sign } from 'node:crypto';
import emulatorKey from 'cognito-local/lib/keys/cognitoLocal.private.json';

const privateKey = createPrivateKey(emulatorKey.pem);

const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const parse = (segment: string | undefined): Record<string, unknown> =>
  JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

/** The same JWT (header, claims, iat, exp) with `claims` added or replaced, signed again with the emulator's key. */
export function reissue(jwt: string, claims: Record<string, unknown>): string {
  const [header, payload] = jwt.split('.');
  const input = `${part(parse(header))}.${part({ ...parse(payload), ...claims })}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), privateKey).toString('base64url')}`;
}

/** `exp - iat` of a JWT issued by the emulator: the `expires_in` of the token response. */
export function lifetimeSeconds(jwt: string): number {
  const { iat, exp } = parse(jwt.split('.')[1]);
  return Number(exp) - Number(iat);
}
