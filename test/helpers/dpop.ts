// Test device keys and DPoP proofs (RFC 9449), made with jose: the page's key in Node, and crafted bad proofs.

import { randomUUID } from 'node:crypto';
import type { CryptoKey, JWK } from 'jose';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { accessTokenHash } from '../../lambdas/shared/dpop';

/** A device key as the page holds it: the private key stays a CryptoKey; the public JWK goes in each proof. */
export interface DeviceKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  /** RFC 7638 SHA-256 thumbprint. */
  readonly jkt: string;
}

export async function newDeviceKey(): Promise<DeviceKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const publicJwk = await exportJWK(publicKey);
  return { privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk, 'sha256') };
}

export interface ProofOptions {
  readonly method: string;
  readonly url: string;
  readonly accessToken?: string;
  /** Epoch seconds. @default now */
  readonly iat?: number;
  readonly jti?: string;
  readonly nonce?: string;
  /** Header fields to override (typ, jwk, ...): anything, to make bad proofs. */
  readonly header?: Record<string, unknown>;
  /** Claims to override or add (`undefined` removes). */
  readonly claims?: Record<string, unknown>;
}

/** A proof signed with ES256 by `key`, as the page makes it. */
export async function proofFor(key: DeviceKey, options: ProofOptions): Promise<string> {
  const payload: Record<string, unknown> = {
    jti: options.jti ?? randomUUID(),
    htm: options.method,
    htu: options.url,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    ...(options.accessToken ? { ath: accessTokenHash(options.accessToken) } : {}),
    ...(options.nonce ? { nonce: options.nonce } : {}),
    ...options.claims,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload)
    .setProtectedHeader({
      typ: 'dpop+jwt',
      alg: 'ES256',
      jwk: key.publicJwk,
      ...options.header,
    })
    .sign(key.privateKey);
}

/** A compact JWS assembled by hand (for `alg: none` and other proofs no library would sign). */
export function unsignedJws(header: object, payload: object, signature = ''): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(payload)}.${signature}`;
}
