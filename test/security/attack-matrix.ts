// The attack matrix as data: one table of forged / wrong / revoked tokens and the typed reason each must be denied with.
// Runs against GET /me (attack-matrix-rest.test.ts) and the WebSocket $connect (attack-matrix-websocket.test.ts).
import type { KeyObject } from 'node:crypto';
import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReasonCode, RevocationScope } from '../../lambdas/shared/reasons';
import type { RevocationService } from '../../lambdas/shared/revocation-service';
import type { HmacAlg } from '../helpers/forge';
import { b64u, forgeJws, hmac, rs256, segments, selfSignedCertificate } from '../helpers/forge';
import type { TokenAudience } from '../helpers/mint-token';
import { decodePayload, EMULATOR_KEY, mintAccessToken } from '../helpers/mint-token';

/** The pool's signing key id (cognito-local's): forged tokens claim it so the verifier picks the real key. */
export const POOL_KID = EMULATOR_KEY.kid;

/** A server on 127.0.0.1 that serves the attacker's keys and counts every request it gets (it must get none). */
export interface AttackerServer {
  readonly url: string;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JsonWebKey;
  /** DER of a self-signed certificate for the attacker's key. */
  readonly certificate: Buffer;
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startAttackerServer(): Promise<AttackerServer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'attacker-kid';
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const certificate = selfSignedCertificate({ privateKey, publicKey }, 'attacker.example');
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const pem = `-----BEGIN CERTIFICATE-----\n${certificate.toString('base64')}\n-----END CERTIFICATE-----\n`;
    res.end(req.url === '/jwks.json' ? JSON.stringify({ keys: [publicJwk] }) : pem);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    kid,
    privateKey,
    publicJwk,
    certificate,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface AttackContext {
  readonly audience: TokenAudience;
  readonly attacker: AttackerServer;
  /** Writes revocations into the stack's deny-list (the same service logout and admin use). */
  readonly revocations: RevocationService;
}

/** How a token is presented: REST `Authorization` header, WebSocket `Sec-WebSocket-Protocol`. */
export type Transport = 'rest' | 'websocket';

export interface AttackCase {
  readonly name: string;
  /** A fresh token per run (revocation cases write their revocation here). */
  readonly token: (ctx: AttackContext) => Promise<string> | string;
  readonly reason: ReasonCode;
  readonly scope?: RevocationScope;
  /** REST: the exact `Authorization` value sent (latin1 string = raw bytes). @default `Bearer <token>` */
  readonly authorization?: (token: string) => string;
  /** WebSocket: the exact `Sec-WebSocket-Protocol` value. @default `cognito-guard.v1, bearer.<token>` */
  readonly subprotocols?: (token: string) => string;
  /** Transports the case is about (header tricks are transport-specific). @default both */
  readonly transports?: readonly Transport[];
}

const by = { actor: 'attack-matrix', reason: 'test' };

/** The payload of a valid token for the stack's pool and client, as JSON text. */
function claimsJson(ctx: AttackContext, claims: Record<string, unknown> = {}): string {
  return JSON.stringify(decodePayload(mintAccessToken(ctx.audience, claims)));
}

/** A valid token, signed with the emulator key (what the stack trusts). */
const valid = (
  ctx: AttackContext,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
) => mintAccessToken(ctx.audience, claims, header);

/** Same claims, signed with the attacker's own RSA key, claiming the pool's kid (or any header). */
function attackerSigned(ctx: AttackContext, header: Record<string, unknown>, payloadJson?: string): string {
  return forgeJws(
    JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: POOL_KID, ...header }),
    payloadJson ?? claimsJson(ctx),
    rs256(ctx.attacker.privateKey),
  );
}

/** Header and payload of a valid token with another signature segment. */
function withSignature(token: string, signature: string): string {
  const [header, payload] = segments(token);
  return `${header}.${payload}.${signature}`;
}

/** Re-encodes the header (same payload and signature bytes). */
function withHeader(token: string, header: Record<string, unknown>): string {
  const [, payload, signature] = segments(token);
  return `${b64u(JSON.stringify(header))}.${payload}.${signature}`;
}

/** The pool's public key in every encoding an HMAC "alg confusion" attacker might try as the secret. */
function publicKeyEncodings(): Array<[string, Buffer | string]> {
  const key = createPublicKey(EMULATOR_KEY.privateKey);
  const jwk = EMULATOR_KEY.publicJwk;
  return [
    ['PEM spki', key.export({ type: 'spki', format: 'pem' })],
    ['PEM pkcs1', key.export({ type: 'pkcs1', format: 'pem' })],
    ['DER spki', key.export({ type: 'spki', format: 'der' })],
    ['DER pkcs1', key.export({ type: 'pkcs1', format: 'der' })],
    ['JWK JSON', JSON.stringify(jwk)],
    ['JWKS JSON', JSON.stringify({ keys: [jwk] })],
    ['n as bytes', Buffer.from(jwk.n ?? '', 'base64url')],
    ['n as base64url text', jwk.n ?? ''],
  ];
}

function hmacCases(): AttackCase[] {
  const algs: HmacAlg[] = ['HS256', 'HS384', 'HS512'];
  return algs.flatMap((alg) =>
    publicKeyEncodings().map(([encoding, secret]): AttackCase => ({
      name: `${alg} signed with the pool's public key (${encoding})`,
      token: (ctx) =>
        forgeJws(JSON.stringify({ alg, typ: 'JWT', kid: POOL_KID }), claimsJson(ctx), hmac(alg, secret)),
      reason: 'ERR_TOKEN_SIGNATURE',
    })),
  );
}

function algNoneCases(): AttackCase[] {
  return ['none', 'None', 'NONE', 'nOnE'].flatMap((alg): AttackCase[] => [
    {
      name: `alg "${alg}" without a signature`,
      token: (ctx) => withSignature(withHeader(valid(ctx), { alg, typ: 'JWT', kid: POOL_KID }), ''),
      reason: 'ERR_TOKEN_MALFORMED',
    },
    {
      name: `alg "${alg}" keeping a real signature`,
      token: (ctx) => withHeader(valid(ctx), { alg, typ: 'JWT', kid: POOL_KID }),
      reason: 'ERR_TOKEN_SIGNATURE',
    },
  ]);
}

/** A claim nested `depth` levels deep: `[[[...]]]`. */
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** A valid token presented with `transform` applied to the whole header value (REST only). */
function headerTrick(name: string, transform: (token: string) => string): AttackCase {
  return {
    name,
    token: (ctx) => valid(ctx),
    authorization: transform,
    reason: 'ERR_TOKEN_MALFORMED',
    transports: ['rest'],
  };
}

/** A valid token presented with `transform` applied to its subprotocol (WebSocket only). */
function subprotocolTrick(name: string, transform: (token: string) => string): AttackCase {
  return {
    name,
    token: (ctx) => valid(ctx),
    subprotocols: transform,
    reason: 'ERR_TOKEN_MALFORMED',
    transports: ['websocket'],
  };
}

/** UTF-8 bytes as a latin1 string: what goes on the wire for a non-ASCII character in a header. */
const utf8Bytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

export const ATTACK_CASES: readonly AttackCase[] = [
  // --- forged: signature and algorithm ---
  ...algNoneCases(),
  {
    name: 'empty signature',
    token: (ctx) => withSignature(valid(ctx), ''),
    reason: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'signature stripped (two segments)',
    token: (ctx) => segments(valid(ctx)).slice(0, 2).join('.'),
    reason: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'claims changed after signing (sub swapped)',
    token: (ctx) => {
      const [header, , signature] = segments(valid(ctx));
      return `${header}.${b64u(claimsJson(ctx, { sub: randomUUID() }))}.${signature}`;
    },
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'signature from another RSA key',
    token: (ctx) => attackerSigned(ctx, {}),
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  ...hmacCases(),
  {
    name: 'embedded jwk header with the attacker key',
    token: (ctx) => attackerSigned(ctx, { jwk: ctx.attacker.publicJwk }),
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'jku header pointing at the attacker JWKS',
    token: (ctx) => attackerSigned(ctx, { jku: `${ctx.attacker.url}/jwks.json` }),
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'jku header with the attacker kid',
    token: (ctx) => attackerSigned(ctx, { kid: ctx.attacker.kid, jku: `${ctx.attacker.url}/jwks.json` }),
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'x5u header pointing at the attacker certificate',
    token: (ctx) => attackerSigned(ctx, { x5u: `${ctx.attacker.url}/cert.pem` }),
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'x5c header carrying the attacker certificate',
    token: (ctx) => attackerSigned(ctx, { x5c: [ctx.attacker.certificate.toString('base64')] }),
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'kid path traversal ../../dev/null with HS256 and an empty key',
    token: (ctx) =>
      forgeJws(
        JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: '../../dev/null' }),
        claimsJson(ctx),
        hmac('HS256', Buffer.alloc(0)),
      ),
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'kid SQL injection with HS256 and the injected secret',
    token: (ctx) =>
      forgeJws(
        JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: "x' UNION SELECT 'secret' -- " }),
        claimsJson(ctx),
        hmac('HS256', 'secret'),
      ),
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'empty kid',
    token: (ctx) => attackerSigned(ctx, { kid: '' }),
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'unknown kid',
    token: (ctx) => attackerSigned(ctx, { kid: `unknown-${randomUUID()}` }),
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'no kid',
    token: (ctx) => attackerSigned(ctx, { kid: undefined }),
    reason: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'kid that is not a string',
    token: (ctx) => attackerSigned(ctx, { kid: { $ne: null } }),
    reason: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'ES256 psychic signature (r = s = 0, raw)',
    token: (ctx) =>
      forgeJws(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: POOL_KID }), claimsJson(ctx), () =>
        Buffer.alloc(64),
      ),
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'ES256 psychic signature (r = s = 0, DER)',
    token: (ctx) =>
      forgeJws(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: POOL_KID }), claimsJson(ctx), () =>
        Buffer.from('3006020100020100', 'hex'),
      ),
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'RS256 signature of all zero bytes',
    token: (ctx) => withSignature(valid(ctx), b64u(Buffer.alloc(256))),
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  // --- parser differentials: duplicate keys (JSON.parse keeps the last one, once, for every check) ---
  {
    name: 'duplicate sub keys, attacker-signed',
    token: (ctx) => attackerSigned(ctx, {}, claimsJson(ctx).replace(/^\{/, `{"sub":"${randomUUID()}",`)),
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'duplicate token_use keys, last one "id" (correctly signed)',
    token: (ctx) =>
      forgeJws(
        JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: POOL_KID }),
        claimsJson(ctx).replace(/\}$/, ',"token_use":"id"}'),
        rs256(EMULATOR_KEY.privateKey),
      ),
    reason: 'ERR_TOKEN_CLAIMS',
  },
  {
    name: 'duplicate exp keys, last one in the past (correctly signed)',
    token: (ctx) =>
      forgeJws(
        JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: POOL_KID }),
        claimsJson(ctx).replace(/\}$/, `,"exp":${Math.floor(Date.now() / 1000) - 60}}`),
        rs256(EMULATOR_KEY.privateKey),
      ),
    reason: 'ERR_TOKEN_EXPIRED',
  },
  {
    name: 'duplicate alg keys in the header, last one "none" (correctly signed)',
    token: (ctx) =>
      forgeJws(
        `{"alg":"RS256","typ":"JWT","kid":"${POOL_KID}","alg":"none"}`,
        claimsJson(ctx),
        rs256(EMULATOR_KEY.privateKey),
      ),
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  // --- unicode and whitespace tricks around a valid token ---
  headerTrick('two spaces after Bearer', (t) => `Bearer  ${t}`),
  headerTrick('tab instead of the space', (t) => `Bearer\t${t}`),
  headerTrick('no space after Bearer', (t) => `Bearer${t}`),
  // `bearer` in lower case is no attack: the scheme is case-insensitive (RFC 7235 §2.1), see test/unit/authorize.test.ts.
  headerTrick('another scheme that starts with Bearer', (t) => `Bearerx ${t}`),
  headerTrick('no scheme at all', (t) => t),
  headerTrick('trailing no-break space (U+00A0)', (t) => `Bearer ${t}${utf8Bytes('\u00a0')}`),
  headerTrick(
    'leading zero-width space (U+200B) before the token',
    (t) => `Bearer ${utf8Bytes('\u200b')}${t}`,
  ),
  headerTrick(
    'zero-width joiner (U+200D) inside the token',
    (t) => `Bearer ${t.slice(0, 20)}${utf8Bytes('\u200d')}${t.slice(20)}`,
  ),
  headerTrick('Cyrillic homoglyph in the scheme (Веarer)', (t) => `${utf8Bytes('Ве')}arer ${t}`),
  headerTrick('byte-order mark before the scheme', (t) => `${utf8Bytes('\ufeff')}Bearer ${t}`),
  headerTrick('two tokens separated by a comma', (t) => `Bearer ${t}, Bearer ${t}`),
  subprotocolTrick(
    'bearer subprotocol with a zero-width space',
    (t) => `cognito-guard.v1, bearer.${utf8Bytes('\u200b')}${t}`,
  ),
  subprotocolTrick('two bearer subprotocols', (t) => `cognito-guard.v1, bearer.${t}, bearer.${t}`),
  subprotocolTrick('bearer subprotocol with an inner space', (t) => `cognito-guard.v1, bearer. ${t}`),
  {
    name: 'leading and trailing spaces around a forged token (HTTP trims them; still a forgery)',
    token: (ctx) => attackerSigned(ctx, {}),
    authorization: (t) => `   Bearer ${t}   `,
    subprotocols: (t) => `  cognito-guard.v1 ,  bearer.${t}  `,
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  // --- size and encoding ---
  {
    name: 'oversized token (> 8 KB), attacker-signed',
    token: (ctx) => attackerSigned(ctx, {}, claimsJson(ctx, { pad: 'A'.repeat(9000) })),
    reason: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'oversized token (> 8 KB), correctly signed',
    token: (ctx) => valid(ctx, { pad: 'A'.repeat(9000) }),
    reason: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'deeply nested JSON payload (2 000 levels), attacker-signed',
    token: (ctx) => attackerSigned(ctx, {}, claimsJson(ctx).replace(/\}$/, `,"deep":${nested(2000)}}`)),
    reason: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'deeply nested JSON payload (4 000 levels, > 8 KB)',
    token: (ctx) => attackerSigned(ctx, {}, claimsJson(ctx).replace(/\}$/, `,"deep":${nested(4000)}}`)),
    reason: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'payload that is not JSON',
    token: (ctx) => attackerSigned(ctx, {}, '{"sub":'),
    reason: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'payload that is a JSON array',
    token: (ctx) => attackerSigned(ctx, {}, '[]'),
    reason: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'non-base64url bytes in the payload (!)',
    token: (ctx) => {
      const [header, payload, signature] = segments(valid(ctx));
      return `${header}.${payload.slice(0, 10)}!${payload.slice(11)}.${signature}`;
    },
    reason: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'standard-base64 characters (+/) in the payload',
    token: (ctx) => {
      const [header, payload, signature] = segments(valid(ctx));
      return `${header}.+/${payload}.${signature}`;
    },
    reason: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'four segments',
    token: (ctx) => `${valid(ctx)}.${b64u('extra')}`,
    reason: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'JWE-shaped token (five segments)',
    token: () => ['eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ', 'a', 'b', 'c', 'd'].join('.'),
    reason: 'ERR_TOKEN_MALFORMED',
  },
  // --- correctly signed (emulator key) but wrong ---
  {
    name: 'expired',
    token: (ctx) => {
      const now = Math.floor(Date.now() / 1000);
      return valid(ctx, { iat: now - 1000, auth_time: now - 1000, exp: now - 100 });
    },
    reason: 'ERR_TOKEN_EXPIRED',
  },
  {
    name: 'nbf in the future',
    token: (ctx) => valid(ctx, { nbf: Math.floor(Date.now() / 1000) + 600 }),
    reason: 'ERR_TOKEN_CLAIMS',
  },
  { name: 'no exp', token: (ctx) => valid(ctx, { exp: undefined }), reason: 'ERR_TOKEN_CLAIMS' },
  // aws-jwt-verify refuses a mistyped registered claim while parsing.
  {
    name: 'exp as a string',
    token: (ctx) => valid(ctx, { exp: '9999999999' }),
    reason: 'ERR_TOKEN_MALFORMED',
  },
  {
    // It would pass any step-up age and never fall below a user watermark.
    name: 'auth_time later than iat (a future sign-in)',
    token: (ctx) => {
      const now = Math.floor(Date.now() / 1000);
      return valid(ctx, { iat: now, auth_time: now + 3600 });
    },
    reason: 'ERR_TOKEN_CLAIMS',
  },
  { name: 'no jti', token: (ctx) => valid(ctx, { jti: undefined }), reason: 'ERR_TOKEN_CLAIMS' },
  { name: 'no sub', token: (ctx) => valid(ctx, { sub: undefined }), reason: 'ERR_TOKEN_CLAIMS' },
  {
    name: 'wrong iss',
    token: (ctx) => valid(ctx, { iss: 'https://evil.example/us-east-1_LocalPool' }),
    reason: 'ERR_TOKEN_CLAIMS',
  },
  {
    name: 'wrong client_id',
    token: (ctx) => valid(ctx, { client_id: 'another-client' }),
    reason: 'ERR_TOKEN_CLAIMS',
  },
  {
    name: 'token_use id on the API',
    token: (ctx) => valid(ctx, { token_use: 'id', aud: ctx.audience.clientId, client_id: undefined }),
    reason: 'ERR_TOKEN_CLAIMS',
  },
  {
    name: 'token from another user pool (same emulator key)',
    token: (ctx) => mintAccessToken({ ...ctx.audience, userPoolId: `${ctx.audience.region}_OtherPool` }),
    reason: 'ERR_TOKEN_CLAIMS',
  },
  {
    name: 'revoked by jti',
    token: async (ctx) => {
      const token = valid(ctx);
      const claims = decodePayload(token);
      await ctx.revocations.revokeToken(
        { jti: claims.jti as string, sub: claims.sub as string, exp: claims.exp as number },
        by,
      );
      return token;
    },
    reason: 'ERR_TOKEN_REVOKED',
    scope: 'token',
  },
  {
    name: 'revoked by session (origin_jti)',
    token: async (ctx) => {
      const token = valid(ctx);
      const claims = decodePayload(token);
      await ctx.revocations.revokeSession(
        { sessionId: claims.origin_jti as string, sub: claims.sub as string },
        by,
      );
      return token;
    },
    reason: 'ERR_TOKEN_REVOKED',
    scope: 'session',
  },
  {
    name: 'revoked by user watermark',
    token: async (ctx) => {
      const token = valid(ctx);
      await ctx.revocations.revokeUser({ sub: decodePayload(token).sub as string }, by);
      return token;
    },
    reason: 'ERR_TOKEN_REVOKED',
    scope: 'user',
  },
  {
    // A managed-login cookie outlives AdminUserGlobalSignOut: fresh tokens (iat after the watermark) from the old
    // sign-in (auth_time before it) must be refused as well.
    name: 'issued after logout-all from a sign-in before it (managed-login cookie)',
    token: async (ctx) => {
      const sub = randomUUID();
      const signedInAt = Math.floor(Date.now() / 1000) - 600;
      const record = await ctx.revocations.revokeUser({ sub }, by);
      return valid(ctx, { sub, auth_time: signedInAt, iat: record.notBefore });
    },
    reason: 'ERR_TOKEN_REVOKED',
    scope: 'user',
  },
  {
    name: 'revoked by jti, then presented with "=" padding appended to the signature',
    token: async (ctx) => `${await revokedByJti(ctx)}=`,
    reason: 'ERR_TOKEN_REVOKED',
    scope: 'token',
  },
  {
    // aws-jwt-verify decodes base64url strictly: refused before the deny-list is even read.
    name: 'revoked by jti, then presented with the signature in standard base64 (+/)',
    token: async (ctx) => {
      const [header, payload, signature] = segments(await revokedByJti(ctx));
      return `${header}.${payload}.${toStandardAlphabet(signature)}`;
    },
    reason: 'ERR_TOKEN_MALFORMED',
  },
];

/** A token revoked by jti whose signature has `-` or `_` (so the alphabet swap changes its bytes). */
async function revokedByJti(ctx: AttackContext): Promise<string> {
  let token = valid(ctx);
  while (!/[-_]/.test(segments(token)[2])) token = valid(ctx);
  const claims = decodePayload(token);
  await ctx.revocations.revokeToken(
    { jti: claims.jti as string, sub: claims.sub as string, exp: claims.exp as number },
    by,
  );
  return token;
}

/** base64url -> base64 alphabet (same bytes for a lenient decoder). */
export const toStandardAlphabet = (text: string) => text.replace(/-/g, '+').replace(/_/g, '/');

/** The cases for one transport. */
export function casesFor(transport: Transport): readonly AttackCase[] {
  return ATTACK_CASES.filter((c) => (c.transports ?? ['rest', 'websocket']).includes(transport));
}
