// A token bucket over bytes, for the replication throttles (leader.replication.throttled.rate,
// follower.replication.throttled.rate). Tokens come in at `rate` bytes per second, up to one second's
// worth (the burst after an idle spell). A fetch may take more than is there, since a record batch is
// never split: the bucket then goes into debt and nothing more is taken until it is paid back, so
// over any long window the bytes taken stay within rate × window + one second's worth + one fetch.
// Kafka's ReplicationQuotaManager measures a rate over sampled windows instead; the bound it keeps is
// the same in the long run. Pure: times come in as arguments.

export class ByteRateLimiter {
  private tokens: number;
  private updatedAtMs: number;

  /** rate: bytes per second; Infinity (or any non-finite value) means no limit. */
  constructor(private rate: number, nowMs: number) {
    this.tokens = this.capacity;
    this.updatedAtMs = nowMs;
  }

  get limited(): boolean {
    return Number.isFinite(this.rate);
  }

  get bytesPerSecond(): number {
    return this.rate;
  }

  private get capacity(): number {
    return this.limited ? this.rate : Number.POSITIVE_INFINITY;
  }

  /** A new rate; what was saved up stays (within the new capacity), a debt stays to be paid. */
  setRate(rate: number, nowMs: number): void {
    if (rate === this.rate) return;
    this.refill(nowMs);
    this.rate = rate;
    this.tokens = Math.min(this.tokens, this.capacity);
  }

  /** Bytes that may be taken now; 0 or less: none until waitMs() has passed. */
  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }

  /** Takes bytes (after the fact: what a fetch carried), going into debt if need be. */
  take(bytes: number, nowMs: number): void {
    if (!this.limited || bytes <= 0) return;
    this.refill(nowMs);
    this.tokens -= bytes;
  }

  /** Milliseconds until something may be taken again (0 when it may now). */
  waitMs(nowMs: number): number {
    const tokens = this.available(nowMs);
    if (tokens > 0 || !this.limited) return 0;
    return this.rate <= 0 ? Number.POSITIVE_INFINITY : Math.ceil(((1 - tokens) * 1000) / this.rate);
  }

  private refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.updatedAtMs);
    this.updatedAtMs = Math.max(this.updatedAtMs, nowMs);
    if (!this.limited) {
      this.tokens = Number.POSITIVE_INFINITY;
      return;
    }
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.rate) / 1000);
  }
}
