import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isMainThread } from 'node:worker_threads';
import { DataSource } from 'typeorm';
import { sharedWriteLock } from './shared-write-lock';

/** SQLite's own default: a checkpoint once the WAL holds 1,000 pages. */
const AUTO_CHECKPOINT_PAGES = 1000;
const INTERVAL_MS = 200;

/**
 * Embedded database with a delivery thread (`homa serve`). SQLite checkpoints the write-ahead log in
 * whichever commit crosses 1,000 pages: that commit copies the pages into the database file and fsyncs
 * it, milliseconds in which its thread does nothing else (3,000 tickets: the request thread's commit
 * p99 was 4.1 ms and its slowest 17 ms; with this, 0.3 ms and 4.4 ms). Here the request thread's
 * connection never checkpoints; the delivery thread's connection does, in its own commits and every
 * INTERVAL_MS (PASSIVE: never blocking a reader or a writer). Without a delivery thread (tests, the
 * CLI, DELIVERY_THREAD=false) SQLite's default stays.
 */
@Injectable()
export class WalCheckpointer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WalCheckpointer.name);
  private timer: NodeJS.Timeout | null = null;
  private handedOff = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    // The shared write lock exists exactly when two threads write to one SQLite file.
    if (this.dataSource.options.type !== 'better-sqlite3' || !sharedWriteLock()) return;
    if (isMainThread) {
      await this.dataSource.query('PRAGMA wal_autocheckpoint = 0');
      this.handedOff = true;
      return;
    }
    this.timer = setInterval(() => void this.checkpoint(), INTERVAL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (!this.handedOff || !this.dataSource.isInitialized) return;
    // The delivery thread is stopping or gone: this connection checkpoints for itself again.
    this.handedOff = false;
    await this.dataSource
      .query(`PRAGMA wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`)
      .catch((error: Error) =>
        this.logger.error(`Could not restore WAL autocheckpoint: ${error.message}`),
      );
  }

  private async checkpoint(): Promise<void> {
    try {
      await this.dataSource.query('PRAGMA wal_checkpoint(PASSIVE)');
    } catch (error) {
      this.logger.warn(`WAL checkpoint failed: ${(error as Error).message}`);
    }
  }
}
