import { v7 as uuidv7 } from 'uuid';
import { insertDeliveries } from '../src/deliveries/store/delivery-rows';
import { EventOutbox } from '../src/deliveries/outbox/event-outbox';
import { WebhookHealth } from '../src/deliveries/outcomes/webhook-health';
import { Webhook } from '../src/webhooks/entities/webhook.entity';
import { bearer } from './factories/users';
import { createWebhook } from './factories/webhooks';
import { Harness, startHarness } from './helpers/harness';
import { eventually, hang, ReceivedRequest, startReceiver, status } from './helpers/receiver';
import { nodeGuideAccepts, rawBytesAccept, standardWebhooksAccept } from './helpers/signatures';

describe('webhook deliveries (e2e)', () => {
  let t: Harness;

  beforeAll(async () => {
    t = await startHarness();
  });
  afterAll(() => t.close());

  it('routes each event only to the webhooks subscribed to it; disabled ones get nothing', async () => {
    const mark = t.receiver.requests.length;
    const onCreated = await createWebhook(t, t.admin.token, {
      url: `${t.receiver.url}?w=created`,
      event_user_created: true,
    });
    const onUpdated = await createWebhook(t, t.admin.token, {
      url: `${t.receiver.url}?w=updated`,
      event_user_updated: true,
    });
    const all = await createWebhook(t, t.admin.token, {
      url: `${t.receiver.url}?w=all`,
      event_all: true,
    });
    const disabled = await createWebhook(t, t.admin.token, {
      url: `${t.receiver.url}?w=disabled`,
      event_all: true,
      enabled: false,
    });
    const unsubscribed = await createWebhook(t, t.admin.token, {
      url: `${t.receiver.url}?w=none`,
      event_ticket_closed: true,
    });

    const user = await t.trigger({ name: 'Routed User' });
    await t.http
      .patch(`/api/admin/users/${user.body.id}`)
      .set(bearer(t.admin.token))
      .send({ name: 'Renamed User' })
      .expect(200);

    const mine = (r: ReceivedRequest) => r.body.data.user_id === user.body.id;
    await t.receiver.waitFor(4, mine);
    await new Promise((r) => setTimeout(r, 300));
    const got = t.receiver.requests
      .slice(mark)
      .filter(mine)
      .map((r) => `${r.path.split('w=')[1]} ${r.body.event}`);
    expect(got.sort()).toEqual([
      'all user.created',
      'all user.updated',
      'created user.created',
      'updated user.updated',
    ]);

    const rows: { webhook_id: number }[] = await t.dataSource.query(
      'SELECT webhook_id FROM webhook_deliveries WHERE webhook_id IN (?, ?)',
      [disabled.id, unsubscribed.id],
    );
    expect(rows).toEqual([]);
    expect([onCreated.id, onUpdated.id, all.id]).toHaveLength(3);
  });

  it('webhook.test reaches only the webhook tested', async () => {
    const a = await createWebhook(t, t.admin.token, {
      url: `${t.receiver.url}?w=a`,
      event_all: true,
    });
    await createWebhook(t, t.admin.token, { url: `${t.receiver.url}?w=b`, event_all: true });
    const mark = t.receiver.requests.length;
    await t.http.post(`/api/admin/webhooks/${a.id}/test`).set(bearer(t.admin.token)).expect(200);
    await new Promise((r) => setTimeout(r, 200));
    const tests = t.receiver.requests.slice(mark).filter((r) => r.body.event === 'webhook.test');
    expect(tests.map((r) => r.path)).toEqual([`/webhook?w=a`]);
  });

  it("delivers the contract's headers, and every verifier accepts any payload (unicode, emoji, <>&, quotes, U+2028)", async () => {
    const secret = 'guide-style-secret-key';
    const hook = await createWebhook(t, t.admin.token, {
      url: `${t.receiver.url}?w=sig`,
      secret,
      event_user_created: true,
    });
    const names = [
      'Zoë Ünïcödé',
      'Emoji 🎉🚀 family 👨‍👩‍👧',
      '<script>alert("x")</script> & co',
      'O\'Brien "quoted" \\ back',
      'line\u2028sep\u2029para',
      'tab\tnew\nline',
    ];
    const ids: string[] = [];
    for (const name of names) ids.push((await t.trigger({ name })).body.id);
    const got = await t.receiver.waitFor(names.length, (r) => r.path.endsWith('w=sig'));
    for (const r of got) {
      expect(nodeGuideAccepts(r, secret)).toBe(true);
      expect(rawBytesAccept(r, secret)).toBe(true);
      expect(standardWebhooksAccept(r, secret)).toBe(true);
      expect(standardWebhooksAccept(r, 'some-other-secret')).toBe(false);
      expect(r.headers).toEqual(
        expect.objectContaining({
          'content-type': 'application/json',
          'user-agent': expect.stringMatching(/^Homa-Webhook\/\d+\.\d+\.\d+$/),
          'x-webhook-event': 'user.created',
          'x-webhook-delivery': r.headers['webhook-id'],
          'x-webhook-attempt': '1',
        }),
      );
      expect(r.body).toEqual({
        event: 'user.created',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        data: {
          user_id: expect.any(String),
          name: expect.any(String),
          email: expect.any(String),
          role: 'agent',
          status: 'active',
        },
      });
    }
    expect(got.map((r) => r.body.data.name).sort()).toEqual([...names].sort());
    const stored: { payload: string }[] = await t.dataSource.query(
      'SELECT e.body AS payload FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE d.webhook_id = ?',
      [hook.id],
    );
    expect(stored.map((s) => s.payload).sort()).toEqual(
      got.map((r) => r.raw.toString('utf8')).sort(),
    );
    expect(JSON.stringify(stored)).not.toContain(secret);
  });

  it("answers the guide's three SQL queries as their comments say", async () => {
    const good = await createWebhook(t, t.admin.token, {
      url: `${t.receiver.url}?w=sql`,
      event_user_created: true,
    });
    const failing = await startReceiver(status(500));
    try {
      const bad = await createWebhook(t, t.admin.token, {
        url: failing.url,
        event_user_created: true,
      });
      await t.trigger({ name: 'SQL User' });
      await eventually(async () => {
        const rows: { status: string }[] = await t.dataSource.query(
          'SELECT status FROM webhook_deliveries WHERE webhook_id = ?',
          [bad.id],
        );
        return rows.length === 1 && rows[0].status === 'failed';
      });

      // -- Get recent deliveries
      const recent: { created_at: unknown }[] = await t.dataSource.query(
        'SELECT * FROM webhook_deliveries\nORDER BY created_at DESC\nLIMIT 10;',
      );
      expect(recent.length).toBeGreaterThan(1);
      expect(recent.length).toBeLessThanOrEqual(10);
      const times = recent.map((r) => new Date(r.created_at as string).getTime());
      expect([...times].sort((a, b) => b - a)).toEqual(times);

      // -- Get failed deliveries
      const failed: {
        webhook_id: number;
        success: unknown;
        status: string;
        error: string;
        attempts: number;
      }[] = await t.dataSource.query(
        'SELECT * FROM webhook_deliveries\nWHERE success = 0\nORDER BY created_at DESC;',
      );
      const mineFailed = failed.filter((r) => Number(r.webhook_id) === bad.id);
      expect(mineFailed).toHaveLength(1);
      expect(mineFailed[0]).toEqual(
        expect.objectContaining({ status: 'failed', error: 'HTTP 500', attempts: 3 }),
      );
      expect(failed.filter((r) => Number(r.webhook_id) === good.id)).toEqual([]);

      // -- Get deliveries for specific webhook
      const forOne: { webhook_id: number; success: unknown; status_code: number }[] =
        await t.dataSource.query(
          `SELECT * FROM webhook_deliveries\nWHERE webhook_id = ${good.id}\nORDER BY created_at DESC;`,
        );
      expect(forOne).toHaveLength(1);
      expect(forOne[0]).toEqual(expect.objectContaining({ status: 'succeeded', status_code: 200 }));
      expect(Number(forOne[0].success)).toBe(1);

      const attempts: { attempt: number; status_code: number; error_code: string }[] =
        await t.dataSource.query(
          'SELECT a.attempt, a.status_code, a.error_code FROM webhook_delivery_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.webhook_id = ? ORDER BY a.attempt',
          [bad.id],
        );
      expect(attempts).toEqual(
        [1, 2, 3].map((attempt) => ({ attempt, status_code: 500, error_code: 'http_status' })),
      );
    } finally {
      await failing.close();
    }
  });

  it('records a hanging receiver as a timeout while the API stays responsive', async () => {
    const hanging = await startReceiver(hang);
    try {
      const hook = await createWebhook(t, t.admin.token, {
        url: hanging.url,
        event_user_created: true,
        timeout_ms: 500,
      });
      const started = Date.now();
      await t.trigger({ name: 'Timed Out' });
      expect(Date.now() - started).toBeLessThan(2000);
      await hanging.waitFor(1);
      const health = Date.now();
      await t.http.get('/health').expect(200);
      expect(Date.now() - health).toBeLessThan(400);
      const attempt = await eventually(async () => {
        const rows: { error_code: string; duration_ms: number }[] = await t.dataSource.query(
          'SELECT a.error_code, a.duration_ms FROM webhook_delivery_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.webhook_id = ?',
          [hook.id],
        );
        return rows[0];
      });
      expect(attempt.error_code).toBe('timeout');
      expect(attempt.duration_ms).toBeGreaterThanOrEqual(450);
    } finally {
      await hanging.close();
    }
  });

  it('lists deliveries with filters and pagination', async () => {
    const hook = await createWebhook(t, t.admin.token, {
      url: `${t.receiver.url}?w=list`,
      event_user_created: true,
    });
    for (let i = 0; i < 3; i++) await t.trigger({ name: `Listed ${i}` });
    await eventually(async () => {
      const res = await t.http
        .get('/api/admin/webhook_deliveries')
        .query({ webhook_id: hook.id, success: true })
        .set(bearer(t.admin.token));
      return res.body.meta.total === 3;
    });
    const page = await t.http
      .get('/api/admin/webhook_deliveries')
      .query({ webhook_id: hook.id, event: 'user.created', status: 'succeeded', limit: 2, page: 2 })
      .set(bearer(t.admin.token))
      .expect(200);
    expect(page.body.meta).toEqual({ page: 2, limit: 2, total: 3, total_pages: 2 });
    expect(page.body.data).toHaveLength(1);
    expect(page.body.data[0].payload).toBeUndefined();
    const none = await t.http
      .get('/api/admin/webhook_deliveries')
      .query({ webhook_id: hook.id, success: false })
      .set(bearer(t.admin.token))
      .expect(200);
    expect(none.body.meta.total).toBe(0);
    const bad = await t.http
      .get('/api/admin/webhook_deliveries')
      .query({ status: 'lost', limit: 500 })
      .set(bearer(t.admin.token))
      .expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'limit',
      'status',
    ]);
  });

  it("stops a disabled webhook's pending deliveries only while the database says it is disabled", async () => {
    const hook = await createWebhook(t, t.admin.token, {
      url: `${t.receiver.url}?w=stale-copy`,
      event_user_created: true,
    });
    const deliveryId = uuidv7();
    await t.dataSource.transaction(async (m) => {
      const eventId = uuidv7();
      await t.get(EventOutbox).recordFannedOut(m, {
        name: 'user.created',
        id: eventId,
        occurredAt: new Date(),
        data: { user_id: 'u-stale' },
      });
      // Due only in an hour: nothing sends it meanwhile.
      await insertDeliveries(m, [
        {
          id: deliveryId,
          webhook_id: hook.id,
          event: 'user.created',
          event_id: eventId,
          ordering_key: null,
          sequence: null,
          status: 'pending',
          next_attempt_at: new Date(Date.now() + 3_600_000),
          locked_until: null,
        },
      ]);
    });
    const statusOf = async () =>
      (
        await t.dataSource.query<{ status: string }[]>(
          'SELECT status FROM webhook_deliveries WHERE id = ?',
          [deliveryId],
        )
      )[0].status;
    const health = t.get(WebhookHealth);
    const row = await t.dataSource.getRepository(Webhook).findOneByOrFail({ id: hook.id });

    // A copy cached before the webhook was enabled again says "disabled": nothing stops.
    await health.stopPendingOnce({ ...row, enabled: false });
    expect(await statusOf()).toBe('pending');

    await t.http
      .put(`/api/admin/webhooks/${hook.id}`)
      .set(bearer(t.admin.token))
      .send({ enabled: false })
      .expect(200);
    // Disabled in the database: the next job of the webhook stops it (at most once a second per process).
    await eventually(async () => {
      await health.stopPendingOnce({ ...row, enabled: false });
      return (await statusOf()) === 'failed';
    });
  });
});
