import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { sharedWriteLock } from '../database/shared-write-lock';
import { ThreadMessage } from './messages';

const STOP_GRACE_MS = 15_000;

/** The main thread's handle on its delivery thread. */
export class DeliveryThread {
  private readonly logger = new Logger('DeliveryThread');
  private wakeScheduled = false;
  private stopping = false;

  private constructor(private readonly worker: Worker) {}

  static async start(): Promise<DeliveryThread> {
    // On the embedded database the two threads take turns to write (see shared-write-lock.ts).
    const worker = new Worker(join(__dirname, 'thread-main.js'), {
      workerData: { writeLock: sharedWriteLock()?.buffer ?? null },
    });
    const thread = new DeliveryThread(worker);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: ThreadMessage) => {
        if (message.type === 'ready') resolve();
        if (message.type === 'failed') reject(new Error(`Delivery thread: ${message.message}`));
      };
      worker.on('message', onMessage);
      worker.once('exit', (code) => reject(new Error(`Delivery thread exited (${code})`)));
    });
    worker.on('exit', (code) => {
      if (thread.stopping) return;
      // Deliveries stop without it: fail loudly, so the supervisor restarts the server.
      thread.logger.error(`Delivery thread exited (${code}); stopping the server`);
      process.exit(1);
    });
    return thread;
  }

  /** Events were committed: the thread fans them out (once per turn of this thread's event loop). */
  wake(): void {
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      this.worker.postMessage({ type: 'wake' } satisfies ThreadMessage);
    });
  }

  /** Lets in-flight attempts finish and their outcomes be written, then ends the thread. */
  async stop(): Promise<void> {
    this.stopping = true;
    const stopped = new Promise<void>((resolve) => {
      this.worker.on('message', (m: ThreadMessage) => m.type === 'stopped' && resolve());
      this.worker.once('exit', () => resolve());
    });
    this.worker.postMessage({ type: 'stop' } satisfies ThreadMessage);
    const timer = setTimeout(() => void this.worker.terminate(), STOP_GRACE_MS);
    await stopped;
    clearTimeout(timer);
    await this.worker.terminate();
    // Even a thread ended in the middle of a transaction leaves no turn waiting.
    sharedWriteLock()?.open();
  }
}
