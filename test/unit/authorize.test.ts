// The authorize core, table-driven with hand-written fakes and a frozen clock.

import type { AuthorizeDeps } from '../../lambdas/authorizer/authorize';
import { authorizeToken, parseBearer } from '../../lambdas/authorizer/authorize';
import type { AccessClaims } from '../../lambdas/shared/claims';
import type { RevocationRecord, VerifyResult } from '../../lambdas/shared/ports';
import type { ReasonCode } from '../../lambdas/shared/reasons';

const NOW = 1_800_000_000;
const claims: AccessClaims = {
  sub: 'user-1',
  username: 'alice',
  jti: 'jti-1',
  originJti: 'session-1',
  clientId: 'client',
  iat: NOW - 60,
  exp: NOW + 840,
  groups: ['admins'],
  scopes: ['openid'],
};

function record(overrides: Partial<RevocationRecord>): RevocationRecord {
  return {
    scope: 'token',
    sub: 'user-1',
    revokedAt: NOW - 5,
    expiresAt: NOW + 100,
    reason: 'logout',
    actor: 'user-1',
    ...overrides,
  };
}

interface Fakes {
  verify?: VerifyResult;
  records?: RevocationRecord[];
  storeDown?: boolean;
  requireSessionId?: boolean;
  mode?: 'enforce' | 'monitor';
}

function deps(fakes: Fakes = {}): AuthorizeDeps & { lookups: number } {
  const state = {
    lookups: 0,
    verifier: { verify: async () => fakes.verify ?? { ok: true as const, claims } },
    revocations: {
      lookup: async () => {
        state.lookups += 1;
        if (fakes.storeDown) throw new Error('connect ECONNREFUSED');
        return fakes.records ?? [];
      },
    },
    clock: { nowSeconds: () => NOW },
    requireSessionId: fakes.requireSessionId ?? true,
    mode: fakes.mode ?? 'enforce',
  };
  return state;
}

describe('authorizeToken', () => {
  it('allows a verified, unrevoked token and returns the identity', async () => {
    expect(await authorizeToken('t', deps())).toEqual({
      effect: 'Allow',
      identity: {
        sub: 'user-1',
        username: 'alice',
        groups: ['admins'],
        scopes: ['openid'],
        jti: 'jti-1',
        sessionId: 'session-1',
        iat: NOW - 60,
        exp: NOW + 840,
      },
    });
  });

  const verifierReasons: ReasonCode[] = [
    'ERR_TOKEN_MALFORMED',
    'ERR_TOKEN_SIGNATURE',
    'ERR_TOKEN_EXPIRED',
    'ERR_TOKEN_CLAIMS',
    'ERR_JWKS_UNAVAILABLE',
  ];
  it.each(verifierReasons)('denies with %s from the verifier and never touches the store', async (reason) => {
    const d = deps({ verify: { ok: false, reason } });
    expect(await authorizeToken('t', d)).toEqual({ effect: 'Deny', reason });
    expect(d.lookups).toBe(0);
  });

  const revoked: Array<[string, RevocationRecord[], string]> = [
    ['denies a token revoked by jti', [record({ scope: 'token' })], 'token'],
    ['denies a token revoked by session', [record({ scope: 'session' })], 'session'],
    [
      'denies a token issued before the user watermark',
      [record({ scope: 'user', notBefore: NOW - 30 })],
      'user',
    ],
  ];
  it.each(revoked)('%s', async (_name, records, scope) => {
    expect(await authorizeToken('t', deps({ records }))).toMatchObject({
      effect: 'Deny',
      reason: 'ERR_TOKEN_REVOKED',
      scope,
    });
  });

  it.each([
    ['admin', 'admin'],
    ['cognito:AdminDisableUser', 'cognito-change'],
    ['refresh-reuse', 'refresh-reuse'],
    ['logout-all', 'user'],
  ])('denies a token revoked with reason %p and names the cause %p', async (reason, cause) => {
    const records = [record({ scope: 'session', reason })];
    expect(await authorizeToken('t', deps({ records }))).toMatchObject({
      effect: 'Deny',
      reason: 'ERR_TOKEN_REVOKED',
      cause,
    });
  });

  it('denies a token revoked for a reason it does not know without naming a cause', async () => {
    const decision = await authorizeToken('t', deps({ records: [record({ scope: 'token', reason: 'x' })] }));
    expect(decision).toMatchObject({ effect: 'Deny', reason: 'ERR_TOKEN_REVOKED' });
    expect(decision).not.toHaveProperty('cause');
  });

  it('allows a token issued after the user watermark', async () => {
    const d = deps({ records: [record({ scope: 'user', notBefore: NOW - 120 })] });
    expect(await authorizeToken('t', d)).toMatchObject({ effect: 'Allow' });
  });

  it('ignores entries whose expiresAt has passed (TTL deletion is lazy)', async () => {
    const d = deps({ records: [record({ scope: 'session', expiresAt: NOW - 1 })] });
    expect(await authorizeToken('t', d)).toMatchObject({ effect: 'Allow' });
  });

  it('allows a revoked token in monitor mode and reports what it would have denied', async () => {
    const d = deps({ records: [record({ scope: 'session' })], mode: 'monitor' });
    expect(await authorizeToken('t', d)).toMatchObject({
      effect: 'Allow',
      wouldDeny: { reason: 'ERR_TOKEN_REVOKED', scope: 'session' },
    });
  });

  it.each(verifierReasons)('denies with %s in monitor mode too', async (reason) => {
    expect(await authorizeToken('t', deps({ verify: { ok: false, reason }, mode: 'monitor' }))).toEqual({
      effect: 'Deny',
      reason,
    });
  });

  it('fails closed in monitor mode when the store is down', async () => {
    expect(await authorizeToken('t', deps({ storeDown: true, mode: 'monitor' }))).toMatchObject({
      effect: 'Deny',
      reason: 'ERR_STORE_UNAVAILABLE',
    });
  });

  it('denies with ERR_TOKEN_MISSING when there is no token', async () => {
    expect(await authorizeToken(undefined, deps())).toEqual({ effect: 'Deny', reason: 'ERR_TOKEN_MISSING' });
  });

  it('fails closed with ERR_STORE_UNAVAILABLE when the store is down', async () => {
    expect(await authorizeToken('t', deps({ storeDown: true }))).toMatchObject({
      effect: 'Deny',
      reason: 'ERR_STORE_UNAVAILABLE',
    });
  });

  it('denies a token without origin_jti when session ids are required', async () => {
    const withoutSession: AccessClaims = { ...claims, originJti: undefined };
    const d = deps({ verify: { ok: true, claims: withoutSession } });
    expect(await authorizeToken('t', d)).toMatchObject({ effect: 'Deny', reason: 'ERR_TOKEN_CLAIMS' });
  });

  it('allows a token without origin_jti when session ids are not required (offline emulator)', async () => {
    const withoutSession: AccessClaims = { ...claims, originJti: undefined };
    const d = deps({ verify: { ok: true, claims: withoutSession }, requireSessionId: false });
    expect(await authorizeToken('t', d)).toMatchObject({ effect: 'Allow' });
  });
});

describe('parseBearer', () => {
  it.each([
    ['Bearer abc.def.ghi', { token: 'abc.def.ghi', malformed: false }],
    // The auth-scheme is case-insensitive (RFC 7235 §2.1); the token itself is not.
    ['bearer abc.def.ghi', { token: 'abc.def.ghi', malformed: false }],
    ['BEARER AbC.dEf', { token: 'AbC.dEf', malformed: false }],
    [undefined, { malformed: false }],
    ['', { malformed: false }],
  ])('parses %p', (value, expected) => {
    expect(parseBearer(value)).toEqual(expected);
  });

  it.each([
    'Bearer  abc',
    'Bearer abc ',
    ' Bearer abc',
    'Basic abc',
    'Bearerabc',
    'Bearers abc',
    'Bearer',
    'Bearer a\nb',
    `Bearer ${'a'.repeat(8193)}`,
  ])('rejects %p as malformed', (value) => {
    expect(parseBearer(value)).toEqual({ malformed: true });
  });
});
