import type { Queue } from 'bullmq';
import type { TransactionService } from '../database/transaction.service';
import {
  BATCH_SIZE,
  BullMqDeliveryQueue,
  DeliveryBatch,
  isBatch,
  unpackBatch,
} from './bullmq-delivery-queue';
import type { DeliveryJob } from './delivery-job';
import type { DeliveryReleases } from './delivery-releases';
import { deliveryJob } from './delivery-job.fixture';

/** Delivery n: of event n / 10 (its body names it), to webhook n % 10. */
function job(n: number): DeliveryJob {
  const event = Math.floor(n / 10);
  return deliveryJob({
    id: `d-${n}`,
    webhookId: n % 10,
    eventId: `e-${event}`,
    body: `{"event":${event}}`,
  });
}

type Added = { name: string; data: DeliveryJob | DeliveryBatch; opts?: { jobId?: string } };

function queueWith(addBulk: (jobs: Added[]) => Promise<unknown>) {
  const fake = { addBulk: jest.fn(addBulk), on: jest.fn() };
  const releases = { onReleased: jest.fn() } as unknown as DeliveryReleases;
  const queue = new BullMqDeliveryQueue(
    fake as unknown as Queue<DeliveryJob | DeliveryBatch>,
    {} as TransactionService,
    releases,
    true,
  );
  return { queue, addBulk: fake.addBulk };
}

describe('BullMqDeliveryQueue.enqueue', () => {
  it('puts a fan-out pass in batch jobs of up to 50 deliveries, each event body once per batch', async () => {
    const { queue, addBulk } = queueWith(() => Promise.resolve());
    const jobs = Array.from({ length: 1234 }, (_, i) => job(i));
    await queue.enqueue(jobs);
    // 500 deliveries per call to Redis: 10 batches.
    expect(addBulk.mock.calls.map(([batches]) => batches.length)).toEqual([10, 10, 5]);
    const added: Added[] = addBulk.mock.calls.flatMap(([batches]) => batches);
    expect(added).toHaveLength(Math.ceil(1234 / BATCH_SIZE));
    const batches = added.map((a) => a.data).filter(isBatch);
    expect(batches).toHaveLength(added.length);
    expect(batches.map((b) => b.batch.length)).toEqual([...Array(24).fill(50), 34]);
    // Batch 0 holds deliveries 0–49: events 0–4, each body once, none copied per delivery.
    expect(Object.keys(batches[0].bodies)).toEqual(['e-0', 'e-1', 'e-2', 'e-3', 'e-4']);
    expect(batches[0].batch.every((d) => d.body === '')).toBe(true);
    // Unpacked, the batches are the deliveries as made, in order, each once.
    expect(batches.flatMap(unpackBatch)).toEqual(jobs);
    expect(new Set(added.map((a) => a.opts?.jobId)).size).toBe(added.length);
    expect(added[0].opts?.jobId).toBe('batch.d-0');
  });

  it('ships jobs to Redis in chunks of 500, one after another', async () => {
    let inFlight = 0;
    let most = 0;
    const { queue, addBulk } = queueWith(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight -= 1;
    });
    await queue.add(Array.from({ length: 1234 }, (_, i) => ({ job: job(i), at: null })));
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
    await expect(
      queue.add(Array.from({ length: 700 }, (_, i) => ({ job: job(i), at: null }))),
    ).resolves.toBe(undefined);
    expect(addBulk).toHaveBeenCalledTimes(2);
  });
});
