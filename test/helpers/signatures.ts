import { createHmac, createPublicKey, KeyObject, verify } from 'node:crypto';
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

/** A `whpk_` public key as Node's own key object (raw 32 bytes, through JWK). */
export function ed25519PublicKey(whpk: string): KeyObject {
  expect(whpk).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
  const raw = Buffer.from(whpk.slice('whpk_'.length), 'base64');
  expect(raw).toHaveLength(32);
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

/**
 * Which of a delivery's `webhook-signature` entries Node's `crypto.verify` accepts with `whpk`, over
 * `{webhook-id}.{webhook-timestamp}.{body}`: one boolean per space-separated `v1a,` entry (an entry of
 * any other version counts as not accepted).
 */
export function ed25519Verdicts(r: ReceivedRequest, whpk: string): boolean[] {
  const key = ed25519PublicKey(whpk);
  const signed = Buffer.concat([
    Buffer.from(`${String(r.headers['webhook-id'])}.${String(r.headers['webhook-timestamp'])}.`),
    r.raw,
  ]);
  return String(r.headers['webhook-signature'])
    .split(' ')
    .map((entry) => {
      const [version, signature] = entry.split(',');
      return (
        version === 'v1a' &&
        signature !== undefined &&
        verify(null, signed, key, Buffer.from(signature, 'base64'))
      );
    });
}
