// Property-based fuzzing of the bearer-header parser and the authorize core (fast-check).

import fc from 'fast-check';
import { authorizeToken, parseBearer } from '../../lambdas/authorizer/authorize';
import type { AccessClaims } from '../../lambdas/shared/claims';
import type { VerifyResult } from '../../lambdas/shared/ports';
import { REASON_CODES } from '../../lambdas/shared/reasons';

const TOKEN_CHARS = /^[A-Za-z0-9\-_.=+/]{1,8192}$/;

const claims: AccessClaims = {
  sub: 's',
  username: 'u',
  jti: 'j',
  originJti: 'o',
  clientId: 'c',
  iat: 1,
  exp: 2,
  groups: [],
  scopes: [],
};

describe('parseBearer (fuzzed)', () => {
  it('never throws and only accepts exactly "Bearer <token chars>" (the scheme in any case)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.constantFrom('Bearer ', 'bearer ', 'BeArEr ').chain((p) => fc.string().map((s) => p + s)),
        ),
        (header) => {
          const parsed = parseBearer(header);
          if (parsed.token !== undefined) {
            expect(parsed.malformed).toBe(false);
            expect(header.slice(0, 7).toLowerCase()).toBe('bearer ');
            expect(header.slice(7)).toBe(parsed.token);
            expect(parsed.token).toMatch(TOKEN_CHARS);
          } else {
            expect(parsed.malformed).toBe(header !== '');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('authorizeToken (fuzzed)', () => {
  const rejected = fc.constantFrom(...REASON_CODES).map((reason): VerifyResult => ({ ok: false, reason }));

  it('never allows a token the verifier rejected, whatever the store says or does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string(),
        rejected,
        fc.boolean(),
        fc.constantFrom('enforce' as const, 'monitor' as const),
        async (token, verdict, storeDown, mode) => {
          const decision = await authorizeToken(token, {
            verifier: { verify: async () => verdict },
            revocations: {
              lookup: async () => {
                if (storeDown) throw new Error('down');
                return [];
              },
            },
            clock: { nowSeconds: () => 0 },
            requireSessionId: false,
            mode,
          });
          expect(decision.effect).toBe('Deny');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never allows when the store fails, in either mode', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('enforce' as const, 'monitor' as const),
        fc.string(),
        async (mode, message) => {
          const decision = await authorizeToken('t', {
            verifier: { verify: async () => ({ ok: true, claims }) },
            revocations: { lookup: async () => Promise.reject(new Error(message)) },
            clock: { nowSeconds: () => 0 },
            requireSessionId: true,
            mode,
          });
          expect(decision).toMatchObject({ effect: 'Deny', reason: 'ERR_STORE_UNAVAILABLE' });
        },
      ),
      { numRuns: 200 },
    );
  });
});
