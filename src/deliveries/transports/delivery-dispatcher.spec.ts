import { DeliveryDispatcher, QueuedDelivery } from './delivery-dispatcher';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('DeliveryDispatcher', () => {
  it('keeps within the global and per-webhook bounds and serves webhooks in turn', async () => {
    const started: QueuedDelivery[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const d = new DeliveryDispatcher(
      { global: 3, perWebhook: 2, waitingPerWebhook: 100, capacity: 1000 },
      (job) => {
        started.push(job);
        const gate = deferred();
        gates.set(job.id, gate);
        return gate.promise;
      },
    );
    for (let i = 0; i < 5; i++) d.push({ id: `slow-${i}`, webhookId: 1 });
    d.push({ id: 'fast-0', webhookId: 2 });
    d.push({ id: 'fast-1', webhookId: 2 });

    // Webhook 1 may hold only 2 slots, so webhook 2 gets the third at once.
    expect(started.map((s) => s.id)).toEqual(['slow-0', 'slow-1', 'fast-0']);
    expect(d.inFlight).toBe(3);

    gates.get('fast-0')!.resolve();
    await new Promise((r) => setImmediate(r));
    expect(started.map((s) => s.id)).toEqual(['slow-0', 'slow-1', 'fast-0', 'fast-1']);

    gates.get('slow-0')!.resolve();
    await new Promise((r) => setImmediate(r));
    expect(started.at(-1)!.id).toBe('slow-2');
    expect(d.size).toBe(5);
  });

  it('refuses a delivery already queued or running', () => {
    const d = new DeliveryDispatcher(
      { global: 1, perWebhook: 1, waitingPerWebhook: 100, capacity: 1000 },
      () => new Promise(() => undefined),
    );
    expect(d.push({ id: 'a', webhookId: 1 })).toBe(true);
    expect(d.push({ id: 'a', webhookId: 1 })).toBe(false);
    expect(d.push({ id: 'b', webhookId: 1 })).toBe(true);
    expect(d.push({ id: 'b', webhookId: 1 })).toBe(false);
    expect(d.has('b')).toBe(true);
  });

  it('leaves deliveries beyond a full webhook queue for the poller', () => {
    const d = new DeliveryDispatcher(
      { global: 1, perWebhook: 1, waitingPerWebhook: 2, capacity: 1000 },
      () => new Promise(() => undefined),
    );
    expect(['a', 'b', 'c', 'd'].map((id) => d.push({ id, webhookId: 7 }))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(d.saturated()).toEqual([7]);
    expect(d.push({ id: 'e', webhookId: 8 })).toBe(true);
  });

  it('frees the slot of a job that throws', async () => {
    const seen: string[] = [];
    const d = new DeliveryDispatcher(
      { global: 1, perWebhook: 1, waitingPerWebhook: 100, capacity: 1000 },
      (job) => {
        seen.push(job.id);
        return job.id === 'boom' ? Promise.reject(new Error('x')) : Promise.resolve();
      },
    );
    d.push({ id: 'boom', webhookId: 1 });
    d.push({ id: 'next', webhookId: 1 });
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['boom', 'next']);
  });

  it('holds at most `capacity` deliveries, but always takes the ones this process already holds', () => {
    const d = new DeliveryDispatcher(
      { global: 1, perWebhook: 1, waitingPerWebhook: 100, capacity: 3 },
      () => new Promise(() => undefined),
    );
    expect(['a', 'b', 'c', 'd'].map((id) => d.push({ id, webhookId: id.charCodeAt(0) }))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(d.room).toBe(0);
    expect(d.hasRoom(9)).toBe(false);
    expect(d.push({ id: 'held', webhookId: 9 }, true)).toBe(true);
    expect(d.size).toBe(4);
    expect([...d.waitingJobs()].map((j) => j.id)).toEqual(['b', 'c', 'held']);
  });

  it('answers room for promised deliveries, per webhook and in all', () => {
    const d = new DeliveryDispatcher(
      { global: 1, perWebhook: 1, waitingPerWebhook: 3, capacity: 10 },
      () => new Promise(() => undefined),
    );
    d.push({ id: 'a', webhookId: 1 }); // running
    d.push({ id: 'b', webhookId: 1 }); // waiting
    expect(d.hasRoom(1, 1)).toBe(true); // 1 waiting + 1 promised < 3
    expect(d.hasRoom(1, 2)).toBe(false);
    expect(d.hasRoom(2, 0, 8)).toBe(false); // 2 held + 8 promised = capacity
    expect(d.hasRoom(2, 0, 7)).toBe(true);
  });
});
