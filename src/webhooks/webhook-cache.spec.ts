import { EventEmitter2 } from '@nestjs/event-emitter';
import type { TransactionService } from '../database/transaction.service';
import type { Webhook } from './entities/webhook.entity';
import { WebhookCache } from './webhook-cache';

/** A database whose reads of webhook 1 wait until `answer()` is called, and are counted. */
function database() {
  const pending: ((webhook: Webhook) => void)[] = [];
  let version = 0;
  const manager = {
    findOneBy: () =>
      new Promise<Webhook>((resolve) => {
        const asked = version;
        pending.push(() => resolve({ id: 1, url: `http://v${asked}` } as Webhook));
      }),
  };
  const tx = {
    read: (work: (m: typeof manager) => Promise<unknown>) => work(manager),
  } as unknown as TransactionService;
  return {
    tx,
    reads: () => pending.length,
    change: () => (version += 1),
    answer: () => pending.splice(0).forEach((resolve) => resolve({} as Webhook)),
    /** The later read answers first: the slower, older answer must not overwrite it. */
    answerNewestFirst: () =>
      pending
        .splice(0)
        .reverse()
        .forEach((resolve) => resolve({} as Webhook)),
  };
}

describe('WebhookCache', () => {
  it('answers every attempt that asks while a read is in flight with that one read', async () => {
    const db = database();
    const cache = new WebhookCache(db.tx, new EventEmitter2());
    const asks = Array.from({ length: 20 }, () => cache.get(1));
    expect(db.reads()).toBe(1);
    db.answer();
    const answers = await Promise.all(asks);
    expect(new Set(answers.map((w) => w?.url))).toEqual(new Set(['http://v0']));
    // Kept: no further read within the TTL.
    await cache.get(1);
    expect(db.reads()).toBe(0);
  });

  it('reads again after an invalidation, and does not keep a read that was in flight before it', async () => {
    const db = database();
    const cache = new WebhookCache(db.tx, new EventEmitter2());
    const before = cache.get(1);
    db.change();
    cache.invalidate(1);
    const after = cache.get(1);
    expect(db.reads()).toBe(2);
    db.answerNewestFirst();
    expect((await before)?.url).toBe('http://v0');
    expect((await after)?.url).toBe('http://v1');
    expect((await cache.get(1))?.url).toBe('http://v1');
    expect(db.reads()).toBe(0);
  });
});
