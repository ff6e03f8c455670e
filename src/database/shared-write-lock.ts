/**
 * The embedded database's write lock, shared by the threads of one process (the server's main thread
 * and its delivery thread, each with a connection of its own). SQLite lets one writer in at a time and
 * makes the others sleep and retry, blocking their whole thread; here a thread waits for its turn without
 * blocking (`Atomics.waitAsync`), in FIFO order, so a request waits behind at most the transaction in
 * progress and the one before it. Within a thread, TransactionService's queue still orders the work.
 *
 * Cells of the shared buffer: the next ticket, the ticket being served, and "released for good" (set
 * once the other thread is gone, so nothing can wait on a ticket that will never be served).
 */
const NEXT = 0;
const SERVING = 1;
const OPEN = 2;

export class SharedWriteLock {
  private readonly cells: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(3 * 4)) {
    this.cells = new Int32Array(buffer);
  }

  async hold<T>(work: () => Promise<T>): Promise<T> {
    const ticket = Atomics.add(this.cells, NEXT, 1);
    for (;;) {
      if (Atomics.load(this.cells, OPEN) === 1) return work();
      const serving = Atomics.load(this.cells, SERVING);
      if (serving === ticket) break;
      const wait = Atomics.waitAsync(this.cells, SERVING, serving);
      if (!wait.async) continue;
      // A pending waitAsync does not keep a thread's event loop alive: this timer does, meanwhile.
      const alive = setInterval(() => undefined, 60_000);
      await wait.value;
      clearInterval(alive);
    }
    try {
      return await work();
    } finally {
      Atomics.add(this.cells, SERVING, 1);
      Atomics.notify(this.cells, SERVING);
    }
  }

  /** No other thread will take part any more: every waiter goes on, and later work takes no turn. */
  open(): void {
    Atomics.store(this.cells, OPEN, 1);
    Atomics.add(this.cells, SERVING, 1);
    Atomics.notify(this.cells, SERVING);
  }
}

let installed: SharedWriteLock | null = null;

/** This thread's share of the lock: set before the app (and its TransactionService) is created. */
export function installSharedWriteLock(lock: SharedWriteLock | null): void {
  installed = lock;
}

export function sharedWriteLock(): SharedWriteLock | null {
  return installed;
}
