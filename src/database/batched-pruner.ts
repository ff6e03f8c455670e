import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionService } from './transaction.service';

/** Rows deleted per transaction: small, so that no long transaction holds locks others wait on. */
export const PRUNE_BATCH = 500;
const EVERY_MS = 60 * 60 * 1000;
const FIRST_AFTER_MS = 10_000;

/**
 * Deletes in batches until `next` finds nothing: each batch read, then deleted by `remove` in a
 * background transaction of its own, with a turn of the event loop between batches. Answers how many
 * rows `next` found in all.
 */
export async function deleteInBatches<T>(
  tx: TransactionService,
  next: (m: EntityManager) => Promise<T[]>,
  remove: (m: EntityManager, batch: T[]) => Promise<unknown>,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const batch = await tx.read(next);
    if (batch.length === 0) return deleted;
    await tx.run((m) => remove(m, batch), 'background');
    deleted += batch.length;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * A retention job: `prune` runs 10 s after start and then hourly; what it deleted is logged, and a
 * failure is logged and tried again at the next hour.
 */
export abstract class HourlyPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(this.constructor.name);
  private timer: NodeJS.Timeout | null = null;

  /** What is pruned, for the log: e.g. "audit entries older than 90 days". */
  protected abstract describe(): string;

  /** Prunes everything past retention; answers how many rows were deleted. */
  abstract prune(now?: Date): Promise<number>;

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.pruneSafely(), EVERY_MS);
    this.timer.unref();
    setTimeout(() => void this.pruneSafely(), FIRST_AFTER_MS).unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async pruneSafely(): Promise<void> {
    try {
      const deleted = await this.prune();
      if (deleted > 0) this.logger.log(`Pruned ${deleted} ${this.describe()}`);
    } catch (error) {
      this.logger.error(`Pruning ${this.describe()} failed: ${(error as Error).message}`);
    }
  }
}
