import { createHmac } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { ReceivedRequest } from './receiver';

/** `X-Webhook-Signature` as the usage guide defines it: lowercase hex HMAC-SHA256 of the exact body bytes. */
export function hmacSignature(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** The guide's Python verifier: HMAC over the raw body bytes. */
export function rawBytesAccept(r: ReceivedRequest, secret: string): boolean {
  return r.headers['x-webhook-signature'] === hmacSignature(secret, r.raw);
}

/** The guide's Node.js verifier: re-serialises the parsed body. */
export function nodeGuideAccepts(r: ReceivedRequest, secret: string): boolean {
  const reserialised = JSON.stringify(JSON.parse(r.raw.toString('utf8')));
  return r.headers['x-webhook-signature'] === hmacSignature(secret, reserialised);
}

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
