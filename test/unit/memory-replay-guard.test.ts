// The in-memory proof replay guard: once per key and id within the window, bounded, with a frozen clock.

import { MemoryReplayGuard } from '../../lambdas/adapters/memory-replay-guard';

describe('MemoryReplayGuard', () => {
  let now = 1_800_000_000;
  const clock = { nowSeconds: () => now };

  it('rejects the second use of one proof id by one key within its window', async () => {
    const guard = new MemoryReplayGuard(clock);
    expect(await guard.firstUse('key-a', 'proof-1', now + 60)).toBe(true);
    expect(await guard.firstUse('key-a', 'proof-1', now + 60)).toBe(false);
  });

  it('keeps ids of different keys apart', async () => {
    const guard = new MemoryReplayGuard(clock);
    expect(await guard.firstUse('key-a', 'proof-1', now + 60)).toBe(true);
    expect(await guard.firstUse('key-b', 'proof-1', now + 60)).toBe(true);
  });

  it('forgets an id once its window closed (the iat rule refuses that proof anyway)', async () => {
    const guard = new MemoryReplayGuard(clock);
    await guard.firstUse('key-a', 'proof-1', now + 60);
    now += 61;
    expect(await guard.firstUse('key-a', 'proof-1', now + 60)).toBe(true);
  });

  it('stays within its capacity, dropping expired entries first, then the oldest', async () => {
    const guard = new MemoryReplayGuard(clock, 3);
    await guard.firstUse('k', 'old', now - 1); // already expired
    await guard.firstUse('k', 'p1', now + 60);
    await guard.firstUse('k', 'p2', now + 60);
    await guard.firstUse('k', 'p3', now + 60); // prunes `old`
    expect(await guard.firstUse('k', 'p1', now + 60)).toBe(false);
    await guard.firstUse('k', 'p4', now + 60); // full of live ids: drops p1, the oldest
    expect(await guard.firstUse('k', 'p3', now + 60)).toBe(false);
    expect(await guard.firstUse('k', 'p1', now + 60)).toBe(true);
  });
});
