import type { Queue } from 'bullmq';
import type { TransactionService } from '../database/transaction.service';
import { BullMqDeliveryQueue } from './bullmq-delivery-queue';
import type { DeliveryJob } from './delivery-job';
import type { DeliveryReleases } from './delivery-releases';

function job(n: number): DeliveryJob {
  return {
    id: `d-${n}`,
    webhookId: 1,
    event: 'ticket.created',
    eventId: `e-${n}`,
    body: '{}',
    orderingKey: null,
    sequence: null,
    attempts: 0,
    status: 'pending',
    nextAttemptAt: 0,
    deliveredAt: null,
    leaseUntil: null,
  };
}

function queueWith(addBulk: (jobs: { opts?: { jobId?: string } }[]) => Promise<unknown>) {
  const fake = { addBulk: jest.fn(addBulk), on: jest.fn() };
  const releases = { onReleased: jest.fn() } as unknown as DeliveryReleases;
  const queue = new BullMqDeliveryQueue(
    fake as unknown as Queue<DeliveryJob>,
    {} as TransactionService,
    releases,
    true,
  );
  return { queue, addBulk: fake.addBulk };
}

describe('BullMqDeliveryQueue.enqueue', () => {
  it('ships a fan-out batch to Redis in chunks of 500 jobs, one after another', async () => {
    let inFlight = 0;
    let most = 0;
    const { queue, addBulk } = queueWith(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight -= 1;
    });
    await queue.enqueue(Array.from({ length: 1234 }, (_, i) => job(i)));
    expect(addBulk.mock.calls.map(([jobs]) => jobs.length)).toEqual([500, 500, 234]);
    expect(most).toBe(1);
    const ids = addBulk.mock.calls.flatMap(([jobs]) => jobs.map((j) => j.opts?.jobId));
    expect(new Set(ids).size).toBe(1234);
    expect(ids[0]).toBe('d-0.1');
  });

  it('a chunk Redis refuses is logged and left to the reconciler; the others still go', async () => {
    let calls = 0;
    const { queue, addBulk } = queueWith(() =>
      ++calls === 1 ? Promise.reject(new Error('Redis is loading')) : Promise.resolve(),
    );
    await expect(queue.enqueue(Array.from({ length: 700 }, (_, i) => job(i)))).resolves.toBe(
      undefined,
    );
    expect(addBulk).toHaveBeenCalledTimes(2);
  });
});
