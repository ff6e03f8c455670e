import { Batcher, ItemResult } from './batcher';

/** A batcher whose runs wait until released, recording each batch it was given. */
function gated(max: number) {
  const batches: number[][] = [];
  const releases: (() => void)[] = [];
  const batcher = new Batcher<number, number>(async (items) => {
    batches.push(items);
    await new Promise<void>((resolve) => releases.push(resolve));
    return items.map((n): ItemResult<number> =>
      n < 0 ? { error: new Error(`bad ${n}`) } : { value: n * 10 },
    );
  }, max);
  const releaseNext = async () => {
    while (releases.length === 0) await new Promise((r) => setImmediate(r));
    releases.shift()!();
  };
  return { batcher, batches, releaseNext };
}

describe('Batcher', () => {
  it('starts a lone item at once, and batches the items that arrive meanwhile, at most max, in order', async () => {
    const { batcher, batches, releaseNext } = gated(3);
    const results = [1, 2, 3, 4, 5, 6].map((n) => batcher.submit(n));
    expect(batches).toEqual([[1]]);
    await releaseNext();
    await releaseNext();
    await releaseNext();
    await expect(Promise.all(results)).resolves.toEqual([10, 20, 30, 40, 50, 60]);
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6]]);
  });

  it('fails only the items the run answered with an error', async () => {
    const { batcher, releaseNext } = gated(10);
    const first = batcher.submit(1);
    const rest = [2, -3, 4].map((n) => batcher.submit(n).catch((e: Error) => e.message));
    await releaseNext();
    await releaseNext();
    await expect(first).resolves.toBe(10);
    await expect(Promise.all(rest)).resolves.toEqual([20, 'bad -3', 40]);
  });

  it('fails every item of a batch whose run throws, and goes on with the next batch', async () => {
    let calls = 0;
    const batcher = new Batcher<number, number>((items) => {
      calls++;
      if (calls === 2) return Promise.reject(new Error('database gone'));
      return Promise.resolve(items.map((n) => ({ value: n })));
    }, 10);
    const results = [1, 2, 3].map((n) => batcher.submit(n).catch((e: Error) => e.message));
    await expect(Promise.all(results)).resolves.toEqual([1, 'database gone', 'database gone']);
    await expect(batcher.submit(4)).resolves.toBe(4);
  });
});
