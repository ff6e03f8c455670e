import { AsyncLocalStorage } from 'node:async_hooks';
import { QueuedTask, WriteQueue } from './write-queue';

/** Runs each group's tasks one after another, settling each; records the groups' sizes. */
function sequential(groups: number[] = []) {
  return async (group: QueuedTask<void>[]) => {
    groups.push(group.length);
    for (const task of group) {
      try {
        task.resolve(await task.call());
      } catch (error) {
        task.reject(error);
      }
    }
  };
}

describe('WriteQueue', () => {
  it('runs one task at a time, foreground before background, in order within each', async () => {
    const queue = new WriteQueue<void>(sequential(), 10);
    const order: string[] = [];
    let running = 0;
    const task = (name: string) => async () => {
      running += 1;
      expect(running).toBe(1);
      await new Promise((r) => setImmediate(r));
      order.push(name);
      running -= 1;
      return name;
    };
    const all = [
      queue.run(task('b1'), 'background'),
      queue.run(task('b2'), 'background'),
      queue.run(task('f1')),
      queue.run(task('f2')),
    ];
    await expect(Promise.all(all)).resolves.toEqual(['b1', 'b2', 'f1', 'f2']);
    expect(order).toEqual(['b1', 'f1', 'f2', 'b2']);
  });

  it('groups the foreground tasks that waited together (at most maxGroup); background ones go alone', async () => {
    const groups: number[] = [];
    const queue = new WriteQueue<void>(sequential(groups), 3);
    let release!: () => void;
    const first = queue.run(() => new Promise<void>((r) => (release = r)));
    const waiting = [
      ...Array.from({ length: 5 }, () => queue.run(() => Promise.resolve())),
      queue.run(() => Promise.resolve(), 'background'),
      queue.run(() => Promise.resolve(), 'background'),
    ];
    release();
    await Promise.all([first, ...waiting]);
    expect(groups).toEqual([1, 3, 2, 1, 1]);
  });

  it('keeps going after a task fails, and fails a whole group whose runner throws', async () => {
    const queue = new WriteQueue<void>(sequential(), 10);
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(queue.run(() => Promise.resolve(7))).resolves.toBe(7);

    const broken = new WriteQueue<void>(() => Promise.reject(new Error('commit failed')), 10);
    await expect(broken.run(() => Promise.resolve(1))).rejects.toThrow('commit failed');
    await expect(broken.run(() => Promise.resolve(2))).rejects.toThrow('commit failed');
  });

  it("runs each task in its caller's async context, not in that of the task that started it", async () => {
    const queue = new WriteQueue<void>(sequential(), 10);
    const storage = new AsyncLocalStorage<string>();
    let release!: () => void;
    const first = storage.run('first', () =>
      queue.run(async () => {
        await new Promise<void>((r) => (release = r));
        return storage.getStore();
      }),
    );
    const second = storage.run('second', () =>
      queue.run(() => Promise.resolve(storage.getStore())),
    );
    const third = queue.run(() => Promise.resolve(storage.getStore()), 'background');
    release();
    await expect(Promise.all([first, second, third])).resolves.toEqual([
      'first',
      'second',
      undefined,
    ]);
  });
});
