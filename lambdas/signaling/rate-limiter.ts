// Per-connection message rate limit: a token bucket per socket, kept in the function instance's memory.

/** Steady rate and burst of client frames per connection. */
export interface RateLimits {
  readonly framesPerSecond: number;
  readonly burst: number;
}

/** Per connection: 10 frames a second steady, bursts of 20 (an offer plus a trickle of ICE candidates). */
export const DEFAULT_RATE_LIMITS: RateLimits = { framesPerSecond: 10, burst: 20 };

/** `throttled`: refuse this frame with an error frame; `close`: the client kept sending after that. */
export type RateVerdict = 'ok' | 'throttled' | 'close';

interface Bucket {
  tokens: number;
  at: number;
  warned: boolean;
}

/** Instances forget buckets idle longer than API Gateway's 10-minute idle timeout once they hold this many. */
const MAX_BUCKETS = 10_000;
const IDLE_SECONDS = 600;

/**
 * Token buckets keyed by connection id. API Gateway may spread one socket's frames over several function
 * instances, each with its own bucket, so in AWS a client gets at most this rate per warm instance (docs/rooms.md);
 * the stage and route throttles bound the total.
 */
export class ConnectionRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limits: RateLimits) {}

  /** Takes one token for a frame arriving at `nowSeconds`. */
  take(connectionId: string, nowSeconds: number): RateVerdict {
    if (this.buckets.size >= MAX_BUCKETS) this.evictIdle(nowSeconds);
    const bucket = this.buckets.get(connectionId) ?? {
      tokens: this.limits.burst,
      at: nowSeconds,
      warned: false,
    };
    bucket.tokens = Math.min(
      this.limits.burst,
      bucket.tokens + Math.max(0, nowSeconds - bucket.at) * this.limits.framesPerSecond,
    );
    bucket.at = nowSeconds;
    this.buckets.set(connectionId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.warned = false;
      return 'ok';
    }
    if (bucket.warned) return 'close';
    bucket.warned = true;
    return 'throttled';
  }

  forget(connectionId: string): void {
    this.buckets.delete(connectionId);
  }

  private evictIdle(nowSeconds: number): void {
    for (const [id, bucket] of this.buckets)
      if (nowSeconds - bucket.at > IDLE_SECONDS) this.buckets.delete(id);
  }
}
