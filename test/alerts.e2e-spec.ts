import { ALERTS_PER_WEBHOOK } from '../src/deliveries/outcomes/operator-alerts';
import { bearer } from './factories/users';
import { createWebhook } from './factories/webhooks';
import { Harness, startHarness } from './helpers/harness';
import { eventually, ReceivedRequest } from './helpers/receiver';

const isAlert = (r: ReceivedRequest) =>
  r.body.event === 'webhook.disabled' || r.body.event === 'delivery.failed';

describe('operator alerts (e2e)', () => {
  let t: Harness;

  beforeAll(async () => {
    t = await startHarness({
      // /gone answers 410, /down answers 500, everything else 200.
      responder: (req, res) => {
        if (req.path.startsWith('/gone')) return res.writeHead(410).end('gone');
        if (req.path.startsWith('/down')) return res.writeHead(500).end('down');
        res.writeHead(200).end('OK');
      },
    });
  });
  afterAll(() => t.close());

  const base = () => t.receiver.url.replace(/\/webhook$/, '');

  it('a 410 and an exhausted retry schedule each raise one alert, never sent to the failing webhook', async () => {
    const pager = await createWebhook(t, t.admin.token, {
      url: `${base()}/pager`,
      event_webhook_disabled: true,
      event_delivery_failed: true,
    });
    // Both failing webhooks would receive alerts if they were not about them.
    const gone = await createWebhook(t, t.admin.token, { url: `${base()}/gone`, event_all: true });
    const down = await createWebhook(t, t.admin.token, {
      url: `${base()}/down`,
      event_user_created: true,
      event_delivery_failed: true,
    });
    await t.trigger();

    const alerts = await t.receiver.waitFor(2, (r) => r.path === '/pager' && isAlert(r), 15000);
    await new Promise((r) => setTimeout(r, 1000));
    const atPager = t.receiver.requests.filter((r) => r.path === '/pager' && isAlert(r));
    expect(atPager.map((r) => r.body.event).sort()).toEqual([
      'delivery.failed',
      'webhook.disabled',
    ]);
    const disabled = atPager.find((r) => r.body.event === 'webhook.disabled')!;
    expect(disabled.body.data).toMatchObject({
      webhook_id: gone.id,
      reason: expect.stringMatching(/410 Gone/),
      disabled_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    const failed = atPager.find((r) => r.body.event === 'delivery.failed')!;
    expect(failed.body.data).toMatchObject({
      webhook_id: down.id,
      event: 'user.created',
      attempts: 3,
      last_status_code: 500,
      last_error_code: 'http_status',
    });
    const deliveryId = String(failed.body.data.delivery_id);
    const delivery = await t.http
      .get(`/api/admin/webhook_deliveries/${deliveryId}`)
      .set(bearer(t.admin.token))
      .expect(200);
    expect(delivery.body).toMatchObject({ webhook_id: down.id, status: 'failed', attempts: 3 });
    // Neither failing webhook got an alert, about itself or the other.
    expect(t.receiver.requests.filter((r) => !r.path.startsWith('/pager') && isAlert(r))).toEqual(
      [],
    );
    expect(alerts.length).toBe(2);
    for (const hook of [pager, down])
      await t.http
        .patch(`/api/admin/webhooks/${hook.id}`)
        .set(bearer(t.admin.token))
        .send({ enabled: false })
        .expect(200);
  });

  it('alerts about one webhook are rate-limited', async () => {
    const pager = await createWebhook(t, t.admin.token, {
      url: `${base()}/pager2`,
      event_delivery_failed: true,
    });
    await createWebhook(t, t.admin.token, { url: `${base()}/down2`, event_user_created: true });
    const events = ALERTS_PER_WEBHOOK + 3;
    for (let i = 0; i < events; i++) await t.trigger();
    await eventually(async () => {
      const rows = await t.dataSource.query<{ n: number | string }[]>(
        "SELECT COUNT(*) AS n FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE w.url LIKE '%/down2' AND d.status = 'failed'",
      );
      return Number(rows[0].n) === events;
    }, 20000);
    await new Promise((r) => setTimeout(r, 1000));
    const alerts = t.receiver.requests.filter((r) => r.path === '/pager2');
    expect(alerts).toHaveLength(ALERTS_PER_WEBHOOK);
    await t.http
      .patch(`/api/admin/webhooks/${pager.id}`)
      .set(bearer(t.admin.token))
      .send({ enabled: false })
      .expect(200);
  });
});
