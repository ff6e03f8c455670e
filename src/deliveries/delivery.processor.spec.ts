import type { ConfigService } from '@nestjs/config';
import type { Job } from 'bullmq';
import type { Env } from '../config/env.validation';
import { BullMqDeliveryQueue, DeliveryBatch, packBatch } from './bullmq-delivery-queue';
import type { DeliveryAttemptsService } from './delivery-attempts.service';
import type { DeliveryJob } from './delivery-job';
import { DeliveryProcessor } from './delivery.processor';
import { deliveryJob } from './delivery-job.fixture';

function delivery(n: number, webhookId: number): DeliveryJob {
  return deliveryJob({
    id: `d-${n}`,
    webhookId,
    eventId: `e-${n}`,
    body: `{"n":${n}}`,
    leaseUntil: Date.now() + 60_000,
  });
}

/** An answer the test gives by hand to one attempt in flight. */
interface InFlight {
  job: DeliveryJob;
  answer: () => void;
}

/**
 * A processor whose attempts wait until the test answers them, and whose queue records what is put
 * back. Answered attempts succeed.
 */
function processorWith(limits: { concurrency: number; perWebhook: number }) {
  const inFlight: InFlight[] = [];
  const sent: string[] = [];
  const attempts = {
    attempt: jest.fn(
      (job: DeliveryJob) =>
        new Promise((resolve) => {
          inFlight.push({
            job,
            answer: () => {
              inFlight.splice(
                inFlight.findIndex((f) => f.job === job),
                1,
              );
              sent.push(job.id);
              resolve({
                result: { status: 'succeeded', duration_ms: 1, attempt: 1, next_attempt_at: null },
                recorded: Promise.resolve(),
              });
            },
          });
        }),
    ),
  };
  const putBack: { job: DeliveryJob; at: Date | null }[] = [];
  const queue = {
    add: jest.fn((jobs: typeof putBack) => {
      putBack.push(...jobs);
      return Promise.resolve();
    }),
  };
  const values: Partial<Env> = {
    WEBHOOK_PER_ENDPOINT_CONCURRENCY: limits.perWebhook,
    WEBHOOK_CONCURRENCY: limits.concurrency,
    WEBHOOK_TIMEOUT_MS: 30_000,
  };
  const config = { get: (key: keyof Env) => values[key] } as unknown as ConfigService<Env, true>;
  const processor = new DeliveryProcessor(
    attempts as unknown as DeliveryAttemptsService,
    queue as unknown as BullMqDeliveryQueue,
    config,
  );
  const run = (data: DeliveryBatch, stalledCounter = 0) =>
    processor.process({ data, stalledCounter } as unknown as Job<DeliveryBatch>);
  return { run, inFlight, sent, putBack, attempts };
}

/** Lets the processor's promises run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('DeliveryProcessor, batch jobs', () => {
  afterEach(() => jest.useRealTimers());

  it("sends to each webhook of a batch at once, each webhook's deliveries in turn", async () => {
    const { run, inFlight, sent } = processorWith({ concurrency: 50, perWebhook: 4 });
    const done = run(packBatch([delivery(1, 1), delivery(2, 2), delivery(3, 1), delivery(4, 3)]));
    await settle();
    // One chain per webhook: webhook 1's second delivery waits for its first.
    expect(inFlight.map((f) => f.job.id)).toEqual(['d-1', 'd-2', 'd-4']);
    // The body, given once per event in the job, is back on each delivery.
    expect(inFlight[0].job.body).toBe('{"n":1}');
    inFlight[0].answer();
    await settle();
    expect(inFlight.map((f) => f.job.id)).toEqual(['d-2', 'd-4', 'd-3']);
    while (inFlight.length > 0) inFlight[0].answer();
    await done;
    expect(sent).toEqual(['d-1', 'd-2', 'd-4', 'd-3']);
  });

  it('keeps requests in flight within WEBHOOK_CONCURRENCY, whatever the batches hold', async () => {
    const { run, inFlight, sent } = processorWith({ concurrency: 2, perWebhook: 4 });
    const done = run(packBatch([1, 2, 3, 4, 5].map((n) => delivery(n, n))));
    await settle();
    expect(inFlight).toHaveLength(2);
    inFlight[0].answer();
    await settle();
    expect(inFlight).toHaveLength(2);
    while (inFlight.length > 0) {
      inFlight[0].answer();
      await settle();
    }
    await done;
    expect(sent.sort()).toEqual(['d-1', 'd-2', 'd-3', 'd-4', 'd-5']);
  });

  it('puts back, delayed, the rest of a chain whose webhook stays busy', async () => {
    const { run, inFlight, putBack, sent } = processorWith({ concurrency: 50, perWebhook: 1 });
    // A single delivery holds webhook 9's only slot (it hangs).
    const hanging = run(packBatch([delivery(1, 9)]));
    await settle();
    jest.useFakeTimers({ now: Date.now() });
    const batch = run(packBatch([delivery(2, 9), delivery(3, 9), delivery(4, 5)]));
    await jest.advanceTimersByTimeAsync(0);
    // Webhook 5 is not held up by webhook 9.
    expect(inFlight.map((f) => f.job.id)).toEqual(['d-1', 'd-4']);
    inFlight[1].answer();
    await jest.advanceTimersByTimeAsync(300);
    await batch;
    // Webhook 9's deliveries waited 250 ms, then went back to Redis, due later, as jobs of their own.
    expect(putBack.map((p) => p.job.id)).toEqual(['d-2', 'd-3']);
    expect(putBack[0].at!.getTime()).toBeGreaterThanOrEqual(Date.now());
    expect(putBack[0].job.body).toBe('{"n":2}');
    expect(sent).toEqual(['d-4']);
    jest.useRealTimers();
    inFlight[0].answer();
    await hanging;
  });

  it('claims every delivery again when a batch is taken again after its worker stalled', async () => {
    const { run, inFlight, attempts } = processorWith({ concurrency: 50, perWebhook: 4 });
    const done = run(packBatch([delivery(1, 1), delivery(2, 2)]), 1);
    await settle();
    expect(attempts.attempt.mock.calls.map(([job]) => job.leaseUntil)).toEqual([null, null]);
    while (inFlight.length > 0) inFlight[0].answer();
    await done;
  });
});
