// DPoP proof rules (RFC 9449 §4.3) through the real jose verifier, table-driven, with a frozen clock.

import type { JWTHeaderParameters } from 'jose';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { JoseDpopVerifier } from '../../lambdas/adapters/jose-dpop-verifier';
import type { DpopDeps, ProofExpectation, ProofReplayGuard } from '../../lambdas/shared/dpop';
import {
  accessTokenHash,
  checkProof,
  dpopChallenge,
  isThumbprint,
  sameTarget,
} from '../../lambdas/shared/dpop';
import type { DeviceKey, ProofOptions } from '../helpers/dpop';
import { newDeviceKey, proofFor, unsignedJws } from '../helpers/dpop';

const NOW = 1_800_000_000;
const URL_ME = 'https://app.example.com/api/me';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl';
const verifier = new JoseDpopVerifier();

let key: DeviceKey;
let other: DeviceKey;
beforeAll(async () => {
  key = await newDeviceKey();
  other = await newDeviceKey();
});

function deps(replay?: ProofReplayGuard): DpopDeps {
  return { verifier, clock: { nowSeconds: () => NOW }, ...(replay ? { replay } : {}) };
}

const expectation = (): ProofExpectation => ({
  method: 'GET',
  url: URL_ME,
  accessToken: TOKEN,
  jkt: key.jkt,
});
const proof = (options: Partial<ProofOptions> = {}, by: DeviceKey = key) =>
  proofFor(by, { method: 'GET', url: URL_ME, accessToken: TOKEN, iat: NOW, ...options });

describe('checkProof', () => {
  it('accepts a proof by the bound key for this method, URL and token, returning its thumbprint and id', async () => {
    const decision = await checkProof(await proof({ jti: 'proof-0000000001' }), expectation(), deps());
    expect(decision).toEqual({ ok: true, jkt: key.jkt, jti: 'proof-0000000001' });
  });

  it.each([
    ['the query and fragment of the request URL', 'https://app.example.com/api/me?x=1#top'],
    ['upper-case scheme and host and the default port', 'HTTPS://APP.example.com:443/api/me'],
  ])('accepts ignoring %s', async (_name, url) => {
    const decision = await checkProof(await proof(), { ...expectation(), url }, deps());
    expect(decision.ok).toBe(true);
  });

  it('accepts an unbound request (no jkt, no token) and reports the key it was signed with', async () => {
    const decision = await checkProof(
      await proof({ accessToken: undefined, method: 'POST' }),
      { method: 'POST', url: URL_ME },
      deps(),
    );
    expect(decision).toMatchObject({ ok: true, jkt: key.jkt });
  });

  it('accepts a proof from 60 s ago and 10 s ahead (clock drift), and no further', async () => {
    for (const iat of [NOW - 60, NOW + 10]) {
      expect((await checkProof(await proof({ iat }), expectation(), deps())).ok).toBe(true);
    }
    for (const iat of [NOW - 61, NOW + 11]) {
      expect(await checkProof(await proof({ iat }), expectation(), deps())).toMatchObject({
        reason: 'ERR_DPOP_STALE',
      });
    }
  });

  type Case = [
    name: string,
    make: () => Promise<string | undefined>,
    reason: string,
    expected?: Partial<ProofExpectation>,
  ];
  const cases: Case[] = [
    ['no proof', async () => undefined, 'ERR_DPOP_MISSING'],
    ['an empty proof', async () => '', 'ERR_DPOP_MISSING'],
    ['a value that is not a compact JWS', async () => 'not.a-jws', 'ERR_DPOP_MALFORMED'],
    [
      'a proof longer than 4 KB',
      async () => proof({ claims: { pad: 'x'.repeat(5000) } }),
      'ERR_DPOP_MALFORMED',
    ],
    ['typ JWT instead of dpop+jwt', async () => proof({ header: { typ: 'JWT' } }), 'ERR_DPOP_MALFORMED'],
    [
      'a crit header',
      async () =>
        unsignedJws({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk, crit: ['x'], x: 1 }, {}, 'c2ln'),
      'ERR_DPOP_MALFORMED',
    ],
    [
      'alg none (unsigned)',
      async () => unsignedJws({ typ: 'dpop+jwt', alg: 'none', jwk: key.publicJwk }, { jti: 'x'.repeat(16) }),
      'ERR_DPOP_ALG',
    ],
    ['an HS256 proof with a symmetric jwk', async () => hmacProof(), 'ERR_DPOP_ALG'],
    ['an RS256 proof with its RSA jwk (key confusion)', async () => rsaProof(), 'ERR_DPOP_ALG'],
    ['a jwk with its private part d', async () => privateJwkProof(), 'ERR_DPOP_KEY'],
    ['no jwk', async () => proof({ header: { jwk: undefined } }), 'ERR_DPOP_KEY'],
    [
      'a jwk of another curve',
      async () => proof({ header: { jwk: { ...key.publicJwk, crv: 'P-384' } } }),
      'ERR_DPOP_KEY',
    ],
    [
      'a signature by another key than the jwk',
      async () => proof({ header: { jwk: other.publicJwk } }),
      'ERR_DPOP_SIGNATURE',
    ],
    ['a tampered payload', async () => tamper(await proof()), 'ERR_DPOP_SIGNATURE'],
    ['no jti', async () => proof({ claims: { jti: undefined } }), 'ERR_DPOP_MALFORMED'],
    ['a short jti', async () => proof({ jti: 'abc' }), 'ERR_DPOP_MALFORMED'],
    ['no htm', async () => proof({ claims: { htm: undefined } }), 'ERR_DPOP_MALFORMED'],
    ['no htu', async () => proof({ claims: { htu: undefined } }), 'ERR_DPOP_MALFORMED'],
    ['no iat', async () => proof({ claims: { iat: undefined } }), 'ERR_DPOP_MALFORMED'],
    ['a string iat', async () => proof({ claims: { iat: String(NOW) } }), 'ERR_DPOP_MALFORMED'],
    ['another method', async () => proof({ method: 'POST' }), 'ERR_DPOP_REQUEST'],
    ['a lower-case method', async () => proof({ method: 'get' }), 'ERR_DPOP_REQUEST'],
    ['another path', async () => proof({ url: 'https://app.example.com/api/admin' }), 'ERR_DPOP_REQUEST'],
    ['another host', async () => proof({ url: 'https://evil.example.net/api/me' }), 'ERR_DPOP_REQUEST'],
    [
      'the execute-api host',
      async () => proof({ url: 'https://abc123.execute-api.us-east-1.amazonaws.com/prod/api/me' }),
      'ERR_DPOP_REQUEST',
    ],
    ['plain http', async () => proof({ url: 'http://app.example.com/api/me' }), 'ERR_DPOP_REQUEST'],
    ['an htu that is not a URL', async () => proof({ url: '/api/me' }), 'ERR_DPOP_REQUEST'],
    ['iat 10 minutes ago', async () => proof({ iat: NOW - 600 }), 'ERR_DPOP_STALE'],
    ['iat 10 minutes ahead', async () => proof({ iat: NOW + 600 }), 'ERR_DPOP_STALE'],
    ['no ath with a token', async () => proof({ accessToken: undefined }), 'ERR_DPOP_ATH'],
    ['a wrong ath', async () => proof({ claims: { ath: accessTokenHash(`${TOKEN}x`) } }), 'ERR_DPOP_ATH'],
    ['a proof made for another token', async () => proof({ accessToken: `${TOKEN}.other` }), 'ERR_DPOP_ATH'],
    ['a proof by another key than the bound one', async () => proof({}, other), 'ERR_DPOP_KEY_MISMATCH'],
    ['no nonce when one is required', async () => proof(), 'ERR_DPOP_NONCE', { nonce: 'n-1' }],
    ['another nonce', async () => proof({ nonce: 'n-0' }), 'ERR_DPOP_NONCE', { nonce: 'n-1' }],
  ];

  // A rest parameter: jest reads a callback with more parameters than the row as one that takes `done`.
  it.each(cases)('rejects %s', async (...[, make, reason, overrides]: Case) => {
    const decision = await checkProof(await make(), { ...expectation(), ...overrides }, deps());
    expect(decision).toMatchObject({ ok: false, reason });
  });

  it('answers use_dpop_nonce for a missing nonce and invalid_dpop_proof for every other proof fault', async () => {
    const nonce = await checkProof(await proof(), { ...expectation(), nonce: 'n-1' }, deps());
    expect(nonce).toEqual({ ok: false, reason: 'ERR_DPOP_NONCE', error: 'use_dpop_nonce' });
    const stale = await checkProof(await proof({ iat: NOW - 600 }), expectation(), deps());
    expect(stale).toEqual({ ok: false, reason: 'ERR_DPOP_STALE', error: 'invalid_dpop_proof' });
  });

  it('rejects a replayed proof: the guard accepts each key and id once', async () => {
    const seen = new Set<string>();
    const guard: ProofReplayGuard = {
      firstUse: async (jkt, jti) => !seen.has(`${jkt}|${jti}`) && !!seen.add(`${jkt}|${jti}`),
    };
    const once = await proof();
    expect((await checkProof(once, expectation(), deps(guard))).ok).toBe(true);
    expect(await checkProof(once, expectation(), deps(guard))).toMatchObject({ reason: 'ERR_DPOP_REPLAY' });
  });

  it('asks the guard to remember the proof until its window closes, and only for proofs that passed', async () => {
    const calls: unknown[][] = [];
    const guard: ProofReplayGuard = { firstUse: async (...args) => (calls.push(args), true) };
    await checkProof(await proof({ iat: NOW - 600 }), expectation(), deps(guard));
    await checkProof(await proof({ jti: 'proof-0000000002', iat: NOW - 5 }), expectation(), deps(guard));
    expect(calls).toEqual([[key.jkt, 'proof-0000000002', NOW - 5 + 60]]);
  });

  it('fails closed when the replay guard is unavailable', async () => {
    const guard: ProofReplayGuard = { firstUse: async () => Promise.reject(new Error('ECONNREFUSED')) };
    expect(await checkProof(await proof(), expectation(), deps(guard))).toEqual({
      ok: false,
      reason: 'ERR_STORE_UNAVAILABLE',
      error: 'invalid_dpop_proof',
    });
  });

  it('never calls the verifier for a proof whose header is refused', async () => {
    let verified = 0;
    const counting: DpopDeps = { ...deps(), verifier: { verify: (p) => (verified++, verifier.verify(p)) } };
    await checkProof(await proof({ header: { typ: 'JWT' } }), expectation(), counting);
    await checkProof(await hmacProof(), expectation(), counting);
    expect(verified).toBe(0);
  });
});

describe('JoseDpopVerifier', () => {
  it.each([
    ['alg none', () => unsignedJws({ typ: 'dpop+jwt', alg: 'none', jwk: key.publicJwk }, {}), 'ERR_DPOP_ALG'],
    ['HS256', () => hmacProof(), 'ERR_DPOP_ALG'],
    ['RS256 with its RSA jwk', () => rsaProof(), 'ERR_DPOP_ALG'],
    ['a jwk with d (the private key itself)', () => privateJwkProof(), 'ERR_DPOP_KEY'],
    [
      'a jwk with a bogus d',
      () => proof({ header: { jwk: { ...key.publicJwk, d: key.publicJwk.x } } }),
      'ERR_DPOP_KEY',
    ],
    ['a signature by another key', () => proof({ header: { jwk: other.publicJwk } }), 'ERR_DPOP_SIGNATURE'],
  ])('rejects %s on its own (defence in depth behind the header rules)', async (_name, make, reason) => {
    expect(await verifier.verify(await make())).toEqual({ ok: false, reason });
  });

  it('reports the RFC 7638 thumbprint of the key that signed the proof', async () => {
    const decision = await verifier.verify(await proof());
    expect(decision).toMatchObject({ ok: true, proof: { thumbprint: key.jkt } });
    expect(isThumbprint(key.jkt)).toBe(true);
  });
});

describe('sameTarget and dpopChallenge', () => {
  it.each([
    ['https://a.example/x', 'https://a.example/x?q', true],
    ['https://a.example/x', 'https://a.example/x/', false],
    ['https://a.example/x/../y', 'https://a.example/y', true],
    ['wss://a.example/ws', 'wss://a.example/ws', true],
    ['wss://a.example/ws', 'https://a.example/ws', false],
    ['https://user:pw@a.example/x', 'https://a.example/x', false],
  ])('compares %s with %s as %s', (htu, url, same) => {
    expect(sameTarget(htu, url)).toBe(same);
  });

  it('renders the RFC 9449 §7.1 challenge with the reason and the accepted algorithm', () => {
    expect(dpopChallenge({ reason: 'ERR_DPOP_NONCE', error: 'use_dpop_nonce' })).toBe(
      'DPoP realm="cognito-guard", error="use_dpop_nonce", error_description="ERR_DPOP_NONCE", algs="ES256"',
    );
  });
});

async function hmacProof(): Promise<string> {
  const secret = new TextEncoder().encode('a-shared-secret-of-32-bytes-long!');
  return new SignJWT({
    jti: 'hmac-000000000001',
    htm: 'GET',
    htu: URL_ME,
    iat: NOW,
    ath: accessTokenHash(TOKEN),
  })
    .setProtectedHeader({
      typ: 'dpop+jwt',
      alg: 'HS256',
      jwk: { kty: 'oct', k: Buffer.from(secret).toString('base64url') },
    } as JWTHeaderParameters)
    .sign(secret);
}

/** The proof a careless client makes when its key is extractable: the whole private JWK in the header. */
async function privateJwkProof(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return new SignJWT({
    jti: 'priv-000000000001',
    htm: 'GET',
    htu: URL_ME,
    iat: NOW,
    ath: accessTokenHash(TOKEN),
  })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
    .sign(privateKey);
}

async function rsaProof(): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return new SignJWT({
    jti: 'rsa-0000000000001',
    htm: 'GET',
    htu: URL_ME,
    iat: NOW,
    ath: accessTokenHash(TOKEN),
  })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'RS256', jwk: await exportJWK(publicKey) })
    .sign(privateKey);
}

function tamper(jws: string): string {
  const [header, payload, signature] = jws.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...claims, htu: URL_ME, jti: 'forged-000000000001' })).toString(
    'base64url',
  );
  return `${header}.${forged}.${signature}`;
}
