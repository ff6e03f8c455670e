import { DataSource } from 'typeorm';
import { Webhook } from '../src/webhooks/entities/webhook.entity';
import { bearer } from './factories/users';
import { createWebhook } from './factories/webhooks';
import { BLOCKED_URLS } from '../src/network/blocked-urls.testing';
import { Harness, startHarness } from './helpers/harness';
import { eventually, startReceiver, status } from './helpers/receiver';
import type { TestApp } from './helpers/test-app';

/** Saves a webhook straight to the database, as if its URL had been allowed when it was saved. */
async function insertWebhook(dataSource: DataSource, url: string): Promise<number> {
  const repo = dataSource.getRepository(Webhook);
  const saved = await repo.save(
    repo.create({ name: 'raw', url, secret: 'raw-secret-123', event_user_created: true }),
  );
  return saved.id;
}

async function attemptOf(t: TestApp, webhookId: number) {
  return eventually(async () => {
    const rows: { error_code: string | null; error: string | null; status_code: number | null }[] =
      await t.dataSource.query(
        'SELECT a.error_code, a.error, a.status_code FROM webhook_delivery_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.webhook_id = ?',
        [webhookId],
      );
    return rows[0];
  });
}

describe('target guard (e2e)', () => {
  describe('by default', () => {
    let t: Harness;

    beforeAll(async () => {
      t = await startHarness({
        env: { WEBHOOK_ALLOWED_NETWORKS: '', WEBHOOK_RETRY_SCHEDULE: '10s' },
      });
    });
    afterAll(() => t.close());

    it.each([...BLOCKED_URLS, 'http://localhost:8080/hook'])(
      'the API refuses %s with a 400 naming the address',
      async (url) => {
        const res = await t.http
          .post('/api/admin/webhooks')
          .set(bearer(t.admin.token))
          .send({ name: 'x', url })
          .expect(400);
        expect(res.body.details).toEqual([
          { field: 'url', errors: [expect.stringMatching(/WEBHOOK_ALLOWED_NETWORKS/)] },
        ]);
      },
    );

    it('the sender refuses a blocked address at send time, and the target sees nothing', async () => {
      const id = await insertWebhook(t.dataSource, t.receiver.url);
      await t.trigger();
      const attempt = await attemptOf(t, id);
      expect(attempt.error_code).toBe('blocked_target');
      expect(attempt.error).toMatch(/127\.0\.0\.1 is a loopback address/);
      expect(t.receiver.requests).toHaveLength(0);
    });

    it('checks the addresses a host name resolves to at connect time (DNS rebinding)', async () => {
      const port = new URL(t.receiver.url).port;
      const id = await insertWebhook(t.dataSource, `http://localhost:${port}/webhook`);
      await t.trigger();
      const attempt = await attemptOf(t, id);
      expect(attempt.error_code).toBe('blocked_target');
      expect(attempt.error).toMatch(/localhost resolves to/);
      expect(t.receiver.requests).toHaveLength(0);
    });
  });

  describe('opted in', () => {
    let t: Harness;

    beforeAll(async () => {
      t = await startHarness({
        env: { WEBHOOK_ALLOWED_NETWORKS: '', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' },
      });
    });
    afterAll(() => t.close());

    it.each([...BLOCKED_URLS, 'http://localhost:8080/hook'])('the API accepts %s', async (url) => {
      await t.http
        .post('/api/admin/webhooks')
        .set(bearer(t.admin.token))
        .send({ name: 'x', url })
        .expect(201);
    });

    it('delivers to a host name that resolves to loopback', async () => {
      const receiver = await startReceiver();
      try {
        const hook = await createWebhook(t, t.admin.token, {
          url: `http://localhost:${new URL(receiver.url).port}/webhook`,
        });
        const res = await t.http
          .post(`/api/admin/webhooks/${hook.id}/test`)
          .set(bearer(t.admin.token))
          .expect(200);
        expect(res.body.success).toBe(true);
      } finally {
        await receiver.close();
      }
    });
  });

  it('does not follow a redirect, even to an allowed address', async () => {
    const t = await startHarness();
    const target = t.receiver;
    const redirector = await startReceiver(status(302, { Location: target.url }));
    try {
      const hook = await createWebhook(t, t.admin.token, { url: redirector.url });
      const res = await t.http
        .post(`/api/admin/webhooks/${hook.id}/test`)
        .set(bearer(t.admin.token))
        .expect(200);
      expect(res.body).toEqual(
        expect.objectContaining({ success: false, status_code: 302, error_code: 'http_status' }),
      );
      expect(res.body.error).toMatch(/redirects are not followed/);
      expect(target.requests).toHaveLength(0);
    } finally {
      await redirector.close();
      await t.close();
    }
  });
});
