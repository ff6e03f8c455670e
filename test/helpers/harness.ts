import { createUser, TestUser } from '../factories/users';
import { DELIVERY_TEST_ENV } from '../factories/webhooks';
import { deliveriesOf, deliveryRows, trigger } from './deliveries';
import { ok, Receiver, Responder, startReceiver } from './receiver';
import { createTestApp, TestApp } from './test-app';

/** The real app on a database of its own, an admin signed in, and a receiver on 127.0.0.1. */
export interface Harness extends TestApp {
  admin: TestUser;
  receiver: Receiver;
  /** One `user.created` event (see `trigger` in ./deliveries). */
  trigger(fields?: { email?: string; name?: string }): ReturnType<typeof trigger>;
  /** A webhook's deliveries through the delivery log API (see ./deliveries). */
  deliveriesOf(
    webhookId: number,
    filters?: { status?: string; event?: string },
  ): ReturnType<typeof deliveriesOf>;
  /** A webhook's delivery rows from the database (see ./deliveries). */
  deliveryRows(webhookId: number): ReturnType<typeof deliveryRows>;
  /** Closes the receiver, then the app (dropping its database). */
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Added to DELIVERY_TEST_ENV (local receivers allowed, fast retries and polling). */
  env?: Record<string, string>;
  /** How the receiver answers; 200 "OK" by default. */
  responder?: Responder;
}

/** What most e2e files start with in `beforeAll`; `close()` in `afterAll`. */
export async function startHarness({
  env = {},
  responder = ok,
}: HarnessOptions = {}): Promise<Harness> {
  const t = await createTestApp({ ...DELIVERY_TEST_ENV, ...env });
  const admin = await createUser(t, 'admin');
  const receiver = await startReceiver(responder);
  return {
    ...t,
    admin,
    receiver,
    trigger: (fields) => trigger(t, admin.token, fields),
    deliveriesOf: (webhookId, filters) => deliveriesOf(t, admin.token, webhookId, filters),
    deliveryRows: (webhookId) => deliveryRows(t, webhookId),
    close: async () => {
      await receiver.close();
      await t.close();
    },
  };
}
