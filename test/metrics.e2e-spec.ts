import { createWebhook } from './factories/webhooks';
import { startHarness } from './helpers/harness';
import { eventually, startReceiver, status } from './helpers/receiver';
import { parsePrometheus, sampleValue } from './helpers/prometheus';

describe('metrics (e2e)', () => {
  it('GET /metrics is Prometheus text whose counters match the deliveries made', async () => {
    const t = await startHarness({ env: { WEBHOOK_RETRY_SCHEDULE: '100ms' } });
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
});
