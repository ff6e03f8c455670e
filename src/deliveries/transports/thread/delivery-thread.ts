import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Wake } from '../../../common/wake';
import { sharedWriteLock } from '../../../database/shared-write-lock';
import type { MetricsSnapshot } from '../../../metrics/metrics.service';
import { FromThread, ToThread } from './messages';

/**
 * How long a stopping thread may take past its attempts' grace: to interrupt the attempts still in
 * flight and write every outcome, then close its database connection.
 */
const STOP_MARGIN_MS = 15_000;
const METRICS_TIMEOUT_MS = 5_000;
/**
 * The delivery thread's young generation, kept small for memory. Under load it scavenges every ~3 MB
 * allocated and promotes jobs that live tens of milliseconds, so its old generation is marked often:
 * 48 MB cut scavenges from ~225 to ~66 per 20,000 deliveries and CPU per delivery by 5–9 %, but raised
 * the peak RSS with 100,000 pending from ~240 to ~265 MB, past the 250 MB goal; 16 MB gained 2–5 %
 * for ~+7 MB, too close to it (bench/profile.js with PROFILE_CPU=0; npm run bench's memory section).
 */
const YOUNG_GENERATION_MB = 8;

/**
 * The main thread's handle on the delivery thread: a worker thread running DeliveryThreadModule (fan-out,
 * sending, outcome recording, retention) with its own database connection, so delivery work uses a core
 * of its own and never queues ahead of an API request.
 */
export class DeliveryThread {
  private readonly logger = new Logger('DeliveryThread');
  /** Notices of one turn of the event loop share one message. */
  private readonly fanOutNotice = new Wake(() => this.post({ type: 'fan-out' }));
  private readonly pollNotice = new Wake(() => this.post({ type: 'poll' }));
  private readonly metricsWaiting = new Map<number, (snapshot: MetricsSnapshot) => void>();
  private metricsAsked = 0;
  private stopping = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: FromThread) => {
      if (message.type !== 'metrics') return;
      this.metricsWaiting.get(message.id)?.(message.snapshot);
      this.metricsWaiting.delete(message.id);
    });
  }

  static async start(): Promise<DeliveryThread> {
    // On the embedded database the two threads take turns to write (see shared-write-lock.ts).
    const worker = new Worker(join(__dirname, 'thread-main.js'), {
      workerData: { writeLock: sharedWriteLock()?.buffer ?? null },
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    const thread = new DeliveryThread(worker);
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromThread) => {
        if (message.type === 'ready') resolve();
        if (message.type === 'failed') reject(new Error(`Delivery thread: ${message.message}`));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`Delivery thread exited (${code})`)));
    });
    worker.on('error', (error) => thread.logger.error(`Delivery thread: ${error.message}`));
    worker.on('exit', (code) => {
      if (thread.stopping) return;
      // Nothing would be delivered any more: stop, so that the supervisor restarts the server. Events
      // and deliveries are in the database; the restarted server takes them up.
      thread.logger.error(`Delivery thread exited (${code}); stopping the server`);
      process.exit(1);
    });
    return thread;
  }

  /** Events were committed: once per turn of this thread's event loop, the thread fans them out. */
  fanOut(): void {
    this.fanOutNotice.wake();
  }

  /** Deliveries became due in the database. */
  poll(): void {
    this.pollNotice.wake();
  }

  invalidate(webhookId: number): void {
    this.post({ type: 'invalidate', webhookId });
  }

  /** The thread's delivery metrics (empty if it does not answer in time). */
  metrics(): Promise<MetricsSnapshot> {
    const id = ++this.metricsAsked;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.metricsWaiting.delete(id);
        resolve([]);
      }, METRICS_TIMEOUT_MS);
      this.metricsWaiting.set(id, (snapshot) => {
        clearTimeout(timer);
        resolve(snapshot);
      });
      this.post({ type: 'metrics', id });
    });
  }

  /**
   * Lets in-flight attempts finish (within `graceMs`, past which the thread interrupts them) and their
   * outcomes be written, then ends the thread.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    const stopped = new Promise<void>((resolve) => {
      this.worker.on('message', (m: FromThread) => m.type === 'stopped' && resolve());
      this.worker.once('exit', () => resolve());
    });
    this.worker.postMessage({ type: 'stop' } satisfies ToThread);
    const limit = graceMs + STOP_MARGIN_MS;
    const timer = setTimeout(() => {
      this.logger.error(`Delivery thread did not stop within ${limit} ms; ending it`);
      void this.worker.terminate();
    }, limit);
    await stopped;
    clearTimeout(timer);
    await this.worker.terminate();
    // Even a thread ended in the middle of a transaction leaves no turn waiting.
    sharedWriteLock()?.open();
  }

  private post(message: ToThread): void {
    if (!this.stopping) this.worker.postMessage(message);
  }
}
