/**
 * A BullMQ worker's bound on requests in flight per webhook. A job whose webhook is at its bound may
 * wait a little for a slot, first come first served, if few of that webhook's jobs wait already:
 * under a burst a slot frees within a request's time, and putting the job back in Redis (delayed) and
 * taking it again would cost more than the request. A job that finds no slot in time, or too many
 * waiting before it, is put back (a batch's rest, in Redis) or left to the database (a job already put
 * back once, or claimed by the reconciler) by the caller, so a slow or dead endpoint holds at most
 * `perWebhook + waitingPerWebhook` of the worker's jobs, never the slots the other webhooks need.
 * How long a batch's rest put back stays away follows the webhook's recent request times (see
 * busyDelayMs).
 */
export class EndpointSlots {
  private readonly held = new Map<number, number>();
  private readonly waiting = new Map<number, ((got: boolean) => void)[]>();
  /** A moving average of each webhook's recent request times, ms. */
  private readonly typicalMs = new Map<number, number>();

  constructor(
    private readonly perWebhook: number,
    private readonly waitingPerWebhook: number,
  ) {}

  /**
   * Takes a slot for the webhook, waiting at most `waitMs` for one; answers whether it got one.
   * `bounded: false` waits whatever the number of waiters (a batch job's deliveries: the batch holds
   * one of the worker's jobs however many of them wait).
   */
  take(webhookId: number, waitMs: number, bounded = true): Promise<boolean> {
    const held = this.held.get(webhookId) ?? 0;
    if (held < this.perWebhook) {
      this.held.set(webhookId, held + 1);
      return Promise.resolve(true);
    }
    const queue = this.waiting.get(webhookId) ?? [];
    if ((bounded && queue.length >= this.waitingPerWebhook) || waitMs <= 0)
      return Promise.resolve(false);
    this.waiting.set(webhookId, queue);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const at = queue.indexOf(waiter);
        if (at >= 0) queue.splice(at, 1);
        if (queue.length === 0 && this.waiting.get(webhookId) === queue)
          this.waiting.delete(webhookId);
        resolve(false);
      }, waitMs);
      const waiter = (got: boolean) => {
        clearTimeout(timer);
        resolve(got);
      };
      queue.push(waiter);
    });
  }

  /**
   * Gives a slot back: to the webhook's first waiting job, if any. `durationMs`, the request's time,
   * feeds busyDelayMs.
   */
  release(webhookId: number, durationMs?: number): void {
    if (durationMs !== undefined) {
      const typical = this.typicalMs.get(webhookId);
      this.typicalMs.set(
        webhookId,
        typical === undefined ? durationMs : typical * 0.8 + durationMs * 0.2,
      );
    }
    const queue = this.waiting.get(webhookId);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.waiting.delete(webhookId);
    if (next) return next(true);
    const left = (this.held.get(webhookId) ?? 1) - 1;
    if (left <= 0) this.held.delete(webhookId);
    else this.held.set(webhookId, left);
  }

  /**
   * How long a job that found no slot stays away: about one request's time at this webhook, between
   * `minMs` and `maxMs`. A slot held by a hanging endpoint frees only at its timeout, so its jobs come
   * back about then instead of every few hundred milliseconds.
   */
  busyDelayMs(webhookId: number, minMs: number, maxMs: number): number {
    return Math.min(maxMs, Math.max(minMs, this.typicalMs.get(webhookId) ?? 0));
  }

  /** Slots held for the webhook. */
  inFlight(webhookId: number): number {
    return this.held.get(webhookId) ?? 0;
  }
}

/** A worker's bound on requests in flight in all (`WEBHOOK_CONCURRENCY`), first come first served. */
export class InFlightLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  take(): Promise<void> {
    if (this.running < this.limit) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the place to the first waiter, if any. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }
}
