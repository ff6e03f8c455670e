import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Worker } from 'node:worker_threads';
import { DataSource } from 'typeorm';

/** SQLite's own default: a checkpoint once the WAL holds 1,000 pages. */
const AUTO_CHECKPOINT_PAGES = 1000;
const INTERVAL_MS = 200;

/**
 * The checkpointing thread: its own connection to the database file, copying committed WAL frames into
 * the database (PASSIVE: it never blocks a reader or a writer) every INTERVAL_MS. Plain JavaScript, run
 * with `eval`, so it needs no build step of its own.
 */
const CHECKPOINT_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: error.message });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  process.exit(0);
});
`;

/**
 * Embedded database only. SQLite checkpoints the write-ahead log in whichever commit crosses 1,000 pages:
 * that commit then writes the pages into the database file and fsyncs it, 3–8 ms in which this process
 * answers nothing (a third of all commit time under load, measured). Here a thread of its own does the
 * checkpoints, and this process's connection stops doing them. If that thread cannot start or stops,
 * the connection checkpoints for itself again, so the log never grows without bound.
 */
@Injectable()
export class WalCheckpointer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WalCheckpointer.name);
  private worker: Worker | null = null;
  private stopping = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get running(): boolean {
    return this.worker !== null;
  }

  async onApplicationBootstrap(): Promise<void> {
    const file = this.dataSource.options.database;
    if (this.dataSource.options.type !== 'better-sqlite3' || typeof file !== 'string') return;
    const worker = new Worker(CHECKPOINT_THREAD, {
      eval: true,
      workerData: { driver: require.resolve('better-sqlite3'), file, intervalMs: INTERVAL_MS },
    });
    // The thread keeps no one waiting: the process may exit while it runs.
    worker.unref();
    worker.on('message', (message: { error?: string }) => {
      if (message.error) this.logger.warn(`WAL checkpoint failed: ${message.error}`);
    });
    worker.on('error', (error) => this.logger.error(`WAL checkpoint thread: ${error.message}`));
    worker.on('exit', () => {
      this.worker = null;
      if (!this.stopping) void this.checkpointInProcess();
    });
    this.worker = worker;
    await this.dataSource.query('PRAGMA wal_autocheckpoint = 0');
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    if (!worker) return;
    await this.checkpointInProcess();
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('stop');
    await exited;
  }

  /** Back to SQLite's default: the connection checkpoints in its own commits. */
  private async checkpointInProcess(): Promise<void> {
    if (!this.dataSource.isInitialized) return;
    await this.dataSource
      .query(`PRAGMA wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`)
      .catch((error: Error) =>
        this.logger.error(`Could not restore WAL autocheckpoint: ${error.message}`),
      );
  }
}
