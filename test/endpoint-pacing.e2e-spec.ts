import { bearer } from './factories/users';
import { createTicket } from './factories/tickets';
import { createWebhook } from './factories/webhooks';
import { Harness, startHarness } from './helpers/harness';
import { parsePrometheus, sampleValue, TEST_METRICS_TOKEN } from './helpers/prometheus';
import { eventually, ReceivedRequest } from './helpers/receiver';
import { maxInWindow } from './helpers/rate-windows';

const PROBE_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('endpoints paced and protected (e2e)', () => {
  let t: Harness;
  let alive = false;
  let throttled = true;

  beforeAll(async () => {
    t = await startHarness({
      env: {
        WEBHOOK_BREAKER_FAILURES: '3',
        WEBHOOK_BREAKER_PROBE_INTERVAL_MS: String(PROBE_MS),
        WEBHOOK_RETRY_SCHEDULE: Array(12).fill('200ms').join(','),
        METRICS_TOKEN: TEST_METRICS_TOKEN,
      },
      // /dead fails until `alive`; /a answers its first request 429 with Retry-After: 4; else 200.
      responder: (req, res) => {
        if (req.path.startsWith('/dead') && !alive) return res.writeHead(500).end('down');
        if (req.path.startsWith('/a') && throttled) {
          throttled = false;
          return res.writeHead(429, { 'Retry-After': '4' }).end('slow down');
        }
        res.writeHead(200).end('OK');
      },
    });
  });
  afterAll(() => t.close());

  const base = () => t.receiver.url.replace(/\/webhook$/, '');
  const at = (path: string) => (r: ReceivedRequest) => r.path === path;
  const health = async (webhookId: number) => {
    const res = await t.http
      .get('/api/admin/webhook-health')
      .set(bearer(t.admin.token))
      .expect(200);
    return (res.body.data as { webhook_id: number; endpoint: Record<string, unknown> }[]).find(
      (h) => h.webhook_id === webhookId,
    )!.endpoint;
  };
  const attemptsOf = async (webhookId: number) =>
    (await t.deliveryRows(webhookId)).map((d) => Number(d.attempts));

  it('rate_limit_per_second: a whole number 1..10000 or null, a 400 naming the field otherwise', async () => {
    const count = async () =>
      Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM webhooks'))[0].n);
    const before = await count();
    for (const bad of [0, -1, 10001, 2.5, 'ten', true]) {
      const res = await t.http
        .post('/api/admin/webhooks')
        .set(bearer(t.admin.token))
        .send({ name: 'Paced', url: `${base()}/v`, rate_limit_per_second: bad })
        .expect(400);
      expect(JSON.stringify(res.body)).toContain('rate_limit_per_second');
    }
    expect(await count()).toBe(before);
    const hook = await createWebhook(t, t.admin.token, {
      url: `${base()}/v`,
      rate_limit_per_second: 25,
    });
    expect(hook.rate_limit_per_second).toBe(25);
    const path = `/api/admin/webhooks/${hook.id}`;
    await t.http
      .patch(path)
      .set(bearer(t.admin.token))
      .send({ rate_limit_per_second: 0 })
      .expect(400);
    const read = await t.http.get(path).set(bearer(t.admin.token)).expect(200);
    expect(read.body.rate_limit_per_second).toBe(25);
    const cleared = await t.http
      .put(path)
      .set(bearer(t.admin.token))
      .send({ rate_limit_per_second: null })
      .expect(200);
    expect(cleared.body.rate_limit_per_second).toBeNull();
    const listed = await t.http.get('/api/admin/webhooks').set(bearer(t.admin.token)).expect(200);
    expect(listed.body.data.find((w: { id: number }) => w.id === hook.id)).toMatchObject({
      rate_limit_per_second: null,
    });
    const swagger = await t.http.get('/docs-json').expect(200);
    expect(swagger.body.components.schemas.CreateWebhookDto.properties).toHaveProperty(
      'rate_limit_per_second',
    );
    await t.http.delete(path).set(bearer(t.admin.token)).expect(204);
  });

  it('never more than the rate over any second, test sends included; waiting costs no attempt', async () => {
    const rate = 8;
    const hook = await createWebhook(t, t.admin.token, {
      url: `${base()}/paced`,
      event_all: true,
      rate_limit_per_second: rate,
    });
    // 12 tickets: 36 deliveries (client.created, ticket.created, message.created each).
    await Promise.all(Array.from({ length: 12 }, () => createTicket(t)));
    await t.receiver.waitFor(10, at('/paced'), 10_000);
    const tested = await t.http
      .post(`/api/admin/webhooks/${hook.id}/test`)
      .set(bearer(t.admin.token))
      .expect(200);
    expect(tested.body.success).toBe(true);
    const received = await t.receiver.waitFor(37, at('/paced'), 20_000);
    const times = received.map((r) => r.at).sort((a, b) => a - b);
    expect(maxInWindow(times)).toBeLessThanOrEqual(rate);
    // …so 37 at 8/s take at least (37 - 8) / 8 s. How close to the rate a backlog drains is a speed
    // figure, measured by the bench (BENCH_SECTIONS=pacing), not asserted here: all arrive within
    // the wait above.
    const span = times[times.length - 1] - times[0];
    expect(span).toBeGreaterThanOrEqual(((37 - rate) / rate) * 1000);
    await eventually(async () => {
      const rows = await t.deliveryRows(hook.id);
      return rows.length >= 36 && rows.every((d) => d.status === 'succeeded');
    });
    // Deliveries that waited for their turn were attempted once each.
    expect(new Set(await attemptsOf(hook.id))).toEqual(new Set([1]));
    await t.http
      .patch(`/api/admin/webhooks/${hook.id}`)
      .set(bearer(t.admin.token))
      .send({ enabled: false })
      .expect(200);
  });

  it('a 429 with Retry-After pauses every pending delivery of its webhook; another webhook keeps receiving', async () => {
    const a = await createWebhook(t, t.admin.token, {
      url: `${base()}/a`,
      event_user_created: true,
    });
    const b = await createWebhook(t, t.admin.token, {
      url: `${base()}/b`,
      event_user_created: true,
    });
    await t.trigger();
    const [refused] = await t.receiver.waitFor(1, at('/a'));
    await eventually(async () => (await health(a.id)).state === 'paused');
    expect(await health(a.id)).toMatchObject({
      paused_until: expect.any(String),
      pause_reason: expect.stringMatching(/429.*Retry-After/),
    });
    let lastTrigger = 0;
    for (let i = 0; i < 3; i++) {
      await t.trigger();
      lastTrigger = Date.now();
    }
    // The other webhook gets all four meanwhile, each as soon as it is made…
    const atB = await t.receiver.waitFor(4, at('/b'), 10_000);
    expect(Math.max(...atB.map((r) => r.at))).toBeLessThanOrEqual(lastTrigger + 1500);
    // …while /a gets nothing until the 4 s are over, then all four.
    const atA = await t.receiver.waitFor(5, at('/a'), 15_000);
    for (const r of atA.slice(1)) expect(r.at).toBeGreaterThanOrEqual(refused.at + 4000 - 25);
    await eventually(async () => (await health(a.id)).state === 'closed');
    // An outcome is written just after its answer (a group commit): wait for all eight.
    for (const hook of [a, b])
      await eventually(async () => {
        const rows = await t.deliveryRows(hook.id);
        return rows.length === 4 && rows.every((d) => d.status === 'succeeded');
      });
    // The three that waited were not attempted (or failed) meanwhile: one attempt each.
    expect((await attemptsOf(a.id)).sort()).toEqual([1, 1, 1, 2]);
    expect((await attemptsOf(b.id)).sort()).toEqual([1, 1, 1, 1]);
  });

  it('the breaker opens after N failures (one alert), probes once per interval, closes on success and drains', async () => {
    const pager = await createWebhook(t, t.admin.token, {
      url: `${base()}/pager`,
      event_webhook_disabled: true,
    });
    const dead = await createWebhook(t, t.admin.token, {
      url: `${base()}/dead`,
      event_user_created: true,
    });
    const isOpened = (r: ReceivedRequest) =>
      r.path === '/pager' && r.body.event === 'webhook.circuit_opened';
    for (let i = 0; i < 3; i++) await t.trigger();
    const [alert] = await t.receiver.waitFor(1, isOpened, 10_000);
    expect(alert.body.data).toMatchObject({
      webhook_id: dead.id,
      consecutive_failures: 3,
      opened_at: expect.stringMatching(/Z$/),
    });
    const open = await health(dead.id);
    expect(['open', 'half_open']).toContain(open.state);
    expect(open.consecutive_failures).toBeGreaterThanOrEqual(3);
    const metrics = await t.http.get('/metrics').set(bearer(TEST_METRICS_TOKEN)).expect(200);
    const samples = parsePrometheus(metrics.text);
    expect(
      sampleValue(samples, 'homa_webhook_endpoint_state', { state: 'open' }) +
        sampleValue(samples, 'homa_webhook_endpoint_state', { state: 'half_open' }),
    ).toBeGreaterThanOrEqual(1);

    // Open: more events wait; the dead endpoint sees one probe per interval, not the retries.
    const openedAt = Date.now();
    for (let i = 0; i < 2; i++) await t.trigger();
    await sleep(3 * PROBE_MS + 200);
    const watched = Date.now() - openedAt;
    const probes = t.receiver.requests.filter((r) => r.path === '/dead' && r.at > openedAt + 50);
    expect(probes.length).toBeGreaterThanOrEqual(2);
    expect(probes.length).toBeLessThanOrEqual(Math.floor(watched / PROBE_MS) + 1);
    const gaps = probes.slice(1).map((r, i) => r.at - probes[i].at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(PROBE_MS - 50);

    // The next probe succeeds: closed, and the backlog (five deliveries) drains.
    alive = true;
    await eventually(async () => {
      const rows = await t.deliveryRows(dead.id);
      return rows.length === 5 && rows.every((d) => d.status === 'succeeded');
    }, 10_000);
    expect((await health(dead.id)).state).toBe('closed');
    await sleep(300);
    expect(t.receiver.requests.filter(isOpened)).toHaveLength(1);
    await t.http
      .patch(`/api/admin/webhooks/${pager.id}`)
      .set(bearer(t.admin.token))
      .send({ enabled: false })
      .expect(200);
  });
});
