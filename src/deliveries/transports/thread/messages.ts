import type { MetricsSnapshot } from '../../../metrics/metrics.service';

/** From the server's main thread to its delivery thread. */
export type ToThread =
  /** Events were committed: fan them out. */
  | { type: 'fan-out' }
  /** Deliveries became due in the database (released by an outcome recorded here): claim them. */
  | { type: 'poll' }
  /** A webhook changed here: drop the thread's cached copy. */
  | { type: 'invalidate'; webhookId: number }
  | { type: 'metrics'; id: number }
  /** Finish in-flight attempts, write their outcomes, close. */
  | { type: 'stop' };

/** From the delivery thread to the main thread. */
export type FromThread =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'metrics'; id: number; snapshot: MetricsSnapshot }
  | { type: 'stopped' };
