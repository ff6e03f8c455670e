import { createHmac, KeyObject, sign } from 'node:crypto';
import type { DeliverySigning } from '../../webhooks/webhook-secrets';
import { signingKeyObject } from '../../webhooks/signing-keys';

/** The headers that carry a delivery's signatures (`X-Webhook-Signature`: HMAC webhooks only). */
export interface SignatureHeaders {
  'X-Webhook-Signature'?: string;
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

/** Private keys parsed once (`whsk_` value → key object); starts over when full. */
const keyObjects = new Map<string, KeyObject>();
const KEY_CACHE_SIZE = 1000;

function keyObject(signingKey: string): KeyObject {
  let key = keyObjects.get(signingKey);
  if (!key) {
    if (keyObjects.size >= KEY_CACHE_SIZE) keyObjects.clear();
    key = signingKeyObject(signingKey);
    keyObjects.set(signingKey, key);
  }
  return key;
}

/**
 * One ed25519 signature, computed on libuv's thread pool (crypto.sign's callback form): tens of µs of
 * CPU per signature that would otherwise hold up the delivering thread's event loop.
 */
function ed25519(key: KeyObject, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    sign(null, data, key, (error, signature) => (error ? reject(error) : resolve(signature))),
  );
}

/** `v1a,<base64 ed25519 signature over "id.timestamp.body">`, one per key, space-separated. */
export async function ed25519Signature(
  keys: readonly string[],
  id: string,
  timestamp: number,
  body: Buffer,
): Promise<string> {
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), body]);
  const signatures = await Promise.all(keys.map((key) => ed25519(keyObject(key), signed)));
  return signatures.map((signature) => `v1a,${signature.toString('base64')}`).join(' ');
}

/**
 * Signs one attempt. HMAC: `secrets[0]` is the current secret and alone makes `X-Webhook-Signature`;
 * during a rotation's grace period the older ones are added to `webhook-signature` too. ed25519: one
 * `v1a` signature per key still signing, and no `X-Webhook-Signature`.
 */
export async function signDelivery(
  signing: DeliverySigning,
  deliveryId: string,
  body: Buffer,
  now = new Date(),
): Promise<SignatureHeaders> {
  const timestamp = Math.floor(now.getTime() / 1000);
  const standard = {
    'webhook-id': deliveryId,
    'webhook-timestamp': String(timestamp),
  };
  if (signing.scheme === 'ed25519')
    return {
      ...standard,
      'webhook-signature': await ed25519Signature(signing.keys, deliveryId, timestamp, body),
    };
  return {
    'X-Webhook-Signature': hexSignature(signing.secrets[0], body),
    ...standard,
    'webhook-signature': standardWebhooksSignature(signing.secrets, deliveryId, timestamp, body),
  };
}
