/**
 * Runs a background task when woken: wakes within one turn of the event loop share one run (so the
 * commits of requests handled in the same turn share one pass), at most one run is in progress, and
 * a wake during a run asks for one more run after it. A task that throws ends the run (`onError`
 * hears it); the next wake starts afresh.
 */
export class Wake {
  private running: Promise<void> | null = null;
  private again = false;
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly task: () => unknown,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  wake(): void {
    if (this.stopped || this.scheduled) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped) return;
      if (this.running) {
        this.again = true;
        return;
      }
      this.running = this.runWhileWoken().finally(() => {
        this.running = null;
      });
    });
  }

  /** No more runs; resolves when the one in progress has ended, or after `maxWaitMs`. */
  async stop(maxWaitMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.stopped = true;
    if (!this.running) return;
    if (!Number.isFinite(maxWaitMs)) return this.running;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.running,
      new Promise((resolve) => (timer = setTimeout(resolve, maxWaitMs).unref())),
    ]);
    clearTimeout(timer);
  }

  private async runWhileWoken(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.task();
      } catch (error) {
        this.onError(error instanceof Error ? error : new Error(String(error)));
        return;
      }
    } while (this.again && !this.stopped);
  }
}

/**
 * A one-shot timer that only ever moves earlier: `by(at)` runs the task at `at` unless a run is already
 * set for then or sooner (a poller's wake-up for the earliest retry it knows of).
 */
export class WakeAt {
  private at: number | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly task: () => void) {}

  by(at: number): void {
    if (this.at !== null && this.at <= at) return;
    this.cancel();
    this.at = at;
    this.arm(at);
  }

  /**
   * Node may fire a timer a millisecond before its time (its loop clock is whole milliseconds, read at
   * the start of the turn): a run woken before `at` would find a retry due at `at` not due yet and
   * leave it to the next regular pass, seconds later. So an early timer is set again for the rest.
   */
  private arm(at: number): void {
    this.timer = setTimeout(
      () => {
        if (Date.now() < at) return this.arm(at);
        this.at = null;
        this.timer = null;
        this.task();
      },
      Math.max(0, at - Date.now()),
    );
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.at = null;
  }
}
