import { createHmac, createPublicKey, verify } from 'node:crypto';
import { generateSigningKeyPair } from '../../webhooks/signing-keys';
import { signDelivery } from './webhook-signer';

const BODY = Buffer.from('{"event":"ticket.created","data":{"title":"Zoë <&> \u2028 🎉"}}', 'utf8');
const AT = new Date('2024-01-15T10:30:00.900Z');

/** Node's own verification with the raw 32 bytes of a `whpk_` key, independent of the signer. */
function verifies(whpk: string, id: string, signature: string): boolean {
  const key = createPublicKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      x: Buffer.from(whpk.slice(5), 'base64').toString('base64url'),
    },
    format: 'jwk',
  });
  const signed = Buffer.concat([Buffer.from(`${id}.1705314600.`), BODY]);
  return verify(null, signed, key, Buffer.from(signature, 'base64'));
}

describe('signDelivery', () => {
  it('hmac: the seed header and Standard Webhooks v1, one per secret, as before', async () => {
    const mac = (key: string, data: Buffer | string, encoding: 'hex' | 'base64') =>
      createHmac('sha256', key).update(data).digest(encoding);
    const signed = Buffer.concat([Buffer.from('d1.1705314600.'), BODY]);
    await expect(
      signDelivery({ scheme: 'hmac', secrets: ['new-secret', 'old-secret'] }, 'd1', BODY, AT),
    ).resolves.toStrictEqual({
      'X-Webhook-Signature': mac('new-secret', BODY, 'hex'),
      'webhook-id': 'd1',
      'webhook-timestamp': '1705314600',
      'webhook-signature': `v1,${mac('new-secret', signed, 'base64')} v1,${mac('old-secret', signed, 'base64')}`,
    });
  });

  it('ed25519: v1a per key over id.timestamp.body, no X-Webhook-Signature', async () => {
    const current = generateSigningKeyPair();
    const previous = generateSigningKeyPair();
    expect(current.signing_key).toMatch(/^whsk_[A-Za-z0-9+/]{43}=$/);
    const headers = await signDelivery(
      { scheme: 'ed25519', keys: [current.signing_key, previous.signing_key] },
      'd2',
      BODY,
      AT,
    );
    expect(Object.keys(headers)).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
    const [a, b] = headers['webhook-signature'].split(' ').map((e) => e.split(','));
    expect([a[0], b[0]]).toEqual(['v1a', 'v1a']);
    expect(verifies(current.public_key, 'd2', a[1])).toBe(true);
    expect(verifies(previous.public_key, 'd2', b[1])).toBe(true);
    expect(verifies(previous.public_key, 'd2', a[1])).toBe(false);
    expect(verifies(current.public_key, 'other-id', a[1])).toBe(false);
  });
});
