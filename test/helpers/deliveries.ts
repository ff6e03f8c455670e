import { bearer, uniqueEmail } from '../factories/users';
import type { TestApp } from './test-app';

/** A delivery as the delivery log lists it (`GET /api/admin/webhook_deliveries`). */
export interface ListedDelivery {
  id: string;
  event: string;
  status: string;
  success: boolean;
  attempts: number;
}

/** A `webhook_deliveries` row, as the database holds it (booleans and numbers as the driver reads them). */
export interface DeliveryRow {
  id: string;
  event: string;
  status: string;
  success: unknown;
  attempts: number;
  error: string | null;
  sequence: number | string | null;
  ordering_key: string | null;
  next_attempt_at: unknown;
}

/**
 * One `user.created` event: a user created through the admin API (201). Unique email and a fixed name
 * unless `fields` say otherwise.
 */
export function trigger(
  t: TestApp,
  adminToken: string,
  fields: { email?: string; name?: string } = {},
) {
  return t.http
    .post('/api/admin/users')
    .set(bearer(adminToken))
    .send({
      email: fields.email ?? uniqueEmail('hooked'),
      name: fields.name ?? 'Hooked',
      password: 'long-enough-pw',
    })
    .expect(201);
}

/** A webhook's deliveries through the delivery log API, newest first (up to 100), with the log's filters. */
export async function deliveriesOf(
  t: TestApp,
  adminToken: string,
  webhookId: number,
  filters: { status?: string; event?: string } = {},
): Promise<ListedDelivery[]> {
  const res = await t.http
    .get('/api/admin/webhook_deliveries')
    .query({ webhook_id: webhookId, limit: 100, ...filters })
    .set(bearer(adminToken))
    .expect(200);
  return (res.body as { data: ListedDelivery[] }).data;
}

/** A webhook's `webhook_deliveries` rows straight from the database, by sequence (ordered webhooks), then id. */
export function deliveryRows(t: TestApp, webhookId: number): Promise<DeliveryRow[]> {
  return t.dataSource.query(
    `SELECT id, event, status, success, attempts, error, sequence, ordering_key, next_attempt_at
     FROM webhook_deliveries WHERE webhook_id = ? ORDER BY sequence, id`,
    [webhookId],
  );
}
