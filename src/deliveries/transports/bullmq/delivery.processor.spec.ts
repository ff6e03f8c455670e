import type { ConfigService } from '@nestjs/config';
import type { Job } from 'bullmq';
import type { Env } from '../../../config/env.validation';
import { AttemptsInFlight } from '../../leases/attempts-in-flight';
import { BullMqDeliveryQueue, DeliveryBatch, packBatch } from './bullmq-delivery-queue';
import type { DeliveryAttemptsService } from '../../attempt/delivery-attempts.service';
import type { DeliveryJob } from '../../leases/delivery-job';
import { DeliveryProcessor } from './delivery.processor';
import type { DeliveryReconciler } from './delivery-reconciler';
import type { DeliveryClaimer } from '../../leases/delivery-claimer';
import { deliveryJob } from '../../leases/delivery-job.testing';

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
function processorWith(limits: { concurrency: number; perWebhook: number; graceSeconds?: number }) {
  const inFlight: InFlight[] = [];
  const sent: string[] = [];
  const values: Partial<Env> = {
    WEBHOOK_PER_ENDPOINT_CONCURRENCY: limits.perWebhook,
    WEBHOOK_CONCURRENCY: limits.concurrency,
    WEBHOOK_TIMEOUT_MS: 30_000,
    SHUTDOWN_GRACE_SECONDS: limits.graceSeconds ?? 35,
  };
  const config = { get: (key: keyof Env) => values[key] } as unknown as ConfigService<Env, true>;
  const grace = new AttemptsInFlight(config);
  const attempts = {
    attempt: jest.fn(
      (job: DeliveryJob) =>
        new Promise((resolve) => {
          const answer = (interrupted: boolean) => {
            inFlight.splice(
              inFlight.findIndex((f) => f.job === job),
              1,
            );
            if (!interrupted) sent.push(job.id);
            resolve({
              result: interrupted
                ? { status: 'pending', error_code: 'interrupted', attempt: job.attempts + 1 }
                : { status: 'succeeded', duration_ms: 1, attempt: 1, next_attempt_at: null },
              recorded: Promise.resolve(),
            });
          };
          // The sender answers `interrupted` once the grace's signal aborts the request.
          grace.signal.addEventListener('abort', () => answer(true), { once: true });
          inFlight.push({ job, answer: () => answer(false) });
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
  // Claims made again answer every delivery asked for, read again with a fresh lease.
  const released: string[] = [];
  const claimer = {
    release: jest.fn((jobs: DeliveryJob[]) => {
      released.push(...jobs.map((j) => j.id));
      return Promise.resolve();
    }),
    claimIds: jest.fn((ids: string[], _held: number | null) =>
      Promise.resolve(
        ids.map((id) => ({ ...delivery(Number(id.slice(2)), 0), leaseUntil: Date.now() + 9e4 })),
      ),
    ),
  };
  let held: ((jobs: DeliveryJob[]) => void) | null = null;
  const reconciler = {
    start: jest.fn((run: (jobs: DeliveryJob[]) => void) => (held = run)),
    stop: jest.fn(),
    wakeBy: jest.fn(),
    wake: jest.fn(),
    started: jest.fn(),
    done: jest.fn(),
  };
  const processor = new DeliveryProcessor(
    attempts as unknown as DeliveryAttemptsService,
    queue as unknown as BullMqDeliveryQueue,
    grace,
    config,
    claimer as unknown as DeliveryClaimer,
    reconciler as unknown as DeliveryReconciler,
  );
  Object.defineProperty(processor, 'worker', { value: { on: jest.fn() }, configurable: true });
  processor.onApplicationBootstrap();
  /** Deliveries the reconciler claimed from the database, handed to the processor. */
  const runHeld = (jobs: DeliveryJob[]) => held!(jobs);
  const run = (data: DeliveryBatch, stalledCounter = 0) =>
    processor.process({ data, stalledCounter } as unknown as Job<DeliveryBatch>);
  /** Stops the processor as Nest does, its BullMQ worker closing once `jobs` have ended. */
  const stop = (jobs: Promise<unknown>[]) => {
    const worker = { close: () => Promise.allSettled(jobs).then(() => undefined) };
    Object.defineProperty(processor, 'worker', { value: worker });
    return processor.beforeApplicationShutdown();
  };
  /** A job of one delivery (a batch's rest put back), and the calls that would move it in Redis. */
  const runOne = (data: DeliveryJob) => {
    const job = { data, stalledCounter: 0, moveToDelayed: jest.fn(), updateData: jest.fn() };
    return { done: processor.process(job as unknown as Job<DeliveryJob>), job };
  };
  return {
    run,
    runOne,
    stop,
    inFlight,
    sent,
    putBack,
    released,
    attempts,
    claimer,
    reconciler,
    runHeld,
  };
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

  it('leaves a job put back once to the database when its webhook is still busy, not to Redis again', async () => {
    const { run, runOne, inFlight, putBack, released, reconciler } = processorWith({
      concurrency: 50,
      perWebhook: 1,
    });
    const hanging = run(packBatch([delivery(1, 9)]));
    await settle();
    jest.useFakeTimers({ now: Date.now() });
    const { done, job } = runOne(delivery(2, 9));
    await jest.advanceTimersByTimeAsync(300);
    await done;
    // Its lease given up, it waits in its row for the reconciler's next batch (woken for it).
    expect(released).toEqual(['d-2']);
    expect(reconciler.wake).toHaveBeenCalled();
    expect(job.moveToDelayed).not.toHaveBeenCalled();
    expect(putBack).toEqual([]);
    jest.useRealTimers();
    inFlight[0].answer();
    await hanging;
  });

  it("leaves a late batch's rest to the database when its webhook stays busy: a backlog waits there", async () => {
    const { run, inFlight, putBack, released, reconciler } = processorWith({
      concurrency: 50,
      perWebhook: 1,
    });
    // The claims made again answer webhook 0's deliveries; one of webhook 0 holds its only slot.
    const hanging = run(packBatch([delivery(1, 0)]));
    await settle();
    jest.useFakeTimers({ now: Date.now() });
    // Taken again after its worker stalled: every delivery is claimed again (the mock answers each
    // with a fresh lease), so the batch is late.
    const batch = run(packBatch([delivery(2, 0), delivery(3, 0)]), 1);
    await jest.advanceTimersByTimeAsync(300);
    await batch;
    expect(released).toEqual(['d-2', 'd-3']);
    expect(reconciler.wake).toHaveBeenCalled();
    expect(putBack).toEqual([]);
    jest.useRealTimers();
    inFlight[0].answer();
    await hanging;
  });

  it('claims every delivery again, together, when a batch is taken again after its worker stalled', async () => {
    const { run, inFlight, attempts, claimer } = processorWith({ concurrency: 50, perWebhook: 4 });
    claimer.claimIds.mockImplementationOnce(() =>
      // d-2 is someone else's now, or done.
      Promise.resolve([{ ...delivery(1, 1), attempts: 1, leaseUntil: Date.now() + 9e4 }]),
    );
    const done = run(packBatch([delivery(1, 1), delivery(2, 2)]), 1);
    await settle();
    expect(claimer.claimIds.mock.calls).toEqual([[['d-1', 'd-2'], null]]);
    // The delivery as read again (an attempt made meanwhile counts), and only the one claimed.
    expect(attempts.attempt.mock.calls.map(([job]) => [job.id, job.attempts])).toEqual([
      ['d-1', 1],
    ]);
    while (inFlight.length > 0) inFlight[0].answer();
    await done;
  });

  it('claims again, in one call, only the deliveries of a batch whose lease ran out while it waited', async () => {
    const { run, inFlight, attempts, claimer } = processorWith({ concurrency: 50, perWebhook: 4 });
    const expired = Date.now() - 1000;
    const done = run(
      packBatch([
        { ...delivery(1, 1), leaseUntil: expired },
        delivery(2, 1),
        { ...delivery(3, 1), leaseUntil: expired },
      ]),
    );
    await settle();
    expect(claimer.claimIds.mock.calls).toEqual([[['d-1', 'd-3'], expired]]);
    while (inFlight.length > 0) {
      inFlight[0].answer();
      await settle();
    }
    await done;
    // In the batch's order.
    expect(attempts.attempt.mock.calls.map(([job]) => job.id)).toEqual(['d-1', 'd-2', 'd-3']);
  });
});

describe('DeliveryProcessor, deliveries the reconciler claimed', () => {
  it('runs them within the per-webhook bound, webhooks in turn, and tells the reconciler', async () => {
    const { runHeld, inFlight, sent, reconciler } = processorWith({
      concurrency: 50,
      perWebhook: 2,
    });
    runHeld([1, 2, 3, 4].map((n) => delivery(n, 7)).concat(delivery(5, 8)));
    await settle();
    expect(inFlight.map((f) => f.job.id)).toEqual(['d-1', 'd-2', 'd-5']);
    while (inFlight.length > 0) {
      inFlight[0].answer();
      await settle();
    }
    expect(sent).toEqual(['d-1', 'd-2', 'd-5', 'd-3', 'd-4']);
    expect(reconciler.started).toHaveBeenCalledTimes(5);
    expect(reconciler.done).toHaveBeenCalledTimes(5);
  });

  it("gives one back to the database when its webhook's slot stays taken past the timeout", async () => {
    const { run, runHeld, inFlight, putBack, released, reconciler, sent } = processorWith({
      concurrency: 50,
      perWebhook: 1,
    });
    // A batch's delivery holds webhook 7's only slot (it hangs).
    const hanging = run(packBatch([delivery(1, 7)]));
    await settle();
    jest.useFakeTimers({ now: Date.now() });
    runHeld([delivery(2, 7)]);
    await jest.advanceTimersByTimeAsync(29_000);
    expect(released).toEqual([]);
    await jest.advanceTimersByTimeAsync(1_500);
    expect(released).toEqual(['d-2']);
    expect(putBack).toEqual([]);
    expect(reconciler.wake).toHaveBeenCalled();
    expect(reconciler.done).toHaveBeenCalledTimes(1);
    jest.useRealTimers();
    inFlight[0].answer();
    await hanging;
    expect(sent).toEqual(['d-1']);
  });

  it('a failed attempt leaves its retry to the database: the reconciler wakes at its time, no job is added', async () => {
    const { runHeld, putBack, reconciler, attempts } = processorWith({
      concurrency: 50,
      perWebhook: 2,
    });
    const at = new Date(Date.now() + 5000);
    attempts.attempt.mockImplementationOnce(() =>
      Promise.resolve({
        result: { status: 'pending', attempt: 1, next_attempt_at: at, duration_ms: 1 },
        recorded: Promise.resolve(),
      }),
    );
    runHeld([delivery(1, 1)]);
    await settle();
    await settle();
    expect(reconciler.wakeBy).toHaveBeenCalledWith(at.getTime());
    expect(putBack).toEqual([]);
    expect(reconciler.done).toHaveBeenCalledTimes(1);
  });
});

describe('DeliveryProcessor, stopping', () => {
  it('lets attempts in flight finish within the grace and starts none of the rest', async () => {
    const { run, stop, inFlight, putBack, sent } = processorWith({
      concurrency: 50,
      perWebhook: 1,
    });
    const batch = run(packBatch([delivery(1, 1), delivery(2, 1), delivery(3, 1)]));
    await settle();
    const stopped = stop([batch]);
    await settle();
    inFlight[0].answer();
    await stopped;
    await batch;
    expect(sent).toEqual(['d-1']);
    // Not started: back in Redis at once, for another worker (or this one's successor).
    expect(putBack.map((p) => p.job.id)).toEqual(['d-2', 'd-3']);
    expect(putBack.every((p) => p.at!.getTime() <= Date.now())).toBe(true);
  });

  it('past the grace, interrupts what is in flight and puts it back as the same attempt', async () => {
    const { run, stop, putBack, sent } = processorWith({
      concurrency: 50,
      perWebhook: 4,
      graceSeconds: 0.1,
    });
    const job = { ...delivery(1, 1), attempts: 2 };
    const batch = run(packBatch([job, delivery(2, 2)]));
    await settle();
    const started = Date.now();
    await stop([batch]);
    await batch;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(sent).toEqual([]);
    expect(putBack.map((p) => [p.job.id, p.job.attempts, p.job.leaseUntil])).toEqual([
      ['d-1', 2, null],
      ['d-2', 0, null],
    ]);
  });
});
