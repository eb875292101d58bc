/**
 * A token bucket per tenant (Cortex's local ingestion rate strategy): `rate` samples per second,
 * up to `burst` at once. A request that would take more tokens than are available is refused
 * whole and takes none.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; last: number }>();

  constructor(private readonly clock: { now(): number }) {}

  allow(tenant: string, n: number, rate: number, burst: number): boolean {
    if (rate <= 0) return true;
    const now = this.clock.now();
    let b = this.buckets.get(tenant);
    if (!b) this.buckets.set(tenant, (b = { tokens: burst, last: now }));
    b.tokens = Math.min(burst, b.tokens + ((now - b.last) / 1000) * rate);
    b.last = now;
    if (n > b.tokens) return false;
    b.tokens -= n;
    return true;
  }
}
