/** A token bucket: `burst` requests at once, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes a token if there is one; otherwise returns the seconds until there will be. */
  take(now = Date.now()): { ok: true } | { ok: false; retryAfter: number } {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfter: Math.ceil((1 - this.tokens) / this.perSecond) };
  }

  /** True when the bucket is full again (the key can be forgotten). */
  idle(now = Date.now()): boolean {
    return this.tokens + ((now - this.last) / 1000) * this.perSecond >= this.burst;
  }
}

/** Token buckets by key (a client hash), forgetting idle keys so memory stays bounded. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private sweeps = 0;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
  ) {}

  take(key: string, now = Date.now()) {
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket(this.burst, this.perSecond, now);
      this.buckets.set(key, b);
    }
    if (++this.sweeps % 1000 === 0)
      for (const [k, v] of this.buckets) if (v.idle(now)) this.buckets.delete(k);
    return b.take(now);
  }
}
