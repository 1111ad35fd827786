// DPoP attacks against GET /me on the offline stack with device binding enforced: every case 401 with its RFC 9449
// §7.1 challenge, the typed reason in the body, exactly one auth_denied line, and no token or proof in any log line.
import { generateKeyPair, exportJWK, SignJWT } from 'jose';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import { accessTokenHash } from '../../lambdas/shared/dpop';
import type { CapturedLogs } from '../helpers/capture-logs';
import { captureLogs } from '../helpers/capture-logs';
import type { DeviceKey, ProofOptions } from '../helpers/dpop';
import { newDeviceKey, proofFor, unsignedJws } from '../helpers/dpop';
import { mintAccessToken } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import { deniedLines, rawRequest, startLoggingStack } from './support';
import { AUTHORIZER_DENIAL_CHALLENGE_WITH_DPOP } from '../../lambdas/shared/gateway-responses';

let stack: TestStack;
let logs: CapturedLogs;
let device: DeviceKey;
let other: DeviceKey;
let previousMode: string | undefined;
let requestNumber = 0;

beforeAll(async () => {
  previousMode = process.env[AuthorizerEnv.dpopMode];
  process.env[AuthorizerEnv.dpopMode] = 'enforce';
  ({ stack } = await startLoggingStack());
  device = await newDeviceKey();
  other = await newDeviceKey();
});

afterAll(async () => {
  await stack?.dispose();
  if (previousMode === undefined) delete process.env[AuthorizerEnv.dpopMode];
  else process.env[AuthorizerEnv.dpopMode] = previousMode;
});

beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.stop());

const url = () => `${stack.outputs.apiUrl}/me`;
const boundToken = () => mintAccessToken(stack.outputs, { cnf: { jkt: device.jkt } });
const proof = (token: string, options: Partial<ProofOptions> = {}, key = device) =>
  proofFor(key, { method: 'GET', url: url(), accessToken: token, ...options });

async function me(authorization: string, dpop?: string) {
  const userAgent = `dpop-attacks/${++requestNumber}`;
  const response = await rawRequest(url(), {
    headers: { Authorization: authorization, 'User-Agent': userAgent, ...(dpop ? { DPoP: dpop } : {}) },
  });
  return { ...response, userAgent };
}

/** Signs a proof with a key of another type, embedding its own public key (the jwk confusion attempts). */
async function foreignProof(alg: 'RS256' | 'HS256', token: string): Promise<string> {
  const payload = {
    jti: `foreign-${++requestNumber}-0000000`,
    htm: 'GET',
    htu: url(),
    iat: Math.floor(Date.now() / 1000),
    ath: accessTokenHash(token),
  };
  if (alg === 'HS256') {
    const secret = new TextEncoder().encode('a-shared-secret-of-32-bytes-long!');
    return new SignJWT(payload)
      .setProtectedHeader({
        typ: 'dpop+jwt',
        alg,
        jwk: { kty: 'oct', k: Buffer.from(secret).toString('base64url') } as never,
      })
      .sign(secret);
  }
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return new SignJWT(payload)
    .setProtectedHeader({ typ: 'dpop+jwt', alg, jwk: await exportJWK(publicKey) })
    .sign(privateKey);
}

async function privateJwkProof(token: string): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const payload = {
    jti: `priv-${++requestNumber}-000000000`,
    htm: 'GET',
    htu: url(),
    iat: Math.floor(Date.now() / 1000),
    ath: accessTokenHash(token),
  };
  return new SignJWT(payload).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk }).sign(privateKey);
}

type Attack = [
  name: string,
  make: (token: string) => Promise<{ authorization: string; dpop?: string }>,
  reason: string,
  error: string,
];
const now = () => Math.floor(Date.now() / 1000);
const attacks: Attack[] = [
  [
    'a bound token as Bearer (downgrade)',
    async (t) => ({ authorization: `Bearer ${t}`, dpop: await proof(t) }),
    'ERR_DPOP_SCHEME',
    'invalid_token',
  ],
  [
    'a bound token without a proof',
    async (t) => ({ authorization: `DPoP ${t}` }),
    'ERR_DPOP_MISSING',
    'invalid_dpop_proof',
  ],
  [
    'alg none',
    async (t) => ({
      authorization: `DPoP ${t}`,
      dpop: unsignedJws(
        { typ: 'dpop+jwt', alg: 'none', jwk: device.publicJwk },
        { jti: 'none-0000000000001', htm: 'GET', htu: url(), iat: now(), ath: accessTokenHash(t) },
      ),
    }),
    'ERR_DPOP_ALG',
    'invalid_dpop_proof',
  ],
  [
    'HS256 with a symmetric jwk',
    async (t) => ({ authorization: `DPoP ${t}`, dpop: await foreignProof('HS256', t) }),
    'ERR_DPOP_ALG',
    'invalid_dpop_proof',
  ],
  [
    'RS256 with its own RSA jwk (key confusion)',
    async (t) => ({ authorization: `DPoP ${t}`, dpop: await foreignProof('RS256', t) }),
    'ERR_DPOP_ALG',
    'invalid_dpop_proof',
  ],
  [
    'a jwk carrying the private key (d)',
    async (t) => ({ authorization: `DPoP ${t}`, dpop: await privateJwkProof(t) }),
    'ERR_DPOP_KEY',
    'invalid_dpop_proof',
  ],
  [
    'a signature by another key than the jwk',
    async (t) => ({ authorization: `DPoP ${t}`, dpop: await proof(t, { header: { jwk: other.publicJwk } }) }),
    'ERR_DPOP_SIGNATURE',
    'invalid_dpop_proof',
  ],
  [
    "another device's key",
    async (t) => ({ authorization: `DPoP ${t}`, dpop: await proof(t, {}, other) }),
    'ERR_DPOP_KEY_MISMATCH',
    'invalid_dpop_proof',
  ],
  [
    'another method',
    async (t) => ({ authorization: `DPoP ${t}`, dpop: await proof(t, { method: 'POST' }) }),
    'ERR_DPOP_REQUEST',
    'invalid_dpop_proof',
  ],
  [
    'another path',
    async (t) => ({
      authorization: `DPoP ${t}`,
      dpop: await proof(t, { url: `${stack.outputs.apiUrl}/me/sessions` }),
    }),
    'ERR_DPOP_REQUEST',
    'invalid_dpop_proof',
  ],
  [
    'another host',
    async (t) => ({
      authorization: `DPoP ${t}`,
      dpop: await proof(t, { url: 'https://evil.example.net/api/me' }),
    }),
    'ERR_DPOP_REQUEST',
    'invalid_dpop_proof',
  ],
  [
    'the execute-api host',
    async (t) => ({
      authorization: `DPoP ${t}`,
      dpop: await proof(t, { url: 'https://abc123.execute-api.us-east-1.amazonaws.com/api/me' }),
    }),
    'ERR_DPOP_REQUEST',
    'invalid_dpop_proof',
  ],
  [
    'iat 10 minutes ago',
    async (t) => ({ authorization: `DPoP ${t}`, dpop: await proof(t, { iat: now() - 600 }) }),
    'ERR_DPOP_STALE',
    'invalid_dpop_proof',
  ],
  [
    'iat 10 minutes ahead',
    async (t) => ({ authorization: `DPoP ${t}`, dpop: await proof(t, { iat: now() + 600 }) }),
    'ERR_DPOP_STALE',
    'invalid_dpop_proof',
  ],
  [
    'no ath',
    async (t) => ({ authorization: `DPoP ${t}`, dpop: await proof(t, { accessToken: undefined }) }),
    'ERR_DPOP_ATH',
    'invalid_dpop_proof',
  ],
  [
    'a wrong ath',
    async (t) => ({
      authorization: `DPoP ${t}`,
      dpop: await proof(t, { claims: { ath: accessTokenHash('x') } }),
    }),
    'ERR_DPOP_ATH',
    'invalid_dpop_proof',
  ],
  [
    'a proof made for another token',
    async (t) => ({ authorization: `DPoP ${t}`, dpop: await proof(boundToken()) }),
    'ERR_DPOP_ATH',
    'invalid_dpop_proof',
  ],
  [
    'an unbound token with the DPoP scheme',
    async () => {
      const t = mintAccessToken(stack.outputs);
      return { authorization: `DPoP ${t}`, dpop: await proof(t) };
    },
    'ERR_DPOP_SCHEME',
    'invalid_token',
  ],
];

describe('GET /me DPoP attacks (dpop: enforce)', () => {
  it('allows the bound token with a proof by its key (the baseline the attacks vary)', async () => {
    const token = boundToken();
    expect((await me(`DPoP ${token}`, await proof(token))).status).toBe(200);
  });

  // The REST answer's challenge is the gateway response's static one (docs/errors.md); the rule's own RFC 9449 error
  // (`invalid_dpop_proof` / `invalid_token`, the table's last column) is what the core decides (test/unit/dpop.test.ts).
  it.each(attacks)('denies %s', async (...[, make, reason]: Attack) => {
    const token = boundToken();
    const { authorization, dpop } = await make(token);
    const response = await me(authorization, dpop);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(AUTHORIZER_DENIAL_CHALLENGE_WITH_DPOP);
    expect(JSON.parse(response.body)).toMatchObject({ error: reason });
    const lines = deniedLines(logs, response.userAgent);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ reason });
    const logged = JSON.stringify(logs.lines());
    expect(logged).not.toContain(authorization.split(' ')[1]);
    if (dpop) expect(logged).not.toContain(dpop);
  });
});
