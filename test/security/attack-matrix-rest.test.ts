// The attack matrix against GET /me on the offline stack: every case 401 with its RFC 6750 challenge, the typed reason
// in the body and exactly one typed auth_denied line.
import { randomUUID } from 'node:crypto';
import { tokenFingerprint } from '../../lambdas/shared/observability';
import type { ReasonCode } from '../../lambdas/shared/reasons';
import type { CapturedLogs } from '../helpers/capture-logs';
import { captureLogs } from '../helpers/capture-logs';
import { forgeJws, rs256, segments } from '../helpers/forge';
import { decodePayload, EMULATOR_KEY, mintAccessToken } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import type { AttackCase, AttackContext, AttackerServer } from './attack-matrix';
import { casesFor, POOL_KID, startAttackerServer, toStandardAlphabet } from './attack-matrix';
import type { RawResponse } from './support';
import { countFetches, deniedLines, rawRequest, startLoggingStack } from './support';

let stack: TestStack;
let attacker: AttackerServer;
let ctx: AttackContext;
let logs: CapturedLogs;
let requestNumber = 0;

beforeAll(async () => {
  attacker = await startAttackerServer();
  const started = await startLoggingStack();
  stack = started.stack;
  ctx = { audience: stack.outputs, attacker, revocations: started.revocations };
  // Warm the verifier's JWKS cache, as any live authorizer's is.
  expect((await me(mintAccessToken(stack.outputs))).status).toBe(200);
});

afterAll(async () => {
  await stack?.dispose();
  await attacker?.close();
});

beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.stop());

/** GET /me with `Authorization: Bearer <token>` (or the exact header value given), tagged with a unique User-Agent. */
async function me(token: string, authorization = `Bearer ${token}`) {
  const userAgent = `attack-matrix/${++requestNumber}`;
  const response = await rawRequest(`${stack.outputs.apiUrl}/me`, {
    headers: { Authorization: authorization, 'User-Agent': userAgent },
  });
  return { ...response, userAgent };
}

describe('GET /me attack matrix', () => {
  const cases = casesFor('rest');

  it.each(cases.map((c): [string, AttackCase] => [c.name, c]))('denies %s', async (_name, attack) => {
    const token = await attack.token(ctx);
    const response = await me(token, attack.authorization?.(token));

    expect(response.status).toBe(401);
    expectChallenge(response, attack.reason);
    const lines = deniedLines(logs, response.userAgent);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      reason: attack.reason,
      route: 'GET /me',
      ...(attack.scope ? { scope: attack.scope } : {}),
    });
    // Claims of a token that did not verify never reach a log as someone's identity.
    if (attack.reason !== 'ERR_TOKEN_REVOKED') expect(lines[0]).not.toHaveProperty('sub');
    // Never the token in a log, nor its signature.
    expect(logs.text()).not.toContain(token);
    if (segments(token)[2].length >= 16) expect(logs.text()).not.toContain(segments(token)[2]);
    expect(attacker.requests).toEqual([]);
  });

  it('covers every case of the shared table that applies to REST', () => {
    expect(cases.length).toBeGreaterThan(80);
  });
});

describe('header smuggling', () => {
  it('denies two Authorization headers (valid + forged, either order) as malformed', async () => {
    const valid = mintAccessToken(stack.outputs);
    const forged = withForeignSignature(valid);
    for (const values of [
      [`Bearer ${valid}`, `Bearer ${forged}`],
      [`Bearer ${forged}`, `Bearer ${valid}`],
      [`Bearer ${valid}`, `Bearer ${valid}`],
    ]) {
      const userAgent = `attack-matrix/${++requestNumber}`;
      const response = await rawRequest(`${stack.outputs.apiUrl}/me`, {
        headers: { Authorization: values as unknown as string, 'User-Agent': userAgent },
      });
      expect(response.status).toBe(401);
      expectChallenge(response, 'ERR_TOKEN_MALFORMED');
      expect(deniedLines(logs, userAgent)).toMatchObject([{ reason: 'ERR_TOKEN_MALFORMED' }]);
    }
  });
});

/**
 * The RFC 6750 challenge and the typed body of a denial: the ACCESS_DENIED gateway response's static header (AWS
 * documents no header mapping from the authorizer context), the reason in the body. Test stacks run device binding
 * in `monitor` (local/stack.ts), so the header offers DPoP too.
 */
function expectChallenge(response: RawResponse, reason: ReasonCode): void {
  expect(response.headers['www-authenticate']).toBe(
    'Bearer realm="cognito-guard", error="invalid_token", DPoP realm="cognito-guard", algs="ES256"',
  );
  expect(JSON.parse(response.body)).toEqual({ error: reason, message: expect.any(String) });
}

/** The same header and claims, signed by the attacker. */
function withForeignSignature(token: string): string {
  const [header, payload] = segments(token);
  return forgeJws(
    Buffer.from(header, 'base64url').toString(),
    Buffer.from(payload, 'base64url').toString(),
    rs256(attacker.privateKey),
  );
}

describe('what the verifier library alone would accept', () => {
  it('accepts "=" padding appended to the signature of an unrevoked token: a deny-list must key on claims', async () => {
    const token = mintAccessToken(stack.outputs);
    const padded = await me(`${token}=`);
    expect(padded.status).toBe(200);
    expect(JSON.parse(padded.body)).toMatchObject({ sub: decodePayload(token).sub });
    // Other bytes, same token: a deny-list keyed on the raw token or its hash would miss it.
    expect(tokenFingerprint(`${token}=`)).not.toBe(tokenFingerprint(token));
  });

  it('refuses the standard base64 alphabet in the signature (strict base64url decoding)', async () => {
    let token = mintAccessToken(stack.outputs);
    while (!/[-_]/.test(segments(token)[2])) token = mintAccessToken(stack.outputs);
    const [header, payload, signature] = segments(token);
    const response = await me(`${header}.${payload}.${toStandardAlphabet(signature)}`);
    expect(response.status).toBe(401);
    expectChallenge(response, 'ERR_TOKEN_MALFORMED');
    expect(deniedLines(logs, response.userAgent)).toMatchObject([{ reason: 'ERR_TOKEN_MALFORMED' }]);
  });

  it('resolves duplicate sub keys once: the identity and the deny-list see the same (last) sub', async () => {
    const [first, last] = [randomUUID(), randomUUID()];
    const payload = JSON.stringify(decodePayload(mintAccessToken(stack.outputs, { sub: last })));
    const token = forgeJws(
      JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: POOL_KID }),
      payload.replace(/^\{/, `{"sub":"${first}",`),
      rs256(EMULATOR_KEY.privateKey),
    );
    const allowed = await me(token);
    expect(allowed.status).toBe(200);
    expect(JSON.parse(allowed.body)).toMatchObject({ sub: last });

    await ctx.revocations.revokeUser({ sub: last }, { actor: 'attack-matrix', reason: 'test' });
    const denied = await me(token);
    expect(denied.status).toBe(401);
    expectChallenge(denied, 'ERR_TOKEN_REVOKED');
    expect(JSON.parse(denied.body).message).toContain('scope user');
    expect(deniedLines(logs, denied.userAgent)).toMatchObject([
      { reason: 'ERR_TOKEN_REVOKED', scope: 'user', sub: last },
    ]);
  });
});

describe('JWKS endpoint under unknown-kid pressure', () => {
  it('denies 100 unknown-kid tokens with at most 2 JWKS fetches between them', async () => {
    const fetches = countFetches(stack.outputs.jwksUri);
    try {
      const unknownKid = () =>
        forgeJws(
          JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: `unknown-${randomUUID()}` }),
          JSON.stringify(decodePayload(mintAccessToken(stack.outputs))),
          rs256(attacker.privateKey),
        );
      const concurrent = await Promise.all(Array.from({ length: 50 }, () => me(unknownKid())));
      const sequential = [];
      for (let i = 0; i < 50; i += 1) sequential.push(await me(unknownKid()));

      for (const response of [...concurrent, ...sequential]) {
        expect(response.status).toBe(401);
        expectChallenge(response, 'ERR_TOKEN_SIGNATURE');
        expect(deniedLines(logs, response.userAgent)).toMatchObject([{ reason: 'ERR_TOKEN_SIGNATURE' }]);
      }
      expect(fetches.count).toBeLessThanOrEqual(2);
      // The pool's own key is cached: valid tokens never wait for the JWKS endpoint.
      expect((await me(mintAccessToken(stack.outputs))).status).toBe(200);
    } finally {
      fetches.restore();
    }
  });
});
