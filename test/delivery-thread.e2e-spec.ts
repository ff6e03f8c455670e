import { statSync } from 'node:fs';
import { join } from 'node:path';
import { GUIDE_TICKET } from './factories/tickets';
import { openDatabase } from './helpers/database';
import { scrapeMetrics, TEST_METRICS_TOKEN } from './helpers/prometheus';
import { eventually, Receiver, ReceivedRequest, startReceiver } from './helpers/receiver';
import { postJson, ProcessGroup, ServerProcess, startProcessGroup } from './helpers/server-process';

/**
 * `homa serve` without Redis delivers on a thread of its own. These tests run the built server as a
 * process, on the suite's database (SQLite, or MariaDB when DATABASE_URL is set).
 */
describe('the delivery thread of `homa serve` (e2e)', () => {
  let group: ProcessGroup;
  let server: ServerProcess;
  let receiver: Receiver;
  let env: Record<string, string>;
  let auth: Record<string, string>;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: auth,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const ticket = async (email: string) => {
    const res = await postJson(`${server.url}/api/client/tickets`, {
      ...GUIDE_TICKET,
      client_email: email,
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: number }).id;
  };
  const ticketId = (r: ReceivedRequest) => r.body.data.ticket_id;
  /** Requests to `${receiver.url}/name` (the receiver's URL ends in /webhook). */
  const at = (name: string) => (r: ReceivedRequest) => r.path === `/webhook/${name}`;

  beforeAll(async () => {
    receiver = await startReceiver();
    group = await startProcessGroup('thread', {
      REDIS_URL: '',
      JWT_SECRET: 'delivery-thread-test-secret-0123456789-abc',
      METRICS_TOKEN: TEST_METRICS_TOKEN,
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      WEBHOOK_POLL_INTERVAL_MS: '200',
      CLIENT_RATE_LIMIT: '100000',
      LOG_LEVEL: 'warn',
    });
    env = group.env;
    server = await group.start();
    const token = await group.createAdmin(server, 'thread@example.com', 'thread-pass-1');
    auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  });
  afterAll(async () => {
    await group?.close();
    await receiver.close();
  });

  it('delivers every committed ticket, and /metrics counts the thread’s attempts', async () => {
    const hook = await api('POST', '/api/admin/webhooks', {
      name: 'Thread',
      url: `${receiver.url}/thread`,
      event_ticket_created: true,
    });
    expect(hook.status).toBe(201);
    const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => ticket(`t${i}@x.io`)));
    const got = await receiver.waitFor(40, at('thread'));
    expect(new Set(got.map(ticketId))).toEqual(new Set(ids));
    expect(got.every((r) => typeof r.headers['webhook-signature'] === 'string')).toBe(true);
    await eventually(async () => {
      const text = await scrapeMetrics(server.url);
      return /homa_webhook_attempts_total\{event="ticket.created",outcome="success"\} 40\n/.test(
        text,
      );
    });
    const metrics = await scrapeMetrics(server.url);
    // One family each: the thread's values are summed into the server's, not printed twice.
    expect(metrics.match(/^# TYPE homa_webhook_attempts_total /gm)).toHaveLength(1);
    expect(metrics).toMatch(/^homa_webhook_deliveries_total\{[^}]*outcome="succeeded"\} 40$/m);
    await api('PUT', `/api/admin/webhooks/${hook.body.id as number}`, { enabled: false });
  });

  it('sends to a webhook’s new URL at once after it changes (the thread’s cached copy is dropped)', async () => {
    const hook = await api('POST', '/api/admin/webhooks', {
      name: 'Moving',
      url: `${receiver.url}/before`,
      event_ticket_created: true,
    });
    const first = await ticket('move-1@x.io');
    await receiver.waitFor(1, (r) => at('before')(r) && ticketId(r) === first);
    // Within the cache's second, without the thread being told, this would still go to /before.
    expect(
      (
        await api('PUT', `/api/admin/webhooks/${hook.body.id as number}`, {
          url: `${receiver.url}/after`,
        })
      ).status,
    ).toBe(200);
    const second = await ticket('move-2@x.io');
    await receiver.waitFor(1, (r) => at('after')(r) && ticketId(r) === second);
    expect(receiver.requests.filter((r) => ticketId(r) === second).map((r) => r.path)).toEqual([
      '/webhook/after',
    ]);
    await api('PUT', `/api/admin/webhooks/${hook.body.id as number}`, { enabled: false });
  });

  it('on SIGTERM, writes the outcome of every attempt in flight before it exits', async () => {
    let answered = 0;
    receiver.respondWith((_req, res) => {
      setTimeout(() => {
        answered += 1;
        res.writeHead(200).end('OK');
      }, 300);
    });
    const hook = await api('POST', '/api/admin/webhooks', {
      name: 'Slow',
      url: `${receiver.url}/slow`,
      event_ticket_created: true,
    });
    const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => ticket(`slow${i}@x.io`)));
    await receiver.waitFor(1, at('slow'));
    await server.stop();
    expect(server.output()).not.toMatch(/did not stop/);
    const dataSource = await openDatabase(env);
    try {
      const rows = await dataSource.query<{ status: string; n: number | string }[]>(
        'SELECT status, COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id = ? GROUP BY status',
        [hook.body.id],
      );
      const succeeded = Number(rows.find((r) => r.status === 'succeeded')?.n ?? 0);
      const received = receiver.requests.filter(at('slow')).length;
      expect(received).toBeGreaterThan(0);
      // Every request the receiver answered before the server exited has its outcome written.
      expect(answered).toBeGreaterThan(0);
      expect(succeeded).toBe(answered);
      expect(rows.reduce((sum, r) => sum + Number(r.n), 0)).toBe(ids.length);
    } finally {
      await dataSource.destroy();
      receiver.respondWith((_req, res) => res.writeHead(200).end('OK'));
      server = await group.start();
    }
  });
});

describe('WAL checkpoints of `homa serve` on SQLite (e2e)', () => {
  it('the database file takes in the write-ahead log while requests never checkpoint', async () => {
    // The embedded database, whichever database the rest of the suite runs on.
    const group = await startProcessGroup('wal', {
      DATABASE_URL: '',
      REDIS_URL: '',
      CLIENT_RATE_LIMIT: '100000',
      JWT_SECRET: 'delivery-thread-test-secret-0123456789-abc',
      METRICS_TOKEN: TEST_METRICS_TOKEN,
      LOG_LEVEL: 'error',
    });
    const env = group.env;
    const server = await group.start();
    try {
      const file = join(env.DATA_DIR, 'homa.sqlite');
      const before = statSync(file).size;
      // ~4 MB of messages: far past one checkpoint's worth of pages.
      const message = 'x'.repeat(20_000);
      for (let i = 0; i < 200; i++) {
        const res = await postJson(`${server.url}/api/client/tickets`, {
          ...GUIDE_TICKET,
          client_email: `wal-${i}@x.io`,
          message,
        });
        expect(res.status).toBe(201);
      }
      await eventually(() => Promise.resolve(statSync(file).size > before + 3_000_000));
      expect(statSync(file).size).toBeGreaterThan(before + 3_000_000);
    } finally {
      await group.close();
    }
  });
});
