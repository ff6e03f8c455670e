import type { ConfigService } from '@nestjs/config';
import type { EntityManager } from 'typeorm';
import type { Env } from '../../config/env.validation';
import type { TransactionService } from '../../database/transaction.service';
import type { DeliveryClaimer } from '../leases/delivery-claimer';
import type { DeliveryJob } from '../leases/delivery-job';
import type { DeliveryQueue } from '../transports/delivery-queue';
import { EventFanOut } from './event-fan-out';

/** A fan-out over one event and one subscribed webhook, on a manager that answers its statements. */
function fanOutWith(enqueue: (jobs: DeliveryJob[]) => void | Promise<void>) {
  const statements: string[] = [];
  let unfanned = true;
  const m = {
    query: (sql: string) => {
      statements.push(sql);
      if (sql.includes('FROM webhook_events')) {
        const rows = unfanned
          ? [
              {
                id: 'e-1',
                name: 'ticket.created',
                body: '{"event":"ticket.created"}',
                ordering_key: 'ticket:1',
                key_seq: 1,
              },
            ]
          : [];
        return Promise.resolve(rows);
      }
      if (sql.includes('FROM webhooks'))
        return Promise.resolve([{ id: 7, ordered: 0, event_all: 0, event_ticket_created: 1 }]);
      if (sql.startsWith('UPDATE webhook_events')) unfanned = false;
      return Promise.resolve([]);
    },
  } as unknown as EntityManager;
  const tx = {
    isSqlite: true,
    run: <T>(work: (manager: EntityManager) => Promise<T>) => work(m),
  } as unknown as TransactionService;
  const queue = {
    fansOut: true,
    ownershipBudget: () => () => true,
    enqueue: jest.fn(enqueue),
    wake: jest.fn(),
  } as unknown as DeliveryQueue & { enqueue: jest.Mock };
  const fanOut = new EventFanOut(
    tx,
    queue,
    { leaseUntil: (_: unknown, now: number) => now + 30_000 } as unknown as DeliveryClaimer,
    { get: () => 60_000 } as unknown as ConfigService<Env, true>,
  );
  return { fanOut, queue, statements };
}

describe('EventFanOut', () => {
  afterEach(() => jest.useRealTimers());

  it('makes the next batch only once the last one is handed over', async () => {
    let release!: () => void;
    const handedOver = new Promise<void>((resolve) => (release = resolve));
    const { fanOut, queue } = fanOutWith(() => handedOver);
    const first = fanOut.fanOutBatch();
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.enqueue).toHaveBeenCalledTimes(1);
    const [jobs] = queue.enqueue.mock.calls[0] as [DeliveryJob[]];
    expect(jobs.map((j) => [j.webhookId, j.eventId])).toEqual([[7, 'e-1']]);
    let settled = false;
    void first.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    release();
    await expect(first).resolves.toBe(false);
  });

  it('shutdown waits for a pass whose jobs cannot be handed over for at most 10 s', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const { fanOut, queue } = fanOutWith(() => new Promise<void>(() => undefined));
    fanOut.onApplicationBootstrap();
    while (queue.enqueue.mock.calls.length === 0)
      await new Promise((resolve) => setImmediate(resolve));
    let done = false;
    const stopping = fanOut.beforeApplicationShutdown().then(() => (done = true));
    jest.advanceTimersByTime(9_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    jest.advanceTimersByTime(1_000);
    await stopping;
    expect(done).toBe(true);
  });
});
