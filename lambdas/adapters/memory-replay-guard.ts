// ProofReplayGuard in the memory of one warm Lambda instance: free, catches replays that reach the same instance.

import type { ProofReplayGuard } from '../shared/dpop';
import type { Clock } from '../shared/ports';

/**
 * Remembers `jkt|jti` until the proof's window closes. One instance serves one request at a time, so `capacity`
 * proofs per window is far above what it can see; past it the oldest entries go (a replay of those is then caught
 * only by the window itself). See docs/device-binding.md for why the authorizer does not write each proof id.
 */
export class MemoryReplayGuard implements ProofReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly capacity = 10_000,
  ) {}

  async firstUse(jkt: string, jti: string, expiresAtSeconds: number): Promise<boolean> {
    const now = this.clock.nowSeconds();
    const key = `${jkt}|${jti}`;
    const until = this.seen.get(key);
    if (until !== undefined && until >= now) return false;
    this.prune(now);
    this.seen.set(key, expiresAtSeconds);
    return true;
  }

  /**
   * From the oldest: drop expired entries, and live ones while still full. Windows have one length, so insertion
   * order is nearly expiry order: stopping at the first live entry keeps each insert amortized O(1).
   */
  private prune(now: number): void {
    for (const [key, until] of this.seen) {
      if (until >= now && this.seen.size < this.capacity) break;
      this.seen.delete(key);
    }
  }
}
