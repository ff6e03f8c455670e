import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import { SharedWriteLock, sharedWriteLock } from './shared-write-lock';
import { Priority, QueuedTask, WriteQueue } from './write-queue';

/** Requests written together in one embedded-database transaction, at most. */
const MAX_GROUP = 32;

/**
 * One caller's unit of work in a transaction (a task, in a group): what it leaves to be written just
 * before the commit, and what is to run after it.
 */
interface Unit {
  batches: Map<object, { items: unknown[]; write: (items: unknown[]) => Promise<void> }>;
  callbacks: (() => void)[];
}

const newUnit = (): Unit => ({ batches: new Map(), callbacks: [] });

/** What one task of a group came to, kept until the group's transaction has committed. */
type TaskResult = { value: unknown; callbacks: (() => void)[] } | { error: unknown };

/**
 * Runs a unit of work in a transaction. SQLite (the embedded default) has one shared connection in
 * TypeORM, so concurrent transactions would interleave on it; there they are queued, and the requests
 * waiting together are written as one group (see writeGroup). Every write in Homa goes through here,
 * so a rollback can never take another caller's write with it.
 */
@Injectable()
export class TransactionService {
  private readonly serialise: boolean;
  private readonly queue = new WriteQueue<EntityManager>(
    (group) => this.writeGroup(group),
    MAX_GROUP,
  );
  /** With a delivery thread on the same SQLite file: whose turn it is to write, across threads. */
  private readonly shared: SharedWriteLock | null;
  /** The unit of work in progress on each transaction's manager. */
  private readonly units = new WeakMap<EntityManager, Unit>();

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
    return this.queue.run(work, priority);
  }

  /**
   * Runs `callback` after the transaction of `manager` commits (never if it rolls back). Outside a
   * transaction it runs at once. Callbacks must not throw: the commit has happened whatever they do.
   */
  afterCommit(manager: EntityManager, callback: () => void): void {
    const unit = this.units.get(manager);
    if (unit) unit.callbacks.push(callback);
    else callback();
  }

  /**
   * Rows of one kind (`owner`) that the unit of work on `manager` writes together, just before it
   * commits and inside its transaction (a failure rolls the unit back): the caller pushes onto the
   * array answered, and `write` gets them all, once. Outside a transaction: null (write at once).
   */
  batch<T>(
    manager: EntityManager,
    owner: object,
    write: (items: T[]) => Promise<void>,
  ): T[] | null {
    const unit = this.units.get(manager);
    if (!unit) return null;
    let batch = unit.batches.get(owner);
    if (!batch) {
      batch = { items: [], write: write as (items: unknown[]) => Promise<void> };
      unit.batches.set(owner, batch);
    }
    return batch.items as T[];
  }

  /** Runs `work` as a unit on `manager`, then writes its batches; answers what it left to do after commit. */
  private async runUnit<T>(
    manager: EntityManager,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<{ value: T; callbacks: (() => void)[] }> {
    const unit = newUnit();
    this.units.set(manager, unit);
    const value = await work(manager);
    for (const { items, write } of unit.batches.values()) if (items.length > 0) await write(items);
    return { value, callbacks: unit.callbacks };
  }

  private async transaction<T>(
    work: (manager: EntityManager) => Promise<T>,
    isolation?: IsolationLevel,
  ): Promise<T> {
    const run = (manager: EntityManager) => this.runUnit(manager, work);
    const { value, callbacks } = isolation
      ? await this.dataSource.transaction(isolation, run)
      : await this.dataSource.transaction(run);
    for (const callback of callbacks) callback();
    return value;
  }

  /**
   * One transaction on the embedded database for a group of queued tasks: one turn of the write lock
   * shared with the delivery thread, and one commit, instead of one each. Under load the request
   * thread otherwise spent most of each request waiting for its turn (3.2 ms on average, against
   * 0.75 ms of holding it) while turns alternated between the threads. In a group each task runs in a
   * savepoint of its own, so one that fails is rolled back alone and its caller gets its error; the
   * others' callers are answered once the group has committed. Should the transaction itself fail
   * (its commit, or a rollback to a savepoint), no task of the group has been written and every
   * caller gets that error.
   */
  private async writeGroup(group: QueuedTask<EntityManager>[]): Promise<void> {
    const results: TaskResult[] = [];
    const write = () =>
      this.dataSource.transaction(async (m) => {
        for (const task of group) results.push(await this.runTask(m, task, group.length > 1));
      });
    await (this.shared ? this.shared.hold(write) : write());
    group.forEach((task, i) => {
      const result = results[i];
      if ('error' in result) return task.reject(result.error);
      for (const callback of result.callbacks) callback();
      task.resolve(result.value);
    });
  }

  private async runTask(
    m: EntityManager,
    task: QueuedTask<EntityManager>,
    savepoint: boolean,
  ): Promise<TaskResult> {
    // Alone in its transaction: a failure rolls the transaction back.
    if (!savepoint) return this.runUnit(m, task.call);
    await m.query('SAVEPOINT homa_task');
    try {
      const done = await this.runUnit(m, task.call);
      await m.query('RELEASE homa_task');
      return done;
    } catch (error) {
      try {
        await m.query('ROLLBACK TO homa_task');
        await m.query('RELEASE homa_task');
      } catch {
        // SQLite ended the whole transaction (e.g. the disk is full): the group fails with this error.
        throw error;
      }
      return { error };
    }
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
