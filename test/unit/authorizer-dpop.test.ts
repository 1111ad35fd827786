// The authorize core with a device-binding check (fakes, frozen clock), and the Authorization scheme parser.

import type { AuthorizeDeps, ProofCheck } from '../../lambdas/authorizer/authorize';
import { authorizeToken } from '../../lambdas/authorizer/authorize';
import { parseCredential } from '../../lambdas/authorizer/dpop-binding';
import type { AccessClaims } from '../../lambdas/shared/claims';

const NOW = 1_800_000_000;
const claims: AccessClaims = {
  sub: 'user-1',
  username: 'alice',
  jti: 'jti-1',
  originJti: 'session-1',
  clientId: 'client',
  iat: NOW - 60,
  exp: NOW + 840,
  groups: [],
  scopes: [],
  jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
};

function deps(): AuthorizeDeps & { lookups: number } {
  const state = {
    lookups: 0,
    verifier: { verify: async () => ({ ok: true as const, claims }) },
    revocations: { lookup: async () => ((state.lookups += 1), []) },
    clock: { nowSeconds: () => NOW },
    requireSessionId: true,
    mode: 'enforce' as const,
  };
  return state;
}

const refusing =
  (monitorOnly: boolean): ProofCheck =>
  async () => ({
    reason: 'ERR_DPOP_KEY_MISMATCH',
    wwwAuthenticate: 'DPoP error="invalid_dpop_proof"',
    monitorOnly,
  });

describe('authorizeToken with a proof check', () => {
  it('denies with the DPoP challenge and never reads the deny-list when the proof is refused', async () => {
    const d = deps();
    expect(await authorizeToken('t', d, undefined, refusing(false))).toMatchObject({
      effect: 'Deny',
      reason: 'ERR_DPOP_KEY_MISMATCH',
      wwwAuthenticate: 'DPoP error="invalid_dpop_proof"',
    });
    expect(d.lookups).toBe(0);
  });

  it('allows in monitor mode and reports what enforce would refuse', async () => {
    expect(await authorizeToken('t', deps(), undefined, refusing(true))).toMatchObject({
      effect: 'Allow',
      wouldDeny: { reason: 'ERR_DPOP_KEY_MISMATCH' },
    });
  });

  it('hands the verified claims (with cnf.jkt) to the check', async () => {
    const seen: AccessClaims[] = [];
    await authorizeToken('t', deps(), undefined, async (c) => void seen.push(c));
    expect(seen).toEqual([claims]);
  });
});

describe('parseCredential', () => {
  it.each([
    ['Bearer abc', { scheme: 'Bearer', token: 'abc', malformed: false }],
    ['DPoP abc', { scheme: 'DPoP', token: 'abc', malformed: false }],
    [undefined, { malformed: false }],
  ])('reads %s', (header, expected) => {
    expect(parseCredential(header)).toEqual(expected);
  });

  it.each(['dpop abc', 'DPoP  abc', 'DPoP abc ', 'Basic abc', 'DPoP', 'Bearer a b'])(
    'rejects %j as malformed',
    (h) => {
      expect(parseCredential(h)).toEqual({ malformed: true });
    },
  );
});
