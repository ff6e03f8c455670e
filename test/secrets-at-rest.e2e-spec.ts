import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyId } from '../src/secrets/secret-cipher';
import { createTicket } from './factories/tickets';
import { bearer, uniqueEmail } from './factories/users';
import { createWebhook, DELIVERY_TEST_ENV } from './factories/webhooks';
import { runCli } from './helpers/cli';
import { isolatedDatabase, mysqlUrl } from './helpers/database';
import { Harness, startHarness } from './helpers/harness';
import { startReceiver } from './helpers/receiver';
import { login, postJson, startServerProcess } from './helpers/server-process';
import { hmacSignature, standardWebhooksAccept } from './helpers/signatures';

/**
 * Everything the database holds, as bytes: the SQLite file and its WAL, or a mysqldump.
 * The dump runs asynchronously and from one consistent snapshot (`--single-transaction`, no LOCK TABLES):
 * a blocking dump with table locks waits for any open write transaction, and the app under test runs in
 * this same process, so a transaction it had open could never commit and the suite would hang.
 */
async function databaseDump(env: Record<string, string>): Promise<string> {
  const url = env.DATABASE_URL;
  if (!url) {
    const file = join(env.DATA_DIR, 'homa.sqlite');
    return [file, `${file}-wal`]
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f).toString('latin1'))
      .join('');
  }
  const u = new URL(url);
  const { stdout } = await promisify(execFile)(
    'mysqldump',
    [
      '--single-transaction',
      '--skip-lock-tables',
      '-h',
      u.hostname,
      '-P',
      u.port || '3306',
      '-u',
      decodeURIComponent(u.username),
      ...(u.password ? [`-p${decodeURIComponent(u.password)}`] : []),
      u.pathname.slice(1),
    ],
    { encoding: 'latin1', maxBuffer: 256 * 1024 * 1024, timeout: 30_000 },
  );
  return stdout;
}

describe('webhook secrets at rest (e2e)', () => {
  let t: Harness;

  beforeAll(async () => {
    t = await startHarness();
  });
  afterAll(() => t.close());

  it('the database holds no secret after create and rotation, and deliveries still verify', async () => {
    const first = `first-${randomUUID()}`;
    const second = `second-${randomUUID()}`;
    const webhook = await createWebhook(t, t.admin.token, {
      url: t.receiver.url,
      secret: first,
      event_ticket_created: true,
    });
    expect(webhook.secret).toBe(first);
    await t.http
      .post(`/api/admin/webhooks/${webhook.id}/rotate-secret`)
      .set(bearer(t.admin.token))
      .send({ secret: second, grace_period_seconds: 3600 })
      .expect(200);

    const [row] = await t.dataSource.query<{ secret: string; previous_secrets: string }[]>(
      'SELECT secret, previous_secrets FROM webhooks WHERE id = ?',
      [webhook.id],
    );
    expect(row.secret).toMatch(/^enc:v1:[0-9a-f]{8}:/);
    expect(JSON.stringify(row)).not.toContain(first);
    expect(JSON.stringify(row)).not.toContain(second);
    const env = {
      DATA_DIR: process.env.DATA_DIR!,
      ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    };
    const dump = await databaseDump(env);
    expect(dump).toContain('enc:v1:');
    expect(dump).not.toContain(first);
    expect(dump).not.toContain(second);

    const revealed = await t.http
      .get(`/api/admin/webhooks/${webhook.id}/secret`)
      .set(bearer(t.admin.token))
      .expect(200);
    expect(revealed.body).toEqual({ id: webhook.id, secret: second });
    const listed = await t.http.get('/api/admin/webhooks').set(bearer(t.admin.token)).expect(200);
    expect(JSON.stringify(listed.body)).not.toMatch(/enc:v1|second-|first-/);

    await createTicket(t);
    const [delivery] = await t.receiver.waitFor(1, (r) => r.body.event === 'ticket.created');
    expect(delivery.headers['x-webhook-signature']).toBe(hmacSignature(second, delivery.raw));
    expect(standardWebhooksAccept(delivery, second)).toBe(true);
    expect(standardWebhooksAccept(delivery, first)).toBe(true);

    const test = await t.http
      .post(`/api/admin/webhooks/${webhook.id}/test`)
      .set(bearer(t.admin.token))
      .expect(200);
    expect(test.body.success).toBe(true);
  });
});

describe('encryption keys: a wrong key stops the process, re-encryption moves to a new one (e2e)', () => {
  it('refuses a key that cannot decrypt, and secrets:reencrypt keeps every webhook verifiable', async () => {
    const db = await isolatedDatabase('keys');
    const receiver = await startReceiver();
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const base = { ...db.env, JWT_SECRET: 'keys-test-secret-that-is-long-enough-0123456789' };
    const withKey = (key: string) => ({ ...base, HOMA_ENCRYPTION_KEY: key });
    let server: Awaited<ReturnType<typeof startServerProcess>> | undefined;
    try {
      expect((await runCli(['migrate'], withKey(oldKey))).code).toBe(0);
      const generated = await runCli(
        ['generate-webhook', '--url', 'https://example.com/hook'],
        withKey(oldKey),
      );
      expect(generated.code).toBe(0);
      const id = /ID: (\d+)/.exec(generated.stdout)![1];
      const secret = /Secret: (\w+)/.exec(generated.stdout)![1];

      const wrong = await runCli(['webhook:secret', id], withKey(newKey));
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/HOMA_ENCRYPTION_KEY/);
      expect(wrong.stdout).not.toContain(secret);

      const reencrypted = await runCli(['secrets:reencrypt'], withKey(`${newKey},${oldKey}`));
      expect(reencrypted.stderr).toBe('');
      expect(reencrypted.code).toBe(0);
      expect(reencrypted.stdout).toMatch(/Re-encrypted the secrets of 1 webhook/);

      const shown = await runCli(['webhook:secret', id], withKey(newKey));
      expect(shown.code).toBe(0);
      expect(shown.stdout.trim()).toBe(secret);
      expect((await runCli(['webhook:secret', id], withKey(oldKey))).code).not.toBe(0);

      // A server under the new key alone signs with the same secret.
      const email = uniqueEmail('keys-admin');
      const created = await runCli(
        ['user:create', '--email', email, '--password', 'long-enough-pw', '--admin'],
        withKey(newKey),
      );
      expect(created.code).toBe(0);
      server = await startServerProcess({
        ...withKey(newKey),
        ...DELIVERY_TEST_ENV,
        LOG_LEVEL: 'error',
      });
      const access_token = await login(server.url, email, 'long-enough-pw');
      const moved = await fetch(`${server.url}/api/admin/webhooks/${id}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', ...bearer(access_token) },
        body: JSON.stringify({ url: receiver.url }),
      });
      expect(moved.status).toBe(200);
      const test = await postJson(`${server.url}/api/admin/webhooks/${id}/test`, {}, access_token);
      expect(((await test.json()) as { success: boolean }).success).toBe(true);
      const [received] = await receiver.waitFor(1);
      expect(received.headers['x-webhook-signature']).toBe(hmacSignature(secret, received.raw));
      expect(standardWebhooksAccept(received, secret)).toBe(true);
      expect(await databaseDump(base)).toContain(`enc:v1:${keyId(Buffer.from(newKey, 'base64'))}:`);
      expect(await databaseDump(base)).not.toContain(
        `enc:v1:${keyId(Buffer.from(oldKey, 'base64'))}:`,
      );
    } finally {
      await server?.stop();
      await receiver.close();
      await db.drop();
    }
  });

  it('with MySQL and no key, the server refuses to start naming HOMA_ENCRYPTION_KEY', async () => {
    const url = mysqlUrl() ?? 'mysql://root@127.0.0.1:3306/never_used';
    const result = await runCli(['migrate:status'], {
      DATABASE_URL: url,
      JWT_SECRET: 'x'.repeat(40),
      HOMA_ENCRYPTION_KEY: '',
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/"HOMA_ENCRYPTION_KEY" is required when DATABASE_URL is set/);
  });
});
