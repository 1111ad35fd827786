// Splits and re-joins a compact JWT without verifying it: the journey edits its own tokens to make refusable ones.

/** The three parts of a compact JWS; header and payload decoded. */
export interface JwtParts {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  readonly signature: string;
}

/** Decodes a compact JWT (no verification: only for tokens the journey itself obtained). */
export function splitJwt(token: string): JwtParts {
  const [header, payload, signature] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined) {
    throw new Error('not a compact JWT');
  }
  return { header: decodePart(header), payload: decodePart(payload), signature };
}

/** Re-encodes header and payload and appends `signature` as given. */
export function joinJwt(parts: JwtParts): string {
  return [encodePart(parts.header), encodePart(parts.payload), parts.signature].join('.');
}

/** The same token with one character in the middle of its signature changed: a signature that cannot verify. */
export function withForgedSignature(token: string): string {
  const parts = splitJwt(token);
  const middle = Math.floor(parts.signature.length / 2);
  const flipped = parts.signature[middle] === 'A' ? 'B' : 'A';
  const signature = parts.signature.slice(0, middle) + flipped + parts.signature.slice(middle + 1);
  return `${token.slice(0, token.lastIndexOf('.'))}.${signature}`;
}

function decodePart(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null) throw new Error('JWT part is not a JSON object');
  return value as Record<string, unknown>;
}

function encodePart(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
