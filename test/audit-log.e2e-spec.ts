import { randomUUID } from 'node:crypto';
import { AuditRetentionService } from '../src/audit/audit-retention.service';
import { AuditService } from '../src/audit/audit.service';
import { ApiKeysService } from '../src/auth/api-keys.service';
import { createTicket } from './factories/tickets';
import { bearer, createUser, uniqueEmail } from './factories/users';
import { createWebhook } from './factories/webhooks';
import { runCli } from './helpers/cli';
import { Harness, startHarness } from './helpers/harness';
import { eventually } from './helpers/receiver';

interface Entry {
  actor_type: string;
  actor_user_id: string | null;
  actor_email: string | null;
  actor_api_key_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  ip: string | null;
  details: { fields?: string[] } | null;
  created_at: string;
}

describe('audit log (e2e)', () => {
  let t: Harness;

  beforeAll(async () => {
    t = await startHarness();
  });
  afterAll(() => t.close());

  const entriesFor = async (query: Record<string, string>): Promise<Entry[]> => {
    const res = await t.http
      .get('/api/admin/audit-log')
      .query({ limit: '100', ...query })
      .set(bearer(t.admin.token))
      .expect(200);
    return (res.body as { data: Entry[] }).data;
  };

  it('records each admin action once, with its actor, target and IP, and never a secret', async () => {
    const secret = `audit-secret-${randomUUID()}`;
    const rotated = `audit-rotated-${randomUUID()}`;
    const webhook = await createWebhook(t, t.admin.token, {
      url: t.receiver.url,
      secret,
      event_ticket_created: true,
    });
    const id = String(webhook.id);
    const as = bearer(t.admin.token);
    await t.http
      .patch(`/api/admin/webhooks/${id}`)
      .set(as)
      .send({ name: 'Renamed', timeout_ms: 5000 })
      .expect(200);
    await t.http.put(`/api/admin/webhooks/${id}`).set(as).send({ enabled: false }).expect(200);
    await t.http.put(`/api/admin/webhooks/${id}`).set(as).send({ enabled: true }).expect(200);
    await t.http.get(`/api/admin/webhooks/${id}/secret`).set(as).expect(200);
    await t.http
      .post(`/api/admin/webhooks/${id}/rotate-secret`)
      .set(as)
      .send({ secret: rotated })
      .expect(200);
    await t.http.post(`/api/admin/webhooks/${id}/test`).set(as).expect(200);
    await createTicket(t);
    const delivery = await eventually(async () => {
      const res = await t.http
        .get('/api/admin/webhook_deliveries')
        .query({ webhook_id: id, event: 'ticket.created' })
        .set(as);
      return (res.body as { data: { id: string; success: boolean }[] }).data.find((d) => d.success);
    });
    await t.http.post(`/api/admin/webhook_deliveries/${delivery.id}/redeliver`).set(as).expect(200);
    await t.http
      .post(`/api/admin/webhooks/${id}/recover`)
      .set(as)
      .send({ since: '2020-01-01T00:00:00Z' })
      .expect(202);
    // A refused request changes nothing and is not recorded.
    await t.http.patch(`/api/admin/webhooks/${id}`).set(as).send({ url: 'ftp://nope' }).expect(400);

    // Through an API key: the entry names the key and its owner.
    const { id: keyId, key } = await t
      .get(ApiKeysService)
      .create(t.admin.id, `audit-${randomUUID()}`);
    await t.http.delete(`/api/admin/webhooks/${id}`).set(bearer(key)).expect(204);

    const entries = (await entriesFor({ target_type: 'webhook', target_id: id })).reverse();
    expect(entries.map((e) => e.action)).toEqual([
      'webhook.create',
      'webhook.update',
      'webhook.disable',
      'webhook.enable',
      'webhook.secret_reveal',
      'webhook.secret_rotate',
      'webhook.test',
      'webhook.recover',
      'webhook.delete',
    ]);
    for (const e of entries.slice(0, -1))
      expect(e).toEqual(
        expect.objectContaining({
          actor_type: 'user',
          actor_user_id: t.admin.id,
          actor_email: t.admin.email,
          actor_api_key_id: null,
          target_type: 'webhook',
          target_id: id,
          ip: expect.stringMatching(/127\.0\.0\.1/),
        }),
      );
    expect(entries[1].details).toEqual({ fields: ['name', 'timeout_ms'] });
    expect(entries.at(-1)).toEqual(
      expect.objectContaining({
        actor_type: 'api_key',
        actor_user_id: t.admin.id,
        actor_api_key_id: keyId,
      }),
    );
    const redelivered = await entriesFor({ action: 'delivery.redeliver' });
    expect(redelivered).toEqual([
      expect.objectContaining({
        target_type: 'delivery',
        target_id: delivery.id,
        actor_user_id: t.admin.id,
      }),
    ]);

    const everything = JSON.stringify(await t.dataSource.query('SELECT * FROM audit_log'));
    for (const s of [secret, rotated, key, 'password', 'hash', 'enc:v1'])
      expect(everything).not.toContain(s);
  });

  it('records user and API key changes and failed logins, never the password', async () => {
    const as = bearer(t.admin.token);
    const password = `pw-${randomUUID()}`;
    const email = uniqueEmail('audited');
    const created = await t.http
      .post('/api/admin/users')
      .set(as)
      .send({ email, name: 'Audited', password })
      .expect(201);
    const userId = (created.body as { id: string }).id;
    const newPassword = `pw2-${randomUUID()}`;
    await t.http
      .patch(`/api/admin/users/${userId}`)
      .set(as)
      .send({ password: newPassword, role: 'admin' })
      .expect(200);
    const key = await t.http.post('/api/auth/api-keys').set(as).send({ name: 'ci' }).expect(201);
    const keyId = (key.body as { id: string; key: string }).id;
    await t.http.delete(`/api/auth/api-keys/${keyId}`).set(as).expect(204);
    const wrong = `wrong-${randomUUID()}`;
    await t.http.post('/api/auth/login').send({ email, password: wrong }).expect(401);

    const userEntries = (await entriesFor({ target_type: 'user', target_id: userId })).reverse();
    expect(userEntries.map((e) => [e.action, e.details])).toEqual([
      ['user.create', null],
      ['user.update', { fields: ['password', 'role'] }],
    ]);
    const keyEntries = (await entriesFor({ target_type: 'api_key', target_id: keyId })).reverse();
    expect(keyEntries.map((e) => e.action)).toEqual(['api_key.create', 'api_key.revoke']);
    const failed = await entriesFor({ action: 'auth.login_failed' });
    expect(failed).toEqual([
      expect.objectContaining({
        actor_type: 'anonymous',
        actor_email: email,
        target_type: 'user',
        ip: expect.stringMatching(/127\.0\.0\.1/),
      }),
    ]);
    const everything = JSON.stringify(await t.dataSource.query('SELECT * FROM audit_log'));
    for (const s of [password, newPassword, wrong, (key.body as { key: string }).key])
      expect(everything).not.toContain(s);
  });

  it('writes each entry in the transaction of its action: a rollback after the entry leaves neither', async () => {
    const as = bearer(t.admin.token);
    const webhook = await createWebhook(t, t.admin.token, {
      url: t.receiver.url,
      event_ticket_created: true,
    });
    const id = String(webhook.id);
    const user = await createUser(t, 'agent');
    const key = await t.http.post('/api/auth/api-keys').set(as).send({ name: 'kept' }).expect(201);
    const keyId = (key.body as { id: string }).id;
    await createTicket(t);
    const delivery = await eventually(async () => {
      const res = await t.http
        .get('/api/admin/webhook_deliveries')
        .query({ webhook_id: id })
        .set(as);
      return (res.body as { data: { id: string; success: boolean }[] }).data.find((d) => d.success);
    });
    const email = uniqueEmail('never');
    const audit = t.get(AuditService);
    const record = audit.record.bind(audit);
    // The entry is written, then the transaction fails before it commits (as a crash would end it).
    const spy = jest.spyOn(audit, 'record').mockImplementation(async (m, entry) => {
      await record(m, entry);
      throw new Error('failing after the audit entry');
    });
    const countEntries = async () => {
      const rows: { n: number | string }[] = await t.dataSource.query(
        'SELECT COUNT(*) AS n FROM audit_log',
      );
      return Number(rows[0].n);
    };
    const before = await countEntries();
    try {
      await t.http.patch(`/api/admin/webhooks/${id}`).set(as).send({ name: 'Never' }).expect(500);
      await t.http
        .post(`/api/admin/webhooks/${id}/rotate-secret`)
        .set(as)
        .send({ secret: `never-${randomUUID()}` })
        .expect(500);
      await t.http.get(`/api/admin/webhooks/${id}/secret`).set(as).expect(500);
      await t.http.post(`/api/admin/webhooks/${id}/test`).set(as).expect(500);
      await t.http
        .post(`/api/admin/webhooks/${id}/recover`)
        .set(as)
        .send({ since: '2020-01-01T00:00:00Z' })
        .expect(500);
      await t.http.delete(`/api/admin/webhooks/${id}`).set(as).expect(500);
      await t.http
        .post('/api/admin/users')
        .set(as)
        .send({ email, name: 'Never', password: `pw-${randomUUID()}` })
        .expect(500);
      await t.http.patch(`/api/admin/users/${user.id}`).set(as).send({ role: 'admin' }).expect(500);
      await t.http.delete(`/api/auth/api-keys/${keyId}`).set(as).expect(500);
      await t.http
        .post(`/api/admin/webhook_deliveries/${delivery.id}/redeliver`)
        .set(as)
        .expect(500);
      expect(spy).toHaveBeenCalledTimes(10);
    } finally {
      spy.mockRestore();
    }

    expect(await countEntries()).toBe(before);
    // The test send's event and delivery went with its entry, and the redelivery attempted nothing.
    expect(
      await t.dataSource.query(
        'SELECT id, event, attempts FROM webhook_deliveries WHERE webhook_id = ?',
        [webhook.id],
      ),
    ).toEqual([{ id: delivery.id, event: 'ticket.created', attempts: 1 }]);
    expect(t.receiver.requests.filter((r) => r.body.data.webhook_id === webhook.id)).toEqual([]);
    const after = await t.http.get(`/api/admin/webhooks/${id}`).set(as).expect(200);
    expect(after.body.name).toBe(webhook.name);
    const secret = await t.http.get(`/api/admin/webhooks/${id}/secret`).set(as).expect(200);
    expect(secret.body.secret).toBe(webhook.secret);
    const users = await t.dataSource.query('SELECT role FROM users WHERE id = ? OR email = ?', [
      user.id,
      email,
    ]);
    expect(users).toEqual([{ role: 'agent' }]);
    const keys = await t.http.get('/api/auth/api-keys').set(as).expect(200);
    expect((keys.body as { id: string }[]).map((k) => k.id)).toContain(keyId);
    // The one reveal that succeeded is the one entry since.
    expect(
      (await entriesFor({ target_type: 'webhook', target_id: id })).map((e) => e.action),
    ).toEqual(['webhook.secret_reveal', 'webhook.create']);
  });

  it('filters and pages like every list, refuses bad filters by name, and is admin-only', async () => {
    for (let i = 0; i < 3; i++)
      await createWebhook(t, t.admin.token, { url: t.receiver.url, event_all: true });
    const page = await t.http
      .get('/api/admin/audit-log')
      .query({ limit: '2', page: '1' })
      .set(bearer(t.admin.token))
      .expect(200);
    expect(page.body.data).toHaveLength(2);
    expect(page.body.meta).toEqual({
      page: 1,
      limit: 2,
      total: expect.any(Number),
      total_pages: expect.any(Number),
    });
    expect(page.body.meta.total).toBeGreaterThan(2);
    const future = await t.http
      .get('/api/admin/audit-log')
      .query({ since: '2999-01-01T00:00:00Z' })
      .set(bearer(t.admin.token))
      .expect(200);
    expect(future.body.data).toEqual([]);
    const bad = await t.http
      .get('/api/admin/audit-log')
      .query({ since: 'yesterday' })
      .set(bearer(t.admin.token))
      .expect(400);
    expect(bad.body.details[0].field).toBe('since');
    // An action that is never recorded is a mistake, not an empty page.
    const unknown = await t.http
      .get('/api/admin/audit-log')
      .query({ action: 'webhook.updated' })
      .set(bearer(t.admin.token))
      .expect(400);
    expect(unknown.body.details[0].field).toBe('action');
    const agent = await createUser(t, 'agent');
    await t.http.get('/api/admin/audit-log').set(bearer(agent.token)).expect(403);
  });

  it('homa audit:list prints the entries; pruning removes those past retention', async () => {
    const env = {
      DATA_DIR: process.env.DATA_DIR!,
      HOMA_ENCRYPTION_KEY: process.env.HOMA_ENCRYPTION_KEY!,
      ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    };
    await createWebhook(t, t.admin.token, { url: t.receiver.url, event_all: true });
    const listed = await runCli(['audit:list', '--action', 'webhook.create', '--limit', '5'], env);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(
        `webhook\\.create +webhook \\d+  by ${t.admin.email.replace('.', '\\.')} from .*127\\.0\\.0\\.1`,
      ),
    );
    const cliEmail = uniqueEmail('cli-made');
    expect(
      (await runCli(['user:create', '--email', cliEmail, '--password', 'long-enough-pw'], env))
        .code,
    ).toBe(0);
    const byCli = await runCli(['audit:list', '--action', 'user.create', '--limit', '1'], env);
    expect(byCli.stdout).toMatch(/user\.create +user [0-9a-f-]{36} {2}by cli\n/);
    const bad = await runCli(['audit:list', '--since', 'nope'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--since must be a time ago/);
    const recent = await runCli(['audit:list', '--action', 'user.create', '--since', '10m'], env);
    expect(recent.stdout).toMatch(/user\.create +user [0-9a-f-]{36} {2}by cli\n/);
    const old = await runCli(
      ['audit:list', '--action', 'user.create', '--since', '2024-01-01'],
      env,
    );
    expect(old.stdout).toMatch(/user\.create/);
    const unknown = await runCli(['audit:list', '--action', 'user.created'], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/--action must be one of: .*user\.create,/);

    const before = (await entriesFor({})).length;
    expect(before).toBeGreaterThan(0);
    const retention = t.get(AuditRetentionService);
    expect(await retention.prune(new Date())).toBe(0);
    expect(await retention.prune(new Date(Date.now() + 366 * 86_400_000))).toBe(before);
    expect(await entriesFor({})).toEqual([]);
  });
});
