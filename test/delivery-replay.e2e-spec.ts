import { DeliveryRetentionService } from '../src/deliveries/log/delivery-retention.service';
import { WebhookDelivery } from '../src/deliveries/entities/webhook-delivery.entity';
import { WebhookEvent } from '../src/deliveries/entities/webhook-event.entity';
import { In } from 'typeorm';
import { bearer } from './factories/users';
import { createWebhook } from './factories/webhooks';
import { Harness, startHarness } from './helpers/harness';
import { eventually, ok, startReceiver, status } from './helpers/receiver';
import { hmacSignature, standardWebhooksAccept } from './helpers/signatures';

/** Long enough for a delivery to go out within it on a busy machine (1 s was not, under load). */
const ROTATION_GRACE_S = 4;

describe('redeliver, recover, rotation, auto-disable and pruning (e2e)', () => {
  let t: Harness;

  beforeAll(async () => {
    t = await startHarness({
      env: { WEBHOOK_RETRY_SCHEDULE: '100ms,100ms', WEBHOOK_AUTO_DISABLE_AFTER: '600ms' },
    });
  });
  afterAll(() => t.close());

  it('redelivers any delivery by hand: same body, same ids, trigger=manual', async () => {
    const receiver = await startReceiver();
    try {
      const hook = await createWebhook(t, t.admin.token, {
        url: receiver.url,
        event_user_created: true,
      });
      await t.trigger();
      const [first] = await receiver.waitFor(1);
      const deliveryId = String(first.headers['x-webhook-delivery']);
      await eventually(async () => (await t.deliveriesOf(hook.id))[0]?.status === 'succeeded');

      const res = await t.http
        .post(`/api/admin/webhook_deliveries/${deliveryId}/redeliver`)
        .set(bearer(t.admin.token))
        .expect(200);
      expect(res.body).toEqual(
        expect.objectContaining({
          success: true,
          attempt: 2,
          status: 'succeeded',
          delivery_id: deliveryId,
        }),
      );
      const [, again] = await receiver.waitFor(2);
      expect(again.headers['x-webhook-delivery']).toBe(deliveryId);
      expect(again.headers['webhook-id']).toBe(first.headers['webhook-id']);
      expect(again.headers['x-webhook-attempt']).toBe('2');
      expect(again.raw.equals(first.raw)).toBe(true);
      const detail = await t.http
        .get(`/api/admin/webhook_deliveries/${deliveryId}`)
        .set(bearer(t.admin.token))
        .expect(200);
      expect(detail.body.attempt_log.map((a: { trigger: string }) => a.trigger)).toEqual([
        'auto',
        'manual',
      ]);
      await t.http
        .post('/api/admin/webhook_deliveries/00000000-0000-4000-8000-000000000000/redeliver')
        .set(bearer(t.admin.token))
        .expect(404);
    } finally {
      await receiver.close();
    }
  });

  it('recovers every failed delivery since a time, in the background, answering how many', async () => {
    const receiver = await startReceiver(status(500));
    try {
      const hook = await createWebhook(t, t.admin.token, {
        url: receiver.url,
        event_user_created: true,
      });
      const since = new Date(Date.now() - 1000).toISOString();
      await t.trigger();
      await t.trigger();
      await eventually(async () => {
        const rows = await t.deliveriesOf(hook.id);
        return rows.length === 2 && rows.every((r) => r.status === 'failed');
      });
      // The failures above stayed under the auto-disable window only if it has not passed: re-enable to be sure.
      await t.http
        .put(`/api/admin/webhooks/${hook.id}`)
        .set(bearer(t.admin.token))
        .send({ enabled: true })
        .expect(200);
      receiver.respondWith(ok);
      const res = await t.http
        .post(`/api/admin/webhooks/${hook.id}/recover`)
        .set(bearer(t.admin.token))
        .send({ since })
        .expect(202);
      expect(res.body).toEqual({ webhook_id: hook.id, requeued: 2 });
      await eventually(async () =>
        (await t.deliveriesOf(hook.id)).every((r) => r.status === 'succeeded'),
      );
      const bad = await t.http
        .post(`/api/admin/webhooks/${hook.id}/recover`)
        .set(bearer(t.admin.token))
        .send({ since: 'yesterday' })
        .expect(400);
      expect(bad.body.message).toMatch(/since/);
    } finally {
      await receiver.close();
    }
  });

  it('disables a webhook whose deliveries all failed for the configured window; re-enabling clears the reason', async () => {
    const receiver = await startReceiver(status(500));
    try {
      const hook = await createWebhook(t, t.admin.token, {
        url: receiver.url,
        event_user_created: true,
      });
      await t.trigger();
      await new Promise((r) => setTimeout(r, 700));
      await t.trigger();
      const disabled = await eventually(async () => {
        const res = await t.http.get(`/api/admin/webhooks/${hook.id}`).set(bearer(t.admin.token));
        return res.body.enabled === false ? res.body : undefined;
      });
      expect(disabled.disabled_reason).toMatch(/Every delivery failed since/);
      const enabled = await t.http
        .patch(`/api/admin/webhooks/${hook.id}`)
        .set(bearer(t.admin.token))
        .send({ enabled: true })
        .expect(200);
      expect(enabled.body).toEqual(
        expect.objectContaining({ enabled: true, disabled_reason: null, failing_since: null }),
      );
    } finally {
      await receiver.close();
    }
  });

  it('a success resets the failure window', async () => {
    let calls = 0;
    const receiver = await startReceiver((req, res) =>
      ++calls % 2 === 0 ? ok(req, res) : status(500)(req, res),
    );
    try {
      const hook = await createWebhook(t, t.admin.token, {
        url: receiver.url,
        event_user_created: true,
      });
      for (let i = 0; i < 4; i++) {
        await t.trigger();
        await new Promise((r) => setTimeout(r, 250));
      }
      await receiver.waitFor(8);
      const res = await t.http
        .get(`/api/admin/webhooks/${hook.id}`)
        .set(bearer(t.admin.token))
        .expect(200);
      expect(res.body.enabled).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('rotates the secret: both secrets verify during the grace period, only the new one after', async () => {
    const receiver = await startReceiver();
    try {
      const hook = await createWebhook(t, t.admin.token, {
        url: receiver.url,
        event_user_created: true,
        secret: 'old-secret-value',
      });
      const rotated = await t.http
        .post(`/api/admin/webhooks/${hook.id}/rotate-secret`)
        .set(bearer(t.admin.token))
        .send({ secret: 'new-secret-value', grace_period_seconds: ROTATION_GRACE_S })
        .expect(200);
      expect(rotated.body).toEqual({
        id: hook.id,
        secret: 'new-secret-value',
        previous_secret_expires_at: expect.any(String),
      });
      await t.trigger();
      const [during] = await receiver.waitFor(1);
      expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(standardWebhooksAccept(during, 'new-secret-value')).toBe(true);
      expect(standardWebhooksAccept(during, 'old-secret-value')).toBe(true);
      expect(during.headers['x-webhook-signature']).toBe(
        hmacSignature('new-secret-value', during.raw),
      );

      await new Promise((r) => setTimeout(r, ROTATION_GRACE_S * 1000 + 100));
      await t.trigger();
      const [, after] = await receiver.waitFor(2);
      expect(standardWebhooksAccept(after, 'new-secret-value')).toBe(true);
      expect(standardWebhooksAccept(after, 'old-secret-value')).toBe(false);

      const generated = await t.http
        .post(`/api/admin/webhooks/${hook.id}/rotate-secret`)
        .set(bearer(t.admin.token))
        .send({})
        .expect(200);
      expect(generated.body.secret).toMatch(/^[A-Za-z0-9]{32}$/);
      const secret = await t.http
        .get(`/api/admin/webhooks/${hook.id}/secret`)
        .set(bearer(t.admin.token))
        .expect(200);
      expect(secret.body.secret).toBe(generated.body.secret);
    } finally {
      await receiver.close();
    }
  });

  it('prunes finished deliveries and their attempts past retention, and keeps pending ones', async () => {
    const receiver = await startReceiver();
    try {
      const hook = await createWebhook(t, t.admin.token, {
        url: receiver.url,
        event_user_created: true,
      });
      await t.trigger();
      await t.trigger();
      await eventually(
        async () =>
          (await t.deliveriesOf(hook.id)).filter((d) => d.status === 'succeeded').length === 2,
      );
      const [oldDone, recent] = await t.deliveriesOf(hook.id);
      const old = new Date(Date.now() - 40 * 86_400_000);
      const deliveries = t.dataSource.getRepository(WebhookDelivery);
      await deliveries.update({ id: oldDone.id }, { created_at: old });
      await deliveries.update(
        { id: recent.id },
        { created_at: old, status: 'pending', next_attempt_at: new Date(Date.now() + 3_600_000) },
      );
      const [oldRow, recentRow] = await Promise.all(
        [oldDone.id, recent.id].map((id) => deliveries.findOneByOrFail({ id })),
      );
      const events = t.dataSource.getRepository(WebhookEvent);
      await events.update({ id: In([oldRow.event_id, recentRow.event_id]) }, { created_at: old });
      const deleted = await t.get(DeliveryRetentionService).prune();
      // An old event goes once no delivery sends it any more; a pending delivery keeps its own.
      expect(await events.existsBy({ id: recentRow.event_id })).toBe(true);
      const orphans: { n: number | string }[] = await t.dataSource.query(
        'SELECT COUNT(*) AS n FROM webhook_events e WHERE e.id = ? AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)',
        [oldRow.event_id],
      );
      expect(Number(orphans[0].n)).toBe(0);
      expect(deleted).toBeGreaterThanOrEqual(1);
      const left: { id: string }[] = await t.dataSource.query(
        'SELECT id FROM webhook_deliveries WHERE webhook_id = ?',
        [hook.id],
      );
      expect(left.map((r) => r.id)).toEqual([recent.id]);
      const attempts: { n: number | string }[] = await t.dataSource.query(
        'SELECT COUNT(*) AS n FROM webhook_delivery_attempts WHERE delivery_id = ?',
        [oldDone.id],
      );
      expect(Number(attempts[0].n)).toBe(0);
    } finally {
      await receiver.close();
    }
  });
});
