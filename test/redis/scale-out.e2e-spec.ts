import { unfannedEvents } from '../helpers/database';
import { eventually, ok, ReceivedRequest, Responder, startReceiver } from '../helpers/receiver';
import {
  parsePrometheus,
  sampleValue,
  scrapeMetrics,
  TEST_METRICS_TOKEN,
} from '../helpers/prometheus';
import {
  deleteRedisKeys,
  postJson,
  ProcessGroup,
  ServerProcess,
  startProcessGroup,
} from '../helpers/server-process';
import { DataSource } from 'typeorm';

/**
 * Homa as it scales out: one API process and delivery workers in processes of their own, sharing
 * MariaDB and Redis. Runs only in the Redis step of CI (DATABASE_URL and REDIS_URL set).
 */
const REDIS_URL = process.env.REDIS_URL ?? '';
if (!REDIS_URL || !process.env.DATABASE_URL)
  throw new Error('the scale-out suite needs DATABASE_URL and REDIS_URL');

interface Cluster {
  group: ProcessGroup;
  api: ServerProcess;
  workers: ServerProcess[];
  dataSource: DataSource;
  token: string;
  prefix: string;
  stop(): Promise<void>;
}

async function startCluster(
  workerCount: number,
  extra: Record<string, string> = {},
  { settle = true } = {},
): Promise<Cluster> {
  const group = await startProcessGroup('scale', {
    REDIS_URL,
    JWT_SECRET: 'scale-out-test-secret-0123456789-abcdef',
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
    WEBHOOK_RETRY_SCHEDULE: Array(20).fill('300ms').join(','),
    WEBHOOK_TIMEOUT_MS: '2000',
    WEBHOOK_RECONCILE_INTERVAL_MS: '500',
    WEBHOOK_CONCURRENCY: '20',
    WEBHOOK_PER_ENDPOINT_CONCURRENCY: '4',
    // Receivers here fail on purpose for a while: no circuit breaker, and slow-down pauses shorter
    // than the 300 ms retries (a slowed endpoint lets one attempt through per pause; with pauses
    // longer than the retry schedule, the failing delivery's retry is always due first and a webhook's
    // other deliveries would wait for their first attempt until it succeeds or runs out of retries).
    WEBHOOK_BREAKER_FAILURES: '0',
    WEBHOOK_SLOWDOWN_MAX_MS: '100',
    ...extra,
  });
  const api = await group.start('serve');
  const workers: ServerProcess[] = [];
  for (let i = 0; i < workerCount; i++) workers.push(await group.start('worker'));
  const token = await group.createAdmin(api, 'scale@example.com', 'scale-pass-1');
  const dataSource = await group.database();
  // The admin's user.created was recorded by the CLI, which leaves fan-out to the workers: let that happen
  // now, before any test creates webhooks (fanned out later, it would go to the webhooks by then).
  if (settle) await eventually(async () => (await unfannedEvents(dataSource)) === 0);
  return {
    group,
    api,
    workers,
    dataSource,
    token,
    prefix: group.env.REDIS_QUEUE_PREFIX,
    stop: () => group.close(),
  };
}

async function api(c: Cluster, path: string, body: unknown): Promise<{ id: number }> {
  const res = await postJson(`${c.api.url}${path}`, body, c.token);
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: number };
}

/** Webhooks × users deliveries of user.created. */
async function makeDeliveries(
  c: Cluster,
  url: string,
  webhooks: number,
  users: number,
): Promise<void> {
  for (let i = 0; i < webhooks; i++)
    await api(c, '/api/admin/webhooks', {
      name: `w${i}`,
      url: `${url}?w=${i}`,
      event_user_created: true,
    });
  for (let i = 0; i < users; i++) {
    await api(c, '/api/admin/users', {
      email: `u${i}-${c.prefix}@example.com`,
      name: `U${i}`,
      password: 'long-enough-pw',
    });
  }
}

async function counts(c: Cluster): Promise<Record<string, number>> {
  const rows: { status: string; n: number | string }[] = await c.dataSource.query(
    'SELECT status, COUNT(*) AS n FROM webhook_deliveries GROUP BY status',
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Answers after a short delay and records whether two attempts of one delivery ever overlapped. */
function overlapWatch(delayMs: number) {
  const inFlight = new Set<string>();
  const overlaps: string[] = [];
  const responder: Responder = (req: ReceivedRequest, res) => {
    const id = String(req.headers['x-webhook-delivery']);
    if (inFlight.has(id)) overlaps.push(id);
    inFlight.add(id);
    setTimeout(() => {
      inFlight.delete(id);
      ok(req, res);
    }, delayMs);
  };
  return { responder, overlaps };
}

async function attemptsByWorker(c: Cluster): Promise<number[]> {
  return Promise.all(
    c.workers.map(async (w) =>
      sampleValue(parsePrometheus(await scrapeMetrics(w.url)), 'homa_webhook_attempts_total'),
    ),
  );
}

describe('scale-out on BullMQ (e2e, MariaDB + Redis)', () => {
  it("fan-out is the workers': the API records events, and a worker fans them out on the API's nudge", async () => {
    // Periodic passes every 10 minutes: within this test only a worker's start or a nudge can fan out.
    const c = await startCluster(0, { WEBHOOK_POLL_INTERVAL_MS: '600000' }, { settle: false });
    const receiver = await startReceiver();
    const deliveries = async () =>
      Object.values(await counts(c)).reduce((total, n) => total + n, 0);
    try {
      await api(c, '/api/admin/webhooks', {
        name: 'users',
        url: receiver.url,
        event_user_created: true,
      });
      const first = await api(c, '/api/admin/users', {
        email: `first-${c.prefix}@example.com`,
        name: 'First',
        password: 'long-enough-pw',
      });
      // No worker yet: the API committed the events and left them in the outbox.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await deliveries()).toBe(0);
      expect(await unfannedEvents(c.dataSource)).toBeGreaterThanOrEqual(2);

      // A worker that starts fans out what waits (the CLI's admin and the first user).
      c.workers.push(await c.group.start('worker'));
      const started = await receiver.waitFor(2, undefined, 20_000);
      expect(started.map((r) => r.body.data.user_id)).toContain(first.id);
      expect(await unfannedEvents(c.dataSource)).toBe(0);

      // With the worker running, the API's nudge wakes its fan-out at once, not its next pass.
      const second = await api(c, '/api/admin/users', {
        email: `second-${c.prefix}@example.com`,
        name: 'Second',
        password: 'long-enough-pw',
      });
      const [arrived] = await receiver.waitFor(1, (r) => r.body.data.user_id === second.id, 20_000);
      expect(arrived.body.event).toBe('user.created');
      expect(await deliveries()).toBe(3);
    } finally {
      await receiver.close();
      await c.stop();
    }
  });

  it('two workers and one API deliver 2,000 deliveries, each once, none concurrently, sharing the work', async () => {
    const c = await startCluster(2);
    const watch = overlapWatch(5);
    const receiver = await startReceiver(watch.responder);
    try {
      await makeDeliveries(c, receiver.url, 100, 20);
      await receiver.waitFor(2000, undefined, 120_000);
      await eventually(async () => (await counts(c)).succeeded === 2000, 30_000).catch(
        async (error: Error) => {
          // Say where the deliveries stand and what the processes logged (errors only).
          const logs = [c.api, ...c.workers].map((p) => p.output().slice(-4000)).join('\n---\n');
          throw new Error(`${error.message}: ${JSON.stringify(await counts(c))}\n${logs}`);
        },
      );
      const ids = receiver.requests.map((r) => String(r.headers['x-webhook-delivery']));
      expect(new Set(ids).size).toBe(2000);
      expect(watch.overlaps).toEqual([]);
      const attempts: { n: number | string }[] = await c.dataSource.query(
        'SELECT COUNT(*) AS n FROM webhook_delivery_attempts',
      );
      const perWorker = await attemptsByWorker(c);
      console.log(
        `scale-out: 2000 deliveries, ${ids.length} requests, ${ids.length - 2000} repeats, attempts per worker ${perWorker.join(' / ')}`,
      );
      expect(Number(attempts[0].n)).toBe(ids.length);
      expect(perWorker.reduce((a, b) => a + b, 0)).toBe(Number(attempts[0].n));
      for (const n of perWorker) expect(n).toBeGreaterThan(200);
      const health = (await (await fetch(`${c.api.url}/health`)).json()) as {
        info: Record<string, { status: string }>;
      };
      expect(health.info.redis.status).toBe('up');
    } finally {
      await receiver.close();
      await c.stop();
    }
  });

  it('Redis flushed while deliveries are pending: the reconciler claims them from the database and all arrive', async () => {
    const c = await startCluster(1);
    let accept = false;
    const accepted = new Set<string>();
    const receiver = await startReceiver((req, res) => {
      if (!accept) return void res.writeHead(503).end();
      accepted.add(String(req.headers['x-webhook-delivery']));
      ok(req, res);
    });
    try {
      await makeDeliveries(c, receiver.url, 10, 5);
      await eventually(async () => {
        const rows: { n: number | string }[] = await c.dataSource.query(
          "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending' AND attempts >= 1",
        );
        return Number(rows[0].n) === 50;
      });
      const flushed = await deleteRedisKeys(REDIS_URL, `${c.prefix}:*`);
      expect(flushed).toBeGreaterThan(0);
      accept = true;
      await eventually(async () => (await counts(c)).succeeded === 50, 60_000);
      expect(accepted.size).toBe(50);
    } finally {
      await receiver.close();
      await c.stop();
    }
  });

  it('kill -9 of one worker mid-run: the other finishes its work and nothing is lost', async () => {
    const c = await startCluster(2);
    const watch = overlapWatch(20);
    const receiver = await startReceiver(watch.responder);
    try {
      await makeDeliveries(c, receiver.url, 50, 10);
      await receiver.waitFor(100, undefined, 60_000);
      await c.workers[0].kill9();
      await eventually(async () => (await counts(c)).succeeded === 500, 90_000);
      const ids = new Set(receiver.requests.map((r) => String(r.headers['x-webhook-delivery'])));
      expect(ids.size).toBe(500);
      expect(watch.overlaps).toEqual([]);
      console.log(
        `worker kill: 500 deliveries, ${receiver.requests.length - 500} repeats after kill -9 of one worker`,
      );
    } finally {
      await receiver.close();
      await c.stop();
    }
  });

  it('ordered webhook: 200 tickets × 5 events across two workers, one killed half way: each ticket in order, none missing', async () => {
    const c = await startCluster(2, { CLIENT_RATE_LIMIT: '100000' });
    const firstSeen = new Map<string, { ticket: number; sequence: number; body: string }>();
    const arrivals = new Map<number, number[]>();
    const inFlight = new Set<number>();
    const overlaps: number[] = [];
    const receiver = await startReceiver((req, res) => {
      const ticket = Number(req.body.data.ticket_id);
      const id = String(req.headers['x-webhook-delivery']);
      if (inFlight.has(ticket)) overlaps.push(ticket);
      inFlight.add(ticket);
      if (!firstSeen.has(id)) {
        const sequence = Number(req.headers['x-webhook-sequence']);
        firstSeen.set(id, {
          ticket,
          sequence,
          body: typeof req.body.data.body === 'string' ? req.body.data.body : 'created',
        });
        arrivals.set(ticket, [...(arrivals.get(ticket) ?? []), sequence]);
      }
      setTimeout(() => {
        inFlight.delete(ticket);
        ok(req, res);
      }, 3);
    });
    try {
      await api(c, '/api/admin/webhooks', {
        name: 'ordered',
        url: receiver.url,
        ordered: true,
        event_ticket_created: true,
        event_message_created: true,
      });
      const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
        const res = await postJson(`${c.api.url}${path}`, body, undefined, headers);
        if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
        return (await res.json()) as { id: number; secret: string };
      };
      const started = Date.now();
      // Each ticket: ticket.created and its first message, then three replies, from 8 clients at once.
      const tickets: number[] = [];
      let next = 0;
      let killed = false;
      const client = async () => {
        while (next < 200) {
          const i = next++;
          const ticket = await post('/api/client/tickets', {
            title: `Ordered ${i}`,
            client_name: 'Ordered',
            client_email: `ordered-${i}-${c.prefix}@example.com`,
            message: 'first',
          });
          tickets.push(ticket.id);
          for (let r = 1; r <= 3; r++)
            await post(
              `/api/client/tickets/${ticket.id}/messages`,
              { body: `reply ${r}` },
              { 'X-Ticket-Secret': ticket.secret },
            );
          if (!killed && firstSeen.size >= 500) {
            killed = true;
            await c.workers[0].kill9();
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, client));
      if (!killed) {
        await receiver.waitFor(500, undefined, 60_000);
        await c.workers[0].kill9();
      }
      await eventually(async () => (await counts(c)).succeeded === 1000, 120_000);
      expect(firstSeen.size).toBe(1000);
      expect(tickets).toHaveLength(200);
      for (const ticket of tickets) {
        expect([ticket, arrivals.get(ticket)]).toEqual([ticket, [1, 2, 3, 4, 5]]);
        const order = [...firstSeen.values()].filter((d) => d.ticket === ticket).map((d) => d.body);
        expect(order).toEqual(['created', 'first', 'reply 1', 'reply 2', 'reply 3']);
      }
      expect(overlaps).toEqual([]);
      console.log(
        `ordered: 1000 deliveries in order over 200 tickets in ${((Date.now() - started) / 1000).toFixed(1)} s, ${receiver.requests.length - 1000} repeats after kill -9 of one worker`,
      );
    } finally {
      await receiver.close();
      await c.stop();
    }
  }, 240_000);
});
