import { uniqueEmail } from './factories/users';
import { createWebhook } from './factories/webhooks';
import { startHarness } from './helpers/harness';
import { hang, startReceiver } from './helpers/receiver';

const HANG_TIMEOUT_MS = 3000;

describe('isolation (e2e)', () => {
  it('one endpoint hanging to its timeout does not hold up nine healthy ones', async () => {
    const t = await startHarness({
      env: {
        WEBHOOK_TIMEOUT_MS: String(HANG_TIMEOUT_MS),
        WEBHOOK_CONCURRENCY: '10',
        WEBHOOK_PER_ENDPOINT_CONCURRENCY: '2',
        WEBHOOK_RETRY_SCHEDULE: '1h',
      },
    });
    const healthy = t.receiver;
    const hanging = await startReceiver(hang);
    try {
      await createWebhook(t, t.admin.token, { url: hanging.url, event_user_created: true });
      for (let i = 0; i < 9; i++)
        await createWebhook(t, t.admin.token, {
          url: `${healthy.url}?h=${i}`,
          event_user_created: true,
        });

      const events = 12;
      const sentAt = new Map<string, number>();
      for (let i = 0; i < events; i++) {
        const email = uniqueEmail('iso');
        sentAt.set(email, Date.now());
        await t.trigger({ email, name: 'Iso' });
      }
      const received = await healthy.waitFor(9 * events, undefined, HANG_TIMEOUT_MS * 4);
      const latencies = received.map((r) => r.at - sentAt.get(String(r.body.data.email))!);
      const worst = Math.max(...latencies);
      // With head-of-line blocking, the hanging endpoint's 12 deliveries (2 at a time, 3 s each) would
      // hold healthy ones back by whole timeouts. Isolated, every healthy one arrives before the first timeout.
      expect(worst).toBeLessThan(HANG_TIMEOUT_MS);
      // The hanging endpoint never holds more than its 2 slots: any 3 of its attempts span a timeout.
      const arrivals = hanging.requests.map((r) => r.at).sort((a, b) => a - b);
      for (let i = 0; i + 2 < arrivals.length; i++)
        expect(arrivals[i + 2] - arrivals[i]).toBeGreaterThanOrEqual(HANG_TIMEOUT_MS * 0.9);
      console.log(
        `isolation: ${received.length} healthy deliveries, worst event-to-receipt ${worst} ms, hanging endpoint holding ${hanging.requests.length}`,
      );
    } finally {
      await hanging.close();
      await t.close();
    }
  });
});
