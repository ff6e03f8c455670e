import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { ReceivedRequest } from './receiver';

/** Whether the official `standardwebhooks` verifier accepts a delivery signed with `secret` (raw UTF-8 key). */
export function standardWebhooksAccept(r: ReceivedRequest, secret: string): boolean {
  try {
    new StandardWebhook(secret, { format: 'raw' }).verify(r.raw.toString('utf8'), {
      'webhook-id': String(r.headers['webhook-id']),
      'webhook-timestamp': String(r.headers['webhook-timestamp']),
      'webhook-signature': String(r.headers['webhook-signature']),
    });
    return true;
  } catch {
    return false;
  }
}
