/**
 * At most `limit` alerts about one webhook per sliding `windowMs`, so an endpoint that fails a
 * thousand deliveries produces a handful of pages, not a thousand. Pure and in memory: the caller
 * decides what to do with a refusal (drop it, or count it for a later summary).
 */
export class AlertRateLimit {
  private readonly sent = new Map<number, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error('limit must be a positive integer');
    if (!(windowMs > 0)) throw new Error('windowMs must be positive');
  }

  /** True (and counted) when an alert about this webhook may go out now; false when over the limit. */
  tryAcquire(webhookId: number, now = Date.now()): boolean {
    const recent = this.recent(webhookId, now);
    if (recent.length >= this.limit) return false;
    recent.push(now);
    this.sent.set(webhookId, recent);
    return true;
  }

  /** How many more alerts about this webhook may go out now. */
  remaining(webhookId: number, now = Date.now()): number {
    return Math.max(0, this.limit - this.recent(webhookId, now).length);
  }

  /** Milliseconds until the next alert about this webhook would be allowed (0: now). */
  retryInMs(webhookId: number, now = Date.now()): number {
    const recent = this.recent(webhookId, now);
    if (recent.length < this.limit) return 0;
    return recent[recent.length - this.limit] + this.windowMs - now;
  }

  private recent(webhookId: number, now: number): number[] {
    const times = (this.sent.get(webhookId) ?? []).filter((t) => t > now - this.windowMs);
    if (times.length === 0) this.sent.delete(webhookId);
    else this.sent.set(webhookId, times);
    return times;
  }
}
