// CookieSealer adapter: AES-256-GCM with keys derived (HKDF-SHA256) from a Secrets Manager secret; the key id rides
// in the value, so after a rotation values sealed with the previous key still open until they expire.

import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { CookieSealer, CookiePurpose } from '../sessions/ports';
import type { SecretSource } from './secrets-manager-secret';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface Key {
  readonly id: string;
  readonly bytes: Buffer;
}

/** `v1.<key id>.<iv>.<ciphertext + GCM tag>` (base64url); the AAD binds version, key id and purpose. */
export class AesGcmCookieSealer implements CookieSealer {
  private readonly derived = new Map<string, Key>();

  constructor(private readonly keys: SecretSource) {}

  async seal(purpose: CookiePurpose, plaintext: string): Promise<string> {
    const key = this.derive(await this.keys.current());
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.bytes, iv);
    cipher.setAAD(aad(key.id, purpose));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, key.id, iv.toString('base64url'), sealed.toString('base64url')].join('.');
  }

  async open(purpose: CookiePurpose, value: string): Promise<string | undefined> {
    const [version, keyId, iv, sealed, extra] = value.split('.');
    if (version !== VERSION || !keyId || !iv || !sealed || extra !== undefined) return undefined;
    const key = await this.key(keyId);
    const ivBytes = canonicalBase64url(iv);
    const bytes = canonicalBase64url(sealed);
    if (!key || !ivBytes || !bytes || ivBytes.length !== IV_BYTES || bytes.length <= TAG_BYTES)
      return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, ivBytes);
      decipher.setAAD(aad(key.id, purpose));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      return undefined; // tampered, truncated or sealed for another purpose
    }
  }

  /** The current or previous key with this id (a value sealed before the last rotation). */
  private async key(id: string): Promise<Key | undefined> {
    const current = this.derive(await this.keys.current());
    if (current.id === id) return current;
    const previous = await this.keys.previous();
    const old = previous === undefined ? undefined : this.derive(previous);
    return old?.id === id ? old : undefined;
  }

  /** A 256-bit key from the secret's material; its id is a hash of the key (names it, reveals nothing). */
  private derive(material: string): Key {
    const known = this.derived.get(material);
    if (known) return known;
    // Fail closed on a placeholder: Secrets Manager's generated secrets are far longer.
    if (material.length < 32) throw new Error('cookie key material is shorter than 32 characters');
    const bytes = Buffer.from(hkdfSync('sha256', material, '', 'cognito-guard cookie v1', 32));
    const key = { id: createHash('sha256').update(bytes).digest('base64url').slice(0, 8), bytes };
    this.derived.set(material, key);
    return key;
  }
}

function aad(keyId: string, purpose: CookiePurpose): Buffer {
  return Buffer.from(`${VERSION}.${keyId}.${purpose}`);
}

/** Decodes base64url only in its one canonical spelling: Node ignores stray characters and unused trailing bits. */
function canonicalBase64url(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}
