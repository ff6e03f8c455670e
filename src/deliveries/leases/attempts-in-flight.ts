import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { setMaxListeners } from 'node:events';
import { Env } from '../../config/env.validation';

/** How long interrupted attempts get to end and hand over their outcomes, past the grace. */
const AFTER_INTERRUPT_MS = 5_000;
const CHECK_EVERY_MS = 20;

/**
 * The shutdown grace this process's attempts in flight get
 * (`SHUTDOWN_GRACE_SECONDS`): a stopping transport (in-process queue, delivery thread, BullMQ worker)
 * stops taking work and waits for its attempts; those still open when the grace ends are aborted
 * through `signal`. The sender then answers them as `interrupted` (the receiver did nothing wrong):
 * their outcome is written, the delivery is due again at once and the attempt is not counted
 * against its retries. One log line says how many were interrupted, and for which webhooks.
 */
@Injectable()
export class AttemptsInFlight {
  private readonly logger = new Logger('Shutdown');
  private readonly controller = new AbortController();
  /** Webhook id → attempts interrupted. */
  private readonly interrupted = new Map<number, number>();
  readonly graceMs: number;

  constructor(config: ConfigService<Env, true>) {
    // Every attempt in flight listens to the one signal (WEBHOOK_CONCURRENCY of them): not a leak.
    setMaxListeners(0, this.controller.signal);
    this.graceMs = config.get('SHUTDOWN_GRACE_SECONDS', { infer: true }) * 1000;
  }

  /** Aborted once the grace has ended: every request in flight then, and any started after. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** An attempt of the webhook's came back interrupted. */
  noteInterrupted(webhookId: number): void {
    this.interrupted.set(webhookId, (this.interrupted.get(webhookId) ?? 0) + 1);
  }

  /**
   * Waits while `busy()` (the transport's work in hand) for at most the grace; then interrupts the
   * requests still in flight and waits, briefly, for the work to end with their outcomes.
   */
  async settle(busy: () => boolean): Promise<void> {
    const deadline = Date.now() + this.graceMs;
    while (busy() && Date.now() < deadline) await sleep(CHECK_EVERY_MS);
    if (!busy()) return;
    this.controller.abort(
      new Error(
        `Interrupted: the process stopped and its shutdown grace (SHUTDOWN_GRACE_SECONDS=${this.graceMs / 1000}) ended before the receiver answered`,
      ),
    );
    const end = Date.now() + AFTER_INTERRUPT_MS;
    while (busy() && Date.now() < end) await sleep(CHECK_EVERY_MS);
  }

  /** Logs, once outcomes are written, the attempts the grace interrupted. */
  report(): void {
    if (this.interrupted.size === 0) return;
    const total = [...this.interrupted.values()].reduce((a, b) => a + b, 0);
    const webhooks = [...this.interrupted]
      .sort(([a], [b]) => a - b)
      .map(([id, n]) => `${id} (${n})`)
      .join(', ');
    this.logger.warn(
      `Shutdown grace of ${this.graceMs / 1000} s ended with ${total} attempt(s) in flight: interrupted, recorded as \`interrupted\` and due again at once; webhooks ${webhooks}`,
    );
    this.interrupted.clear();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
