// The reuse registry: which presented refresh token is current, a grace-period race, reuse, or unknown.

import type { SessionRecord } from '../../lambdas/sessions/ports';
import {
  classifyPresentedToken,
  MAX_ROTATED_FINGERPRINTS,
  refreshedSession,
  refreshFingerprint,
} from '../../lambdas/sessions/refresh-registry';

const NOW = 1_800_000_000;
const GRACE = 10;

const session: Pick<SessionRecord, 'status' | 'expiresAt' | 'refreshFingerprint' | 'rotated'> = {
  status: 'active',
  expiresAt: NOW + 3600,
  refreshFingerprint: refreshFingerprint('rt-3'),
  rotated: [
    { fingerprint: refreshFingerprint('rt-1'), rotatedAt: NOW - 600 },
    { fingerprint: refreshFingerprint('rt-2'), rotatedAt: NOW - 5 },
  ],
};

describe('refreshFingerprint', () => {
  it('is the SHA-256 hex of the token, never the token', () => {
    expect(refreshFingerprint('rt-1')).toMatch(/^[0-9a-f]{64}$/);
    expect(refreshFingerprint('rt-1')).not.toBe(refreshFingerprint('rt-2'));
  });
});

describe('classifyPresentedToken', () => {
  it.each<[string, string, Partial<typeof session>, number, string]>([
    ['the current token', 'rt-3', {}, NOW, 'current'],
    ['a token rotated away 5 s ago (inside the grace period)', 'rt-2', {}, NOW, 'grace'],
    ['a token rotated away exactly at the end of the grace period', 'rt-2', {}, NOW + 5, 'grace'],
    ['a token rotated away 11 s ago', 'rt-2', {}, NOW + 6, 'reuse'],
    ['a token rotated away 10 minutes ago', 'rt-1', {}, NOW, 'reuse'],
    ['a token this session never issued', 'rt-x', {}, NOW, 'unknown'],
    ['any token of a revoked session', 'rt-3', { status: 'revoked' }, NOW, 'revoked'],
    ['a rotated token of a revoked session', 'rt-1', { status: 'revoked' }, NOW, 'revoked'],
    ['any token of an expired session', 'rt-3', { expiresAt: NOW }, NOW, 'expired'],
  ])('classifies %s', (_case, token, overrides, now, expected) => {
    expect(classifyPresentedToken({ ...session, ...overrides }, refreshFingerprint(token), now, GRACE)).toBe(
      expected,
    );
  });

  it('treats any rotated token as reuse when the grace period is 0', () => {
    expect(classifyPresentedToken(session, refreshFingerprint('rt-2'), NOW, 0)).toBe('reuse');
  });
});

describe('refreshedSession', () => {
  const issued = { jti: 'jti-9', exp: NOW + 900 };

  it('moves the current fingerprint to the registry when the token endpoint rotated the refresh token', () => {
    const next = refreshedSession(
      session,
      { ...issued, newRefreshFingerprint: refreshFingerprint('rt-4') },
      NOW,
    );
    expect(next).toEqual({
      refreshFingerprint: refreshFingerprint('rt-4'),
      rotated: [...session.rotated, { fingerprint: refreshFingerprint('rt-3'), rotatedAt: NOW }],
      latestJti: 'jti-9',
      latestJtiExpiresAt: NOW + 900,
      refreshedAt: NOW,
    });
  });

  it('keeps the fingerprints when no new refresh token came back (rotation off, emulator)', () => {
    const next = refreshedSession(session, issued, NOW);
    expect(next.refreshFingerprint).toBe(session.refreshFingerprint);
    expect(next.rotated).toBe(session.rotated);
    expect(next.latestJti).toBe('jti-9');
  });

  it('does not register the current token as rotated when the same token comes back', () => {
    const next = refreshedSession(
      session,
      { ...issued, newRefreshFingerprint: session.refreshFingerprint },
      NOW,
    );
    expect(next.rotated).toEqual(session.rotated);
  });

  it('keeps only the newest fingerprints', () => {
    const full = {
      refreshFingerprint: 'current',
      rotated: Array.from({ length: MAX_ROTATED_FINGERPRINTS }, (_, i) => ({
        fingerprint: `old-${i}`,
        rotatedAt: i,
      })),
    };
    const next = refreshedSession(full, { ...issued, newRefreshFingerprint: 'new' }, NOW);
    expect(next.rotated).toHaveLength(MAX_ROTATED_FINGERPRINTS);
    expect(next.rotated[0]?.fingerprint).toBe('old-1');
    expect(next.rotated.at(-1)).toEqual({ fingerprint: 'current', rotatedAt: NOW });
  });
});
