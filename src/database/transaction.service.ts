import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import { Mutex, Priority } from '../common/mutex';
import { SharedWriteLock, sharedWriteLock } from './shared-write-lock';

/**
 * Runs a unit of work in a transaction. SQLite (the embedded default) has one shared connection in
 * TypeORM, so concurrent transactions would interleave on it; there they are queued one at a time.
 * Every write in Homa goes through here, so a rollback can never take another caller's write with it.
 */
@Injectable()
export class TransactionService {
  private readonly serialise: boolean;
  private readonly queue = new Mutex();
  /** With a delivery thread on the same SQLite file: whose turn it is to write, across threads. */
  private readonly shared: SharedWriteLock | null;
  /** Work to run once a transaction has committed, keyed by that transaction's manager. */
  private readonly committed = new WeakMap<EntityManager, (() => void)[]>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serialise = dataSource.options.type === 'better-sqlite3';
    this.shared = this.serialise ? sharedWriteLock() : null;
  }

  get isSqlite(): boolean {
    return this.serialise;
  }

  /** Reads need no queue: they never hold a transaction open. */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return work(this.dataSource.manager);
  }

  /**
   * `background` work (delivery bookkeeping) yields to requests on the embedded database; on MySQL it
   * runs at READ COMMITTED, so its scans of queue-like tables take no gap locks that would block (or
   * deadlock with) requests inserting new events.
   */
  run<T>(
    work: (manager: EntityManager) => Promise<T>,
    priority: Priority = 'foreground',
  ): Promise<T> {
    if (!this.serialise)
      return this.retryDeadlocks(() =>
        this.transaction(work, priority === 'background' ? 'READ COMMITTED' : undefined),
      );
    const shared = this.shared;
    if (shared) return this.queue.run(() => shared.hold(() => this.transaction(work)), priority);
    return this.queue.run(() => this.transaction(work), priority);
  }

  /**
   * Runs `callback` after the transaction of `manager` commits (never if it rolls back). Outside a
   * transaction it runs at once. Callbacks must not throw: the commit has happened whatever they do.
   */
  afterCommit(manager: EntityManager, callback: () => void): void {
    const callbacks = this.committed.get(manager);
    if (callbacks) callbacks.push(callback);
    else callback();
  }

  private async transaction<T>(
    work: (manager: EntityManager) => Promise<T>,
    isolation?: IsolationLevel,
  ): Promise<T> {
    let callbacks: (() => void)[] = [];
    const run = (manager: EntityManager) => {
      callbacks = [];
      this.committed.set(manager, callbacks);
      return work(manager);
    };
    const result = isolation
      ? await this.dataSource.transaction(isolation, run)
      : await this.dataSource.transaction(run);
    for (const callback of callbacks) callback();
    return result;
  }

  /** MySQL ends one of two deadlocked transactions and asks for it to be run again: do so, a few times. */
  private async retryDeadlocks<T>(transaction: () => Promise<T>, tries = 3): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await transaction();
      } catch (error) {
        const code = (error as { driverError?: { code?: string } }).driverError?.code;
        const retryable = code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
        if (!retryable || attempt >= tries) throw error;
        await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 20));
      }
    }
  }
}
