// The deny-list rule: which entry revokes a token (jti, session, user watermark on iat and auth_time) and when.

import type { RevocationRecord } from '../../lambdas/shared/ports';
import { revokingScope, tokenExpired } from '../../lambdas/shared/revocation-rules';

const NOW = 1_800_000_000;
const SUB = 'sub-alice';

const watermark = (notBefore: number, extra: Partial<RevocationRecord> = {}): RevocationRecord => ({
  scope: 'user',
  sub: SUB,
  revokedAt: notBefore - 1,
  expiresAt: notBefore + 7 * 86400,
  notBefore,
  reason: 'logout-all',
  actor: SUB,
  ...extra,
});

describe('the user watermark', () => {
  it.each<[string, { iat: number; authTime?: number }, 'user' | undefined]>([
    ['a token issued before it', { iat: NOW - 1, authTime: NOW - 1 }, 'user'],
    // A managed-login cookie mints fresh tokens without a password: issued after, but from the old sign-in.
    ['a token issued after it from a sign-in before it', { iat: NOW + 60, authTime: NOW - 600 }, 'user'],
    ['a fresh sign-in after it', { iat: NOW + 60, authTime: NOW + 60 }, undefined],
    ['a sign-in at the watermark second', { iat: NOW, authTime: NOW }, undefined],
    ['a token without auth_time issued after it', { iat: NOW + 1 }, undefined],
  ])('%s → %s', (_name, times, expected) => {
    expect(revokingScope({ sub: SUB, ...times }, [watermark(NOW)], NOW + 120)).toBe(expected);
  });

  it('applies only to its own user', () => {
    expect(revokingScope({ sub: 'sub-bob', iat: NOW - 5, authTime: NOW - 5 }, [watermark(NOW)], NOW)).toBe(
      undefined,
    );
  });
});

describe('entry expiry, on the verifier’s boundary', () => {
  const token: RevocationRecord = {
    scope: 'token',
    sub: SUB,
    revokedAt: NOW - 10,
    expiresAt: NOW,
    reason: 'logout',
    actor: SUB,
  };

  it('applies an entry through the second of its expiresAt (aws-jwt-verify accepts exp == now)', () => {
    expect(revokingScope({ sub: SUB, iat: NOW - 100 }, [token], NOW)).toBe('token');
  });

  it('ignores an entry after its expiresAt second', () => {
    expect(revokingScope({ sub: SUB, iat: NOW - 100 }, [token], NOW + 1)).toBe(undefined);
  });

  it('counts a stored token as expired from the second of its exp on (erring closed)', () => {
    expect([tokenExpired(NOW, NOW - 1), tokenExpired(NOW, NOW), tokenExpired(NOW, NOW + 1)]).toEqual([
      false,
      true,
      true,
    ]);
  });
});
