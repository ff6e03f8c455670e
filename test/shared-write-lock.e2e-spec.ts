import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SharedWriteLock } from '../src/database/shared-write-lock';

// The same class from the build, in a second thread (npm test builds first).
const BUILT = join(__dirname, '../dist/src/database/shared-write-lock.js');
const HOLDS = 300;

/** Holds the lock HOLDS times, each across a few turns of the event loop, marking who is inside. */
async function holdMany(lock: SharedWriteLock, cells: Int32Array): Promise<void> {
  for (let i = 0; i < HOLDS; i++)
    await lock.hold(async () => {
      // Who holds it; if another thread's mark replaces ours while we wait, both were inside.
      Atomics.store(cells, 0, 1);
      await new Promise((r) => setImmediate(r));
      if (Atomics.load(cells, 0) !== 1) Atomics.add(cells, 1, 1);
      await new Promise((r) => setTimeout(r, 0));
      if (Atomics.load(cells, 0) !== 1) Atomics.add(cells, 1, 1);
      Atomics.add(cells, 2, 1);
    });
}

describe('the shared write lock (threads of one process)', () => {
  it('lets one thread at a time hold it, across awaits, and every hold gets its turn', async () => {
    const lock = new SharedWriteLock();
    const state = new SharedArrayBuffer(3 * 4);
    const cells = new Int32Array(state);
    const worker = new Worker(
      `
      const { workerData, parentPort } = require('node:worker_threads');
      const { SharedWriteLock } = require(workerData.built);
      const lock = new SharedWriteLock(workerData.lock);
      const cells = new Int32Array(workerData.state);
      (async () => {
        for (let i = 0; i < workerData.holds; i++)
          await lock.hold(async () => {
            Atomics.store(cells, 0, 2);
            await new Promise((r) => setImmediate(r));
            if (Atomics.load(cells, 0) !== 2) Atomics.add(cells, 1, 1);
            await new Promise((r) => setTimeout(r, 0));
            if (Atomics.load(cells, 0) !== 2) Atomics.add(cells, 1, 1);
            Atomics.add(cells, 2, 1);
          });
        parentPort.postMessage('done');
      })();
      `,
      { eval: true, workerData: { built: BUILT, lock: lock.buffer, state, holds: HOLDS } },
    );
    const done = new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await Promise.all([holdMany(lock, cells), done]);
    await worker.terminate();
    expect(Atomics.load(cells, 1)).toBe(0);
    expect(Atomics.load(cells, 2)).toBe(2 * HOLDS);
  });

  it('once opened, lets waiters past a turn that will never end', async () => {
    const lock = new SharedWriteLock();
    let release!: () => void;
    const stuck = lock.hold(() => new Promise<void>((r) => (release = r)));
    let ran = false;
    const waiting = lock.hold(() => {
      ran = true;
      return Promise.resolve();
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(ran).toBe(false);
    lock.open();
    await waiting;
    expect(ran).toBe(true);
    release();
    await stuck;
  });
});
