import { bearer, createUser } from './factories/users';
import { createTestApp } from './helpers/test-app';
import { createWebhook } from './factories/webhooks';
import { startHarness } from './helpers/harness';
import { eventually, startReceiver, status } from './helpers/receiver';
import { parsePrometheus, sampleValue, TEST_METRICS_TOKEN } from './helpers/prometheus';

describe('metrics (e2e)', () => {
  it('GET /metrics is Prometheus text whose counters match the deliveries made', async () => {
    const t = await startHarness({
      env: { WEBHOOK_RETRY_SCHEDULE: '100ms', METRICS_TOKEN: TEST_METRICS_TOKEN },
    });
    const good = t.receiver;
    const bad = await startReceiver(status(500));
    try {
      await createWebhook(t, t.admin.token, { url: good.url, event_user_created: true });
      await createWebhook(t, t.admin.token, { url: bad.url, event_user_created: true });
      const users = 3;
      for (let i = 0; i < users; i++) await t.trigger();
      await eventually(async () => {
        const rows: { n: number | string }[] = await t.dataSource.query(
          "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status <> 'pending'",
        );
        return Number(rows[0].n) === 2 * users;
      });

      const res = await t.http
        .get('/metrics')
        .set(bearer(TEST_METRICS_TOKEN))
        .expect(200)
        .expect('Content-Type', /text\/plain/);
      const samples = parsePrometheus(res.text);
      const event = 'user.created';
      expect(
        sampleValue(samples, 'homa_webhook_deliveries_total', { event, outcome: 'succeeded' }),
      ).toBe(users);
      expect(
        sampleValue(samples, 'homa_webhook_deliveries_total', { event, outcome: 'failed' }),
      ).toBe(users);
      expect(
        sampleValue(samples, 'homa_webhook_attempts_total', { event, outcome: 'success' }),
      ).toBe(users);
      expect(
        sampleValue(samples, 'homa_webhook_attempts_total', { event, outcome: 'http_status' }),
      ).toBe(2 * users);
      expect(sampleValue(samples, 'homa_webhook_retries_scheduled_total', { event })).toBe(users);
      expect(sampleValue(samples, 'homa_webhook_attempt_duration_seconds_count')).toBe(3 * users);
      expect(sampleValue(samples, 'homa_webhook_deliveries_pending')).toBe(0);
      expect(samples.some((s) => s.name === 'homa_webhook_queue_depth')).toBe(true);
      expect(res.text).not.toContain(t.admin.token);
    } finally {
      await bad.close();
      await t.close();
    }
  });

  it('GET /metrics is off without METRICS_TOKEN, and asks for it as a bearer token when set', async () => {
    const off = await createTestApp({ METRICS_TOKEN: '' });
    try {
      const res = await off.http.get('/metrics').set(bearer(TEST_METRICS_TOKEN)).expect(403);
      expect(res.body.message).toMatch(/METRICS_TOKEN/);
    } finally {
      await off.close();
    }
    const t = await createTestApp({ METRICS_TOKEN: TEST_METRICS_TOKEN });
    try {
      const admin = await createUser(t, 'admin');
      const missing = await t.http.get('/metrics').expect(401);
      expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
      await t.http
        .get('/metrics')
        .set(bearer(`${TEST_METRICS_TOKEN}x`))
        .expect(401);
      // An admin's token is not the metrics token.
      await t.http.get('/metrics').set(bearer(admin.token)).expect(401);
      await t.http.get('/metrics').set(bearer(TEST_METRICS_TOKEN)).expect(200);
    } finally {
      await t.close();
    }
  });
});
