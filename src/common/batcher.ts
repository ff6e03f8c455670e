/** What became of one item of a batch: its value, or the error its caller gets. */
export type ItemResult<O> = { value: O } | { error: unknown };

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs items in batches, one batch at a time: the items submitted while a batch runs make up the next
 * one (at most `max`, in order). An item submitted while nothing runs starts a batch of its own at
 * once, so a lone caller waits for nobody. `run` answers one result per item, in order; should it
 * throw, every item of the batch fails with its error. (Each caller's `await` resumes in its own async
 * context; the batch itself runs in that of the caller who started it.)
 */
export class Batcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private busy = false;

  constructor(
    private readonly run: (items: I[]) => Promise<ItemResult<O>[]>,
    private readonly max: number,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.busy) this.next();
    });
  }

  private next(): void {
    const batch = this.waiting.splice(0, this.max);
    this.busy = batch.length > 0;
    if (!this.busy) return;
    this.run(batch.map((w) => w.item))
      .then(
        (results) =>
          batch.forEach((w, i) => {
            const result = results[i] ?? { error: new Error('The batch gave this item no result') };
            if ('error' in result) w.reject(result.error);
            else w.resolve(result.value);
          }),
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      )
      .finally(() => this.next());
  }
}
