// Test helper: forge JWTs byte for byte (raw JSON, any alg, any signature) and self-signed X.509 certificates.
import type { KeyObject } from 'node:crypto';
import { createHmac, createSign, sign as signDigest } from 'node:crypto';

export const b64u = (input: string | Buffer): string => Buffer.from(input).toString('base64url');

/** Signs `b64u(header).b64u(payload)`; header and payload are raw JSON text (duplicate keys survive). */
export function forgeJws(
  headerJson: string,
  payloadJson: string,
  signer: (signingInput: string) => Buffer | string,
): string {
  const signingInput = `${b64u(headerJson)}.${b64u(payloadJson)}`;
  const signature = signer(signingInput);
  return `${signingInput}.${typeof signature === 'string' ? signature : b64u(signature)}`;
}

/** RS256 with any RSA private key. */
export const rs256 =
  (privateKey: KeyObject) =>
  (input: string): Buffer =>
    createSign('RSA-SHA256').update(input).sign(privateKey);

export type HmacAlg = 'HS256' | 'HS384' | 'HS512';

/** HMAC with any bytes as the secret (the "alg confusion" attack uses the public key's encodings). */
export const hmac =
  (alg: HmacAlg, secret: Buffer | string) =>
  (input: string): Buffer =>
    createHmac(`sha${alg.slice(2)}`, secret)
      .update(input)
      .digest();

/** The three segments of a compact JWS. */
export function segments(token: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return [header, payload, signature];
}

// --- a minimal DER writer: just enough X.509 for an attacker's self-signed certificate ---

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), content]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), content]);
}
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const integer = (value: number) => tlv(0x02, Buffer.from([value]));
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const utcTime = (date: Date) =>
  tlv(0x17, Buffer.from(`${date.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`, 'ascii'));
const bitString = (bytes: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) base128.unshift(0x80 | (value & 0x7f));
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** DER of a self-signed X.509 v3 certificate (sha256WithRSAEncryption) for an RSA key pair, valid one day. */
export function selfSignedCertificate(
  keys: { privateKey: KeyObject; publicKey: KeyObject },
  commonName: string,
): Buffer {
  const algorithm = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
  const name = seq(set(seq(oid('2.5.4.3'), utf8(commonName))));
  const now = Date.now();
  const tbs = seq(
    tlv(0xa0, integer(2)), // v3
    integer(1),
    algorithm,
    name,
    seq(utcTime(new Date(now - 60_000)), utcTime(new Date(now + 86_400_000))),
    name,
    keys.publicKey.export({ type: 'spki', format: 'der' }),
  );
  return seq(tbs, algorithm, bitString(signDigest('sha256', tbs, keys.privateKey)));
}
