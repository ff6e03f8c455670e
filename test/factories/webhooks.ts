import type { TestApp } from '../helpers/test-app';
import { bearer } from './users';

export interface WebhookBody {
  name?: string;
  url: string;
  secret?: string;
  enabled?: boolean;
  [flag: string]: unknown;
}

/** Creates a webhook through the admin API and returns the answer (with its secret). */
export async function createWebhook(t: TestApp, adminToken: string, body: WebhookBody) {
  const res = await t.http
    .post('/api/admin/webhooks')
    .set(bearer(adminToken))
    .send({ name: 'Test webhook', ...body });
  if (res.status !== 201)
    throw new Error(`create webhook: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: number; secret: string; url: string; enabled: boolean } & Record<
    string,
    unknown
  >;
}

/** The environment every delivery e2e test runs with: local receivers allowed, fast retries and polling. */
export const DELIVERY_TEST_ENV: Record<string, string> = {
  WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32,::1/128',
  WEBHOOK_RETRY_SCHEDULE: '200ms,400ms',
  WEBHOOK_POLL_INTERVAL_MS: '50',
  WEBHOOK_TIMEOUT_MS: '1000',
  // Endpoint pacing stays out of the way of tests about other things (test/endpoint-pacing.e2e-spec.ts
  // turns it on): no circuit breaker, and a slowed endpoint's pause short.
  WEBHOOK_BREAKER_FAILURES: '0',
  WEBHOOK_SLOWDOWN_MAX_MS: '200',
};
