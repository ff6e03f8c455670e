import { GUIDE_TICKET } from './factories/tickets';
import { adminHeaders, created } from './helpers/admin-session';
import { isolatedDatabase, openDatabase } from './helpers/database';
import { eventually, ok, Receiver, startReceiver } from './helpers/receiver';
import { ServerProcess, startServerProcess } from './helpers/server-process';
import { answerAfter, deliveriesOf, jsonLines } from './helpers/shutdown';

/**
 * A stop keeps its word: `homa serve` (its delivery thread) and a server delivering on its request
 * thread (DELIVERY_THREAD=false, as `npm start` can) give their attempts in flight
 * SHUTDOWN_GRACE_SECONDS. The receiver answers after 20 s: within a 25 s grace every outcome is
 * written; past a 2 s grace each attempt is interrupted, recorded as such, and made again at once by
 * the next server. Real processes, on the suite's database (SQLite, or MariaDB with DATABASE_URL).
 */
const ANSWER_AFTER_MS = 20_000;

interface Homa {
  label: string;
  server: ServerProcess;
  env: Record<string, string>;
  hooks: number[];
  drop: () => Promise<void>;
}

async function startHoma(
  receiver: Receiver,
  label: string,
  extra: Record<string, string>,
): Promise<Homa> {
  const db = await isolatedDatabase(label);
  const env: Record<string, string> = {
    ...db.env,
    REDIS_URL: '',
    JWT_SECRET: 'shutdown-grace-test-secret-0123456789-abc',
    WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
    WEBHOOK_POLL_INTERVAL_MS: '200',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    ...extra,
  };
  const server = await startServerProcess(env);
  const headers = await adminHeaders(server.url, env);
  const hooks: number[] = [];
  for (const n of [1, 2]) {
    const hook = await created(`${server.url}/api/admin/webhooks`, headers, {
      name: `${label} ${n}`,
      url: `${receiver.url}/${label}`,
      event_ticket_created: true,
    });
    hooks.push(hook.id);
  }
  return { label, server, env, hooks, drop: db.drop };
}

/** One ticket: one delivery to each of the server's two webhooks. */
async function openTicket(homa: Homa): Promise<void> {
  await created(
    `${homa.server.url}/api/client/tickets`,
    { 'Content-Type': 'application/json' },
    {
      ...GUIDE_TICKET,
      client_email: `${homa.label}@example.com`,
    },
  );
}

async function rows(homa: Homa) {
  const dataSource = await openDatabase(homa.env);
  try {
    return await deliveriesOf(dataSource, homa.hooks);
  } finally {
    await dataSource.destroy();
  }
}

describe('shutdown grace of `homa serve` (e2e, real processes)', () => {
  let receiver: Receiver;
  const homas: Homa[] = [];

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    for (const homa of homas) {
      await homa.server.stop();
      await homa.drop();
    }
    await receiver.close();
  });

  it('within the grace, every attempt in flight finishes and its outcome is written', async () => {
    const slow = answerAfter(ANSWER_AFTER_MS);
    receiver.respondWith(slow.responder);
    const pair = await Promise.all([
      startHoma(receiver, 'within-thread', { SHUTDOWN_GRACE_SECONDS: '25' }),
      startHoma(receiver, 'within-inproc', {
        SHUTDOWN_GRACE_SECONDS: '25',
        DELIVERY_THREAD: 'false',
      }),
    ]);
    homas.push(...pair);
    await Promise.all(pair.map(openTicket));
    await receiver.waitFor(4, (r) => r.path.startsWith('/webhook/within-'));
    const stopped = Date.now();
    for (const homa of pair) homa.server.child.kill('SIGTERM');
    const exits = await Promise.all(pair.map((homa) => homa.server.exited));

    // Each server waited for the answers (20 s after the requests), and no longer than its grace.
    expect(slow.answered).toHaveLength(4);
    for (const exit of exits) {
      // Give or take the test process's busy event loop, which stamps the answers (the rows below
      // show each outcome was written).
      expect(exit.at).toBeGreaterThanOrEqual(Math.max(...slow.answered) - 1000);
      expect(exit.at - stopped).toBeLessThan(25_000 + 10_000);
    }
    for (const homa of pair) {
      const { deliveries, attempts } = await rows(homa);
      expect(deliveries.map((d) => [d.status, d.attempts])).toEqual([
        ['succeeded', 1],
        ['succeeded', 1],
      ]);
      expect(attempts.map((a) => [a.attempt, a.status_code, a.error_code])).toEqual([
        [1, 200, null],
        [1, 200, null],
      ]);
      expect(homa.server.output()).not.toMatch(/Shutdown grace|did not stop/);
    }
  }, 120_000);

  it('past the grace, interrupts each attempt, records it as interrupted, and the next server makes it again at once', async () => {
    receiver.respondWith(answerAfter(ANSWER_AFTER_MS).responder);
    const pair = await Promise.all([
      startHoma(receiver, 'past-thread', { SHUTDOWN_GRACE_SECONDS: '2' }),
      startHoma(receiver, 'past-inproc', { SHUTDOWN_GRACE_SECONDS: '2', DELIVERY_THREAD: 'false' }),
    ]);
    homas.push(...pair);
    await Promise.all(pair.map(openTicket));
    await receiver.waitFor(4, (r) => r.path.startsWith('/webhook/past-'));
    const stopped = Date.now();
    for (const homa of pair) homa.server.child.kill('SIGTERM');
    const exits = await Promise.all(pair.map((homa) => homa.server.exited));

    for (const [i, homa] of pair.entries()) {
      expect(exits[i].at - stopped).toBeGreaterThanOrEqual(2_000);
      expect(exits[i].at - stopped).toBeLessThan(2_000 + 10_000);
      const { deliveries, attempts } = await rows(homa);
      // Due again at once, its retries untouched: the receiver did nothing wrong.
      expect(deliveries.map((d) => [d.status, d.attempts])).toEqual([
        ['pending', 0],
        ['pending', 0],
      ]);
      for (const d of deliveries)
        expect(d.next_attempt_at!.getTime()).toBeLessThanOrEqual(exits[i].at);
      expect(attempts.map((a) => [a.attempt, a.status_code, a.error_code])).toEqual([
        [1, null, 'interrupted'],
        [1, null, 'interrupted'],
      ]);
      // One line says how many were interrupted, and for which webhooks.
      const lines = jsonLines(homa.server.output()).filter((l) =>
        /Shutdown grace/.test(l.msg ?? ''),
      );
      expect(lines).toHaveLength(1);
      expect(lines[0].msg).toContain('Shutdown grace of 2 s ended with 2 attempt(s) in flight');
      expect(lines[0].msg).toContain(`webhooks ${homa.hooks[0]} (1), ${homa.hooks[1]} (1)`);
    }

    receiver.respondWith(ok);
    const before = receiver.requests.length;
    for (const homa of pair) homa.server = await startServerProcess(homa.env);
    for (const homa of pair) {
      await eventually(async () => {
        const { deliveries } = await rows(homa);
        return deliveries.every((d) => d.status === 'succeeded');
      });
      const { deliveries, attempts } = await rows(homa);
      expect(deliveries.map((d) => d.attempts)).toEqual([1, 1]);
      expect(attempts.map((a) => [a.attempt, a.error_code])).toEqual([
        [1, 'interrupted'],
        [1, 'interrupted'],
        [1, null],
        [1, null],
      ]);
    }
    // The attempt made again carries the same attempt number (it was not counted).
    const again = receiver.requests.slice(before);
    expect(again.map((r) => r.headers['x-webhook-attempt'])).toEqual(['1', '1', '1', '1']);
  }, 120_000);
});
