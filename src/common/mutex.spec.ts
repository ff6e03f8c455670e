import { AsyncLocalStorage } from 'node:async_hooks';
import { Mutex } from './mutex';

describe('Mutex', () => {
  it('runs one task at a time, foreground before background, in order within each', async () => {
    const mutex = new Mutex();
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
      mutex.run(task('b1'), 'background'),
      mutex.run(task('b2'), 'background'),
      mutex.run(task('f1')),
      mutex.run(task('f2')),
    ];
    await expect(Promise.all(all)).resolves.toEqual(['b1', 'b2', 'f1', 'f2']);
    expect(order).toEqual(['b1', 'f1', 'f2', 'b2']);
  });

  it('keeps going after a task fails', async () => {
    const mutex = new Mutex();
    await expect(mutex.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.run(() => Promise.resolve(7))).resolves.toBe(7);
  });

  it("runs each task in its caller's async context, not in that of the task that started it", async () => {
    const mutex = new Mutex();
    const storage = new AsyncLocalStorage<string>();
    let release!: () => void;
    const first = storage.run('first', () =>
      mutex.run(async () => {
        await new Promise<void>((r) => (release = r));
        return storage.getStore();
      }),
    );
    const second = storage.run('second', () =>
      mutex.run(() => Promise.resolve(storage.getStore())),
    );
    const third = mutex.run(() => Promise.resolve(storage.getStore()), 'background');
    release();
    await expect(Promise.all([first, second, third])).resolves.toEqual([
      'first',
      'second',
      undefined,
    ]);
  });
});
