import { createHmac } from 'node:crypto';

/** The headers that carry a delivery's signatures. */
export interface SignatureHeaders {
  'X-Webhook-Signature': string;
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** Lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the secret's UTF-8 bytes (the guide's scheme). */
export function hexSignature(secret: string, body: Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** Standard Webhooks key: a `whsec_` secret is base64 after the prefix; any other is its UTF-8 bytes. */
export function standardWebhooksKey(secret: string): Buffer {
  return secret.startsWith('whsec_')
    ? Buffer.from(secret.slice(6), 'base64')
    : Buffer.from(secret, 'utf8');
}

/** `v1,<base64 HMAC-SHA256 over "id.timestamp.body">`, one per secret, space-separated. */
export function standardWebhooksSignature(
  secrets: readonly string[],
  id: string,
  timestamp: number,
  body: Buffer,
): string {
  const prefix = Buffer.from(`${id}.${timestamp}.`, 'utf8');
  return secrets
    .map((secret) => {
      const mac = createHmac('sha256', standardWebhooksKey(secret))
        .update(prefix)
        .update(body)
        .digest('base64');
      return `v1,${mac}`;
    })
    .join(' ');
}

/**
 * Signs one attempt. `secrets[0]` is the current secret and alone makes `X-Webhook-Signature`;
 * during a rotation's grace period the older ones are added to `webhook-signature` too.
 */
export function signDelivery(
  secrets: readonly string[],
  deliveryId: string,
  body: Buffer,
  now = new Date(),
): SignatureHeaders {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'X-Webhook-Signature': hexSignature(secrets[0], body),
    'webhook-id': deliveryId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': standardWebhooksSignature(secrets, deliveryId, timestamp, body),
  };
}
