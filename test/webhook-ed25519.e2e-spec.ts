import { randomBytes } from 'node:crypto';
import { installSecretCipher, keyId, SecretCipher } from '../src/secrets/secret-cipher';
import { TransactionService } from '../src/database/transaction.service';
import { SecretsReencryptor } from '../src/webhooks/secrets-reencryptor';
import { bearer } from './factories/users';
import { createWebhook, DELIVERY_TEST_ENV } from './factories/webhooks';
import { SUITE_ENCRYPTION_KEY } from './helpers/database';
import { Harness, startHarness } from './helpers/harness';
import { ok, ReceivedRequest, Receiver, startReceiver } from './helpers/receiver';
import { postJson, startProcessGroup } from './helpers/server-process';
import { ed25519Verdicts, hmacSignature, standardWebhooksAccept } from './helpers/signatures';

/**
 * ed25519 webhooks (Standard Webhooks `v1a`): every signature is checked with Node's own
 * `crypto.verify` and a key object built from the `whpk_` value the API shows, not with Homa's code.
 */
describe('ed25519 signatures (e2e)', () => {
  let t: Harness;
  let paths = 0;

  beforeAll(async () => {
    t = await startHarness();
  });
  afterAll(() => t.close());

  /** A webhook of its own, on its own receiver path. */
  async function ed25519Webhook(extra: Record<string, unknown> = {}) {
    const path = `/ed-${++paths}`;
    const hook = await createWebhook(t, t.admin.token, {
      url: t.receiver.url.replace('/webhook', path),
      event_user_created: true,
      signature_scheme: 'ed25519',
      ...extra,
    });
    return { hook, path };
  }

  /** One test send, answered 2xx, and the request its receiver got. */
  async function testSend(id: number, path: string, receiver: Receiver = t.receiver) {
    const before = receiver.requests.filter((r) => r.path === path).length;
    const res = await t.http
      .post(`/api/admin/webhooks/${id}/test`)
      .set(bearer(t.admin.token))
      .expect(200);
    expect(res.body).toMatchObject({ success: true });
    const got = await receiver.waitFor(before + 1, (r) => r.path === path);
    return got[before];
  }

  const view = async (id: number) =>
    (await t.http.get(`/api/admin/webhooks/${id}`).set(bearer(t.admin.token)).expect(200))
      .body as Record<string, unknown>;

  it('shows the public key on create, list and detail, and never the private key', async () => {
    const { hook } = await ed25519Webhook();
    expect(hook.signature_scheme).toBe('ed25519');
    expect(hook.public_key).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    const detail = await view(hook.id);
    const list = await t.http
      .get('/api/admin/webhooks')
      .query({ limit: 100 })
      .set(bearer(t.admin.token))
      .expect(200);
    const listed = (list.body.data as Record<string, unknown>[]).find((w) => w.id === hook.id)!;
    for (const shown of [hook, detail, listed]) {
      expect(shown.public_key).toBe(hook.public_key);
      expect(JSON.stringify(shown)).not.toMatch(/whsk_|signing_key/);
    }
    const [row] = await t.dataSource.query<{ signing_key: string; public_key: string }[]>(
      'SELECT signing_key, public_key FROM webhooks WHERE id = ?',
      [hook.id],
    );
    expect(row.signing_key).toMatch(/^enc:v1:/);
    expect(row.public_key).toBe(hook.public_key);
  });

  it('signs webhook-signature v1a over id.timestamp.body, with no HMAC header', async () => {
    const { hook, path } = await ed25519Webhook();
    const r = await testSend(hook.id, path);
    expect(r.headers['x-webhook-signature']).toBeUndefined();
    expect(String(r.headers['webhook-signature'])).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    expect(ed25519Verdicts(r, String(hook.public_key))).toEqual([true]);
    // Another key, or another body, does not verify: the check can fail.
    const other = await ed25519Webhook();
    expect(ed25519Verdicts(r, String(other.hook.public_key))).toEqual([false]);
    const tampered = { ...r, raw: Buffer.concat([r.raw, Buffer.from(' ')]) };
    expect(ed25519Verdicts(tampered, String(hook.public_key))).toEqual([false]);
  });

  it('signs the deliveries of real events through the pipeline', async () => {
    const { hook, path } = await ed25519Webhook();
    await t.trigger();
    await t.trigger();
    const got = await t.receiver.waitFor(2, (r) => r.path === path);
    for (const r of got) {
      expect(r.headers['x-webhook-event']).toBe('user.created');
      expect(ed25519Verdicts(r, String(hook.public_key))).toEqual([true]);
    }
  });

  it("signs a templated webhook's rendered bytes", async () => {
    const shaped = await startReceiver(ok, 0, { validateSchemas: false });
    try {
      const hook = await createWebhook(t, t.admin.token, {
        url: shaped.url,
        event_user_created: true,
        signature_scheme: 'ed25519',
        template: '{"text": "New user " & data.name & " ✓"}',
      });
      await t.trigger({ name: 'Zoë <&>' });
      const [r] = await shaped.waitFor(1);
      expect(r.raw.toString('utf8')).toBe('{"text":"New user Zoë <&> ✓"}');
      expect(ed25519Verdicts(r, String(hook.public_key))).toEqual([true]);
    } finally {
      await shaped.close();
    }
  });

  it('rotation: the old key keeps signing beside the new one for the grace period', async () => {
    const { hook, path } = await ed25519Webhook();
    const oldKey = String(hook.public_key);
    const rotated = await t.http
      .post(`/api/admin/webhooks/${hook.id}/rotate-secret`)
      .set(bearer(t.admin.token))
      .send({ grace_period_seconds: 3600 })
      .expect(200);
    expect(Object.keys(rotated.body).sort()).toEqual([
      'id',
      'previous_secret_expires_at',
      'public_key',
    ]);
    const newKey = String(rotated.body.public_key);
    expect(newKey).not.toBe(oldKey);
    expect((await view(hook.id)).public_key).toBe(newKey);

    const during = await testSend(hook.id, path);
    const entries = String(during.headers['webhook-signature']).split(' ');
    expect(entries).toHaveLength(2);
    expect(ed25519Verdicts(during, newKey)).toEqual([true, false]);
    expect(ed25519Verdicts(during, oldKey)).toEqual([false, true]);

    // A second rotation without grace: only the newest key signs (the grace of the first key is
    // not extended, and the one just replaced stops at once).
    const again = await t.http
      .post(`/api/admin/webhooks/${hook.id}/rotate-secret`)
      .set(bearer(t.admin.token))
      .send({ grace_period_seconds: 0 })
      .expect(200);
    expect(again.body.previous_secret_expires_at).toBeNull();
    const after = await testSend(hook.id, path);
    expect(ed25519Verdicts(after, String(again.body.public_key))).toEqual([true, false]);
    expect(ed25519Verdicts(after, oldKey)).toEqual([false, true]);
    expect(ed25519Verdicts(after, newKey)).toEqual([false, false]);
  });

  it('refuses a given secret on the rotation of an ed25519 webhook (Homa makes its keys)', async () => {
    const { hook } = await ed25519Webhook();
    const res = await t.http
      .post(`/api/admin/webhooks/${hook.id}/rotate-secret`)
      .set(bearer(t.admin.token))
      .send({ secret: 'my-own-secret-123' })
      .expect(400);
    expect(res.body.details).toEqual([{ field: 'secret', errors: [expect.any(String)] }]);
    expect((await view(hook.id)).public_key).toBe(hook.public_key);
  });

  it('answers 400 naming signature_scheme for an unknown scheme, and stores nothing', async () => {
    const res = await t.http
      .post('/api/admin/webhooks')
      .set(bearer(t.admin.token))
      .send({ name: 'Bad', url: 'https://hooks.example.com/x', signature_scheme: 'rsa' })
      .expect(400);
    expect(res.body.details).toEqual([{ field: 'signature_scheme', errors: [expect.any(String)] }]);
  });

  it('switching scheme: hmac keeps its secret, ed25519 keeps its key pair', async () => {
    const path = `/switch-${++paths}`;
    const hook = await createWebhook(t, t.admin.token, {
      url: t.receiver.url.replace('/webhook', path),
      event_user_created: true,
    });
    expect(hook.signature_scheme).toBe('hmac');
    expect(hook.public_key).toBeNull();
    const hmac = await testSend(hook.id, path);
    expect(hmac.headers['x-webhook-signature']).toBe(hmacSignature(hook.secret, hmac.raw));
    expect(standardWebhooksAccept(hmac, hook.secret)).toBe(true);
    expect(String(hmac.headers['webhook-signature'])).toMatch(/^v1,/);

    const patch = (body: Record<string, unknown>) =>
      t.http
        .patch(`/api/admin/webhooks/${hook.id}`)
        .set(bearer(t.admin.token))
        .send(body)
        .expect(200);
    const toEd = await patch({ signature_scheme: 'ed25519' });
    const publicKey = String(toEd.body.public_key);
    const ed = await testSend(hook.id, path);
    expect(ed.headers['x-webhook-signature']).toBeUndefined();
    expect(ed25519Verdicts(ed, publicKey)).toEqual([true]);

    const back = await patch({ signature_scheme: 'hmac' });
    expect(back.body.public_key).toBeNull();
    const hmacAgain = await testSend(hook.id, path);
    expect(hmacAgain.headers['x-webhook-signature']).toBe(
      hmacSignature(hook.secret, hmacAgain.raw),
    );
    expect(standardWebhooksAccept(hmacAgain, hook.secret)).toBe(true);

    const edAgain = await patch({ signature_scheme: 'ed25519' });
    expect(edAgain.body.public_key).toBe(publicKey);
    expect(ed25519Verdicts(await testSend(hook.id, path), publicKey)).toEqual([true]);
  });

  it('the delivery log omits no X-Webhook-Signature that an ed25519 webhook never sends', async () => {
    const { hook, path } = await ed25519Webhook();
    const r: ReceivedRequest = await testSend(hook.id, path);
    const id = String(r.headers['x-webhook-delivery']);
    const res = await t.http
      .get(`/api/admin/webhook_deliveries/${id}/headers`)
      .set(bearer(t.admin.token))
      .expect(200);
    expect(res.body.omitted).toEqual(['webhook-signature', 'webhook-timestamp']);
    expect(res.body.headers['webhook-id']).toBe(id);
  });

  it('secrets:reencrypt moves the private keys to the new encryption key; they still sign', async () => {
    const { hook, path } = await ed25519Webhook();
    await t.http
      .post(`/api/admin/webhooks/${hook.id}/rotate-secret`)
      .set(bearer(t.admin.token))
      .send({ grace_period_seconds: 3600 })
      .expect(200);
    const current = String((await view(hook.id)).public_key);
    const newKey = randomBytes(32);
    const suiteKey = Buffer.from(SUITE_ENCRYPTION_KEY, 'base64');
    installSecretCipher(new SecretCipher([newKey, suiteKey]));
    try {
      await new SecretsReencryptor(t.get(TransactionService)).reencryptAll();
      const [row] = await t.dataSource.query<
        { signing_key: string; previous_signing_keys: string }[]
      >('SELECT signing_key, previous_signing_keys FROM webhooks WHERE id = ?', [hook.id]);
      expect(row.signing_key).toMatch(new RegExp(`^enc:v1:${keyId(newKey)}:`));
      const previous = JSON.parse(row.previous_signing_keys) as { secret: string }[];
      expect(previous).toHaveLength(1);
      expect(previous[0].secret).toMatch(new RegExp(`^enc:v1:${keyId(newKey)}:`));
      expect(row.previous_signing_keys).not.toContain('whsk_');
      const r = await testSend(hook.id, path);
      expect(ed25519Verdicts(r, current)).toEqual([true, false]);
      expect(ed25519Verdicts(r, String(hook.public_key))).toEqual([false, true]);
    } finally {
      installSecretCipher(new SecretCipher([suiteKey]));
    }
  });
});

describe('ed25519 signatures from the delivering process (e2e)', () => {
  it('the server, or with Redis the worker process, signs deliveries that verify', async () => {
    const receiver = await startReceiver();
    const group = await startProcessGroup('ed25519', {
      JWT_SECRET: 'ed25519-test-secret-that-is-long-enough-0123456789',
      ...DELIVERY_TEST_ENV,
    });
    try {
      const server = await group.startDelivering();
      const token = await group.createAdmin(server, 'ed-admin@example.com', 'ed-admin-pass-1');
      const created = await postJson(
        `${server.url}/api/admin/webhooks`,
        {
          name: 'ed25519',
          url: receiver.url,
          event_user_created: true,
          signature_scheme: 'ed25519',
        },
        token,
      );
      expect(created.status).toBe(201);
      const { public_key } = (await created.json()) as { public_key: string };
      for (let i = 0; i < 3; i++) {
        const user = await postJson(
          `${server.url}/api/admin/users`,
          { email: `ed-${i}-${Date.now()}@example.com`, name: 'Ed', password: 'long-enough-pw' },
          token,
        );
        expect(user.status).toBe(201);
      }
      const got = await receiver.waitFor(3, undefined, 30000);
      for (const r of got) {
        expect(r.headers['x-webhook-signature']).toBeUndefined();
        expect(ed25519Verdicts(r, public_key)).toEqual([true]);
      }
      // With Redis the server only records events: the worker made these attempts.
      expect(group.processes).toHaveLength(process.env.REDIS_URL ? 2 : 1);
    } finally {
      await group.close();
      await receiver.close();
    }
  });
});
