import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import request from 'supertest';
import { eventually } from './helpers/receiver';
import { postJson, ProcessGroup, ServerProcess, startProcessGroup } from './helpers/server-process';

const FIXTURES = join(__dirname, 'fixtures/mtls');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const CLIENT_CERT = fixture('client.pem');
const CLIENT_KEY = fixture('client.key');

interface Seen {
  path: string;
  cn: string;
}

/**
 * Mutual TLS against a receiver that requires a client certificate signed by the test CA. The
 * server (and, with Redis, the worker) run as processes of their own, started with
 * NODE_EXTRA_CA_CERTS naming the test CA: that is how Homa trusts the receiver's certificate.
 */
describe('mutual TLS (e2e)', () => {
  let group: ProcessGroup;
  let server: ServerProcess;
  let token: string;
  let receiver: Server;
  let port: number;
  const seen: Seen[] = [];
  let paths = 0;

  beforeAll(async () => {
    receiver = createServer(
      {
        key: fixture('server.key'),
        cert: fixture('server.pem'),
        ca: fixture('ca.pem'),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const cert = (req.socket as TLSSocket).getPeerCertificate();
        req.resume();
        req.on('end', () => {
          seen.push({ path: req.url ?? '', cn: String(cert.subject?.CN) });
          res.end('hello, client');
        });
      },
    );
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
    group = await startProcessGroup('mtls', {
      NODE_EXTRA_CA_CERTS: join(FIXTURES, 'ca.pem'),
      JWT_SECRET: 'mtls-test-secret-that-is-long-enough-0123456789',
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      WEBHOOK_RETRY_SCHEDULE: '200ms',
      WEBHOOK_POLL_INTERVAL_MS: '100',
      WEBHOOK_TIMEOUT_MS: '3000',
    });
    server = await group.startDelivering();
    token = await group.createAdmin(server, 'mtls-admin@example.com', 'mtls-admin-pass-1');
  });
  afterAll(async () => {
    await group?.close();
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  /** One admin API call to the server process (supertest, for its parsed `body`). */
  const api = (method: 'GET' | 'POST' | 'PATCH', path: string, body?: object) => {
    const call = request(server.url)
      [method === 'GET' ? 'get' : method === 'POST' ? 'post' : 'patch'](`/api/admin${path}`)
      .set('Authorization', `Bearer ${token}`);
    return body === undefined ? call : call.send(body);
  };
  const create = (extra: Record<string, unknown>) =>
    api('POST', '/webhooks', {
      name: 'mTLS',
      url: `https://127.0.0.1:${port}/mtls-${++paths}`,
      event_user_created: true,
      ...extra,
    });
  const countWebhooks = async () => (await api('GET', '/webhooks?limit=1')).body.meta.total;
  const attemptsOf = async (webhookId: number) => {
    const list = await api('GET', `/webhook_deliveries?webhook_id=${webhookId}`);
    const detail = await api('GET', `/webhook_deliveries/${list.body.data[0].id}`);
    return detail.body.attempt_log as { error_code: string | null; error: string | null }[];
  };

  it.each([
    [
      'an unparsable certificate',
      { client_certificate: 'not a certificate', client_key: CLIENT_KEY },
      'client_certificate',
    ],
    [
      'an unparsable key',
      { client_certificate: CLIENT_CERT, client_key: '-----BEGIN PRIVATE KEY-----\nxx\n' },
      'client_key',
    ],
    [
      'a key of another pair',
      {
        client_certificate: CLIENT_CERT,
        client_key: generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      },
      'client_key',
    ],
    ['a certificate without its key', { client_certificate: CLIENT_CERT }, 'client_key'],
    ['a key without its certificate', { client_key: CLIENT_KEY }, 'client_certificate'],
    [
      'the masked key on create',
      { client_certificate: CLIENT_CERT, client_key: '********' },
      'client_key',
    ],
  ])('answers 400 naming the field for %s, and stores nothing', async (_, fields, field) => {
    const before = await countWebhooks();
    const res = await create(fields);
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field, errors: [expect.any(String)] }]);
    expect(await countWebhooks()).toBe(before);
  });

  it('presents the client certificate: the receiver sees its CN; the key is never shown', async () => {
    const res = await create({ client_certificate: CLIENT_CERT, client_key: CLIENT_KEY });
    expect(res.status).toBe(201);
    expect(res.body.client_certificate).toBe(CLIENT_CERT);
    expect(res.body.client_key).toBe('********');
    const id = res.body.id as number;
    for (const shown of [
      (await api('GET', `/webhooks/${id}`)).body,
      (await api('GET', '/webhooks?limit=100')).body,
      (await api('GET', `/webhooks/${id}/credentials`)).body,
    ])
      expect(JSON.stringify(shown)).not.toContain('PRIVATE KEY');
    const [row] = await (
      await group.database()
    ).query<{ client_key: string }[]>('SELECT client_key FROM webhooks WHERE id = ?', [id]);
    expect(row.client_key).toMatch(/^enc:v1:/);

    // A real event, delivered by the server (or, with Redis, the worker process).
    const path = `/mtls-${paths}`;
    const user = await postJson(
      `${server.url}/api/admin/users`,
      { email: `mtls-${Date.now()}@example.com`, name: 'mTLS', password: 'long-enough-pw' },
      token,
    );
    expect(user.status).toBe(201);
    await eventually(() => Promise.resolve(seen.some((s) => s.path === path)));
    expect(seen.filter((s) => s.path === path)).toEqual([{ path, cn: 'homa-test-client' }]);
    const test = await api('POST', `/webhooks/${id}/test`);
    expect(test.body).toMatchObject({ success: true, status_code: 200 });
  });

  it('without a client certificate the delivery fails with the TLS error on its attempt', async () => {
    const res = await create({});
    expect(res.status).toBe(201);
    const test = await api('POST', `/webhooks/${res.body.id}/test`);
    expect(test.body.success).toBe(false);
    const [attempt] = await attemptsOf(res.body.id as number);
    expect(attempt.error_code).toBe('tls');
    expect(attempt.error).toMatch(/certificate/i);
    expect(seen.some((s) => s.path === `/mtls-${paths}`)).toBe(false);
  });

  it('updates: a masked key keeps the stored one, a removed pair stops presenting it', async () => {
    const created = await create({ client_certificate: CLIENT_CERT, client_key: CLIENT_KEY });
    const id = created.body.id as number;
    const masked = await api('PATCH', `/webhooks/${id}`, {
      client_certificate: CLIENT_CERT,
      client_key: '********',
      description: 'kept key',
    });
    expect(masked.status).toBe(200);
    expect((await api('POST', `/webhooks/${id}/test`)).body.success).toBe(true);

    const mismatch = await api('PATCH', `/webhooks/${id}`, {
      client_key: generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.details[0].field).toBe('client_key');
    const halfRemoved = await api('PATCH', `/webhooks/${id}`, { client_key: null });
    expect(halfRemoved.status).toBe(400);
    expect(halfRemoved.body.details[0].field).toBe('client_key');

    const removed = await api('PATCH', `/webhooks/${id}`, {
      client_certificate: null,
      client_key: null,
    });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ client_certificate: null, client_key: null });
    const failed = await api('POST', `/webhooks/${id}/test`);
    expect(failed.body).toMatchObject({ success: false, error_code: 'tls' });

    const restored = await api('PATCH', `/webhooks/${id}`, {
      client_certificate: CLIENT_CERT,
      client_key: CLIENT_KEY,
    });
    expect(restored.status).toBe(200);
    expect((await api('POST', `/webhooks/${id}/test`)).body.success).toBe(true);
  });
});
