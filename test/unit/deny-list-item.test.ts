// Pure rules of a user's deny-list item: every stored layout read, sizes as DynamoDB bills them, what a write may drop.

import {
  droppable,
  FOLD_MARGIN_SECONDS,
  itemSizeBytes,
  PRUNE_GRACE_SECONDS,
  recordsFor,
  toUserItem,
} from '../../lambdas/shared/deny-list-item';

const NOW = 1_800_000_000;
const entry = (revokedAt: number, expiresAt: number) => ({
  revokedAt,
  expiresAt,
  reason: 'logout',
  actor: 'u',
});

describe('toUserItem', () => {
  it('reads the watermark of the one-item-per-entry layout and a later one of the current layout, keeping the later', () => {
    const item = {
      pk: 'user#u',
      scope: 'user',
      sub: 'u',
      notBefore: NOW + 10,
      expiresAt: NOW + 3600,
      revokedAt: NOW,
      user: { ...entry(NOW, NOW + 3600), notBefore: NOW + 5 },
      tokens: { t1: entry(NOW, NOW + 900) },
    };
    expect(toUserItem(item)).toMatchObject({ sub: 'u', user: { notBefore: NOW + 10 }, tokens: { t1: {} } });
    expect(
      toUserItem({ ...item, user: { ...entry(NOW, NOW + 3600), notBefore: NOW + 20 } }).user?.notBefore,
    ).toBe(NOW + 20);
  });

  it.each([
    ['no sub', { tokens: {} }],
    ['a map that is a string', { sub: 'u', sessions: 'junk' }],
    ['a map that is a list', { sub: 'u', tokens: [] }],
    ['an entry without expiresAt', { sub: 'u', tokens: { t: { revokedAt: NOW } } }],
  ])('fails closed on an item with %s', (_case, item) => {
    expect(() => toUserItem(item)).toThrow('unreadable revocation item');
  });
});

describe('recordsFor', () => {
  it("fails closed on another user's item and never finds an inherited property", () => {
    const item = { sub: 'u', tokens: {}, sessions: {} };
    expect(() => recordsFor(item, { sub: 'v', jti: 'j' })).toThrow();
    expect(recordsFor(item, { sub: 'u', jti: 'constructor', originJti: 'toString' })).toEqual([]);
  });
});

describe('droppable', () => {
  it('drops entries expired past the grace and entries the watermark covers by more than the margin, nothing else', () => {
    const item = toUserItem({
      sub: 'u',
      user: { ...entry(NOW, NOW + 86400), notBefore: NOW + 1 },
      tokens: {
        expiredLongAgo: entry(NOW - 2000, NOW - PRUNE_GRACE_SECONDS - 1),
        justExpired: entry(NOW - 30, NOW - 10),
      },
      sessions: {
        covered: entry(NOW - FOLD_MARGIN_SECONDS - 1, NOW + 900),
        tooCloseToTheWatermark: entry(NOW - FOLD_MARGIN_SECONDS + 1, NOW + 900),
      },
    });
    expect(droppable(item, NOW).map((d) => d.id)).toEqual(['expiredLongAgo', 'covered']);
  });
});

describe('itemSizeBytes', () => {
  it('counts names and values as DynamoDB does: UTF-8 bytes, about a byte per two digits, 3 bytes per map plus 1 per element', () => {
    expect(itemSizeBytes({ pk: 'user#u' })).toBe(2 + 6);
    expect(itemSizeBytes({ n: 1234 })).toBe(1 + 3);
    expect(itemSizeBytes({ m: { a: 'x' } })).toBe(1 + 3 + (1 + 1 + 1));
    expect(itemSizeBytes({ é: 'ü' })).toBe(2 + 2);
  });
});
