import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { migrations } from '../migrations';
import { isolatedDatabase } from './helpers/database';

const OUTBOX = migrations.findIndex((m) => m.name === 'CreateEventOutbox1764400000000');

describe('migrations (e2e)', () => {
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  let dataSource: DataSource;

  beforeEach(async () => {
    db = await isolatedDatabase('mig');
    dataSource = new DataSource(
      buildDataSourceOptions({
        DATABASE_URL: db.env.DATABASE_URL,
        DATA_DIR: db.env.DATA_DIR,
        HOMA_ENCRYPTION_KEY: db.env.HOMA_ENCRYPTION_KEY,
      }),
    );
    await dataSource.initialize();
  });

  afterEach(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  const tables = async (): Promise<string[]> => {
    const sql =
      dataSource.options.type === 'mysql'
        ? 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()'
        : "SELECT name FROM sqlite_master WHERE type = 'table'";
    const rows: { name: string }[] = await dataSource.query(sql);
    return rows
      .map((r) => r.name)
      .filter((n) => n !== 'migrations' && !n.startsWith('sqlite_'))
      .sort();
  };

  it('run up, all the way down, and up again on a database of their own', async () => {
    const up = await dataSource.runMigrations({ transaction: 'each' });
    expect(up).toHaveLength(migrations.length);
    const created = await tables();
    expect(created).toEqual([
      'api_keys',
      'audit_log',
      'clients',
      'delivery_sequences',
      'departments',
      'event_sequences',
      'revoked_tokens',
      'ticket_messages',
      'tickets',
      'users',
      'webhook_deliveries',
      'webhook_delivery_attempts',
      'webhook_endpoint_states',
      'webhook_events',
      'webhooks',
    ]);

    for (let i = 0; i < migrations.length; i++)
      await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual([]);

    const again = await dataSource.runMigrations({ transaction: 'each' });
    expect(again).toHaveLength(migrations.length);
    expect(await tables()).toEqual(created);
  });

  it('the outbox migration carries existing deliveries and their exact bodies over, up, down and up again', async () => {
    // Up to the migration before the outbox, then rows as the earlier schema held them.
    const options = dataSource.options as { migrations: unknown[] };
    const all = options.migrations;
    options.migrations = all.slice(0, OUTBOX);
    await dataSource.destroy();
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    await dataSource.query(
      "INSERT INTO webhooks (id, name, url, secret) VALUES (1, 'A', 'https://a.example.com/h', 's1'), (2, 'B', 'https://b.example.com/h', 's2')",
    );
    const bodyOne =
      '{"event":"ticket.created","timestamp":"2024-01-15T10:30:00Z","data":{"title":"Ünïcødé 🎉 <>&\\u2028"}}';
    const bodyTwo =
      '{"event":"user.created","timestamp":"2024-01-15T10:31:00Z","data":{"name":"x"}}';
    const insert =
      'INSERT INTO webhook_deliveries (id, webhook_id, event, event_id, payload, status, success, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
    await dataSource.query(insert, ['d-1', 1, 'ticket.created', 'e-1', bodyOne, 'succeeded', 1, 1]);
    await dataSource.query(insert, ['d-2', 2, 'ticket.created', 'e-1', bodyOne, 'failed', 0, 3]);
    await dataSource.query(insert, ['d-3', 1, 'user.created', 'e-2', bodyTwo, 'pending', 0, 0]);

    options.migrations = all;
    await dataSource.destroy();
    await dataSource.initialize();
    const readThrough = async () =>
      dataSource.query<{ id: string; status: string; body: string }[]>(
        'SELECT d.id, d.status, e.body FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id ORDER BY d.id',
      );
    const expected = [
      { id: 'd-1', status: 'succeeded', body: bodyOne },
      { id: 'd-2', status: 'failed', body: bodyOne },
      { id: 'd-3', status: 'pending', body: bodyTwo },
    ];

    await dataSource.runMigrations({ transaction: 'each' });
    expect(await readThrough()).toEqual(expected);
    const events: { id: string; fanned_out: number | boolean }[] = await dataSource.query(
      'SELECT id, fanned_out FROM webhook_events ORDER BY id',
    );
    expect(events.map((e) => [e.id, Number(e.fanned_out)])).toEqual([
      ['e-1', 1],
      ['e-2', 1],
    ]);

    for (let i = OUTBOX; i < all.length; i++)
      await dataSource.undoLastMigration({ transaction: 'each' });
    const down: { id: string; payload: string }[] = await dataSource.query(
      'SELECT id, payload FROM webhook_deliveries ORDER BY id',
    );
    expect(down).toEqual(expected.map(({ id, body }) => ({ id, payload: body })));
    expect(await tables()).not.toContain('webhook_events');

    await dataSource.runMigrations({ transaction: 'each' });
    expect(await readThrough()).toEqual(expected);
  });
});

describe('secret encryption migration (e2e)', () => {
  it('encrypts existing rows, decrypts them on the way down, and again on the way up', async () => {
    const db = await isolatedDatabase('migsec');
    const dataSource = new DataSource(
      buildDataSourceOptions({
        DATABASE_URL: db.env.DATABASE_URL,
        DATA_DIR: db.env.DATA_DIR,
        HOMA_ENCRYPTION_KEY: db.env.HOMA_ENCRYPTION_KEY,
      }),
    );
    await dataSource.initialize();
    const ours = migrations.length - migrations.findIndex((m) => m.name.startsWith('Encrypt'));
    try {
      await dataSource.runMigrations({ transaction: 'each' });
      for (let i = 0; i < ours; i++) await dataSource.undoLastMigration({ transaction: 'each' });
      const previous = JSON.stringify([
        { secret: 'old-plain-secret', expires_at: '2999-01-01T00:00:00.000Z' },
      ]);
      await dataSource.query(
        'INSERT INTO webhooks (name, url, secret, previous_secrets) VALUES (?, ?, ?, ?)',
        ['Before', 'https://example.com/a', 'plain-secret-one', previous],
      );
      await dataSource.query('INSERT INTO webhooks (name, url, secret) VALUES (?, ?, ?)', [
        'Before too',
        'https://example.com/b',
        'plain-secret-two',
      ]);
      const raw = () =>
        dataSource.query<{ secret: string; previous_secrets: string | null }[]>(
          'SELECT secret, previous_secrets FROM webhooks ORDER BY id',
        );

      for (let round = 0; round < 2; round++) {
        await dataSource.runMigrations({ transaction: 'each' });
        const encrypted = await raw();
        expect(encrypted.map((r) => r.secret)).toEqual([
          expect.stringMatching(/^enc:v1:/),
          expect.stringMatching(/^enc:v1:/),
        ]);
        expect(JSON.stringify(encrypted)).not.toMatch(/plain-secret|old-plain/);
        expect(JSON.parse(encrypted[0].previous_secrets!)[0].expires_at).toBe(
          '2999-01-01T00:00:00.000Z',
        );
        const [webhook] = await dataSource.query<Record<string, unknown>[]>(
          'SELECT name, event_webhook_disabled, event_delivery_failed FROM webhooks ORDER BY id',
        );
        expect(webhook.name).toBe('Before');
        expect(Number(webhook.event_webhook_disabled)).toBe(0);
        expect(Number(webhook.event_delivery_failed)).toBe(0);

        for (let i = 0; i < ours; i++) await dataSource.undoLastMigration({ transaction: 'each' });
        const decrypted = await raw();
        expect(decrypted.map((r) => r.secret)).toEqual(['plain-secret-one', 'plain-secret-two']);
        expect(JSON.parse(decrypted[0].previous_secrets!)[0].secret).toBe('old-plain-secret');
      }
    } finally {
      await dataSource.destroy();
      await db.drop();
    }
  });
});

describe('credentials and sessions migrations (e2e)', () => {
  const FIRST = migrations.findIndex((m) => m.name === 'TicketClientName1764700000000');

  it('encrypt webhook URLs with credentials and header values, keep clients, users and keys, down and up again', async () => {
    const db = await isolatedDatabase('migcred');
    const dataSource = new DataSource(
      buildDataSourceOptions({
        DATABASE_URL: db.env.DATABASE_URL,
        DATA_DIR: db.env.DATA_DIR,
        HOMA_ENCRYPTION_KEY: db.env.HOMA_ENCRYPTION_KEY,
      }),
    );
    await dataSource.initialize();
    const options = dataSource.options as { migrations: unknown[] };
    const all = options.migrations;
    const ours = all.length - FIRST;
    try {
      await dataSource.runMigrations({ transaction: 'each' });
      for (let i = 0; i < ours; i++) await dataSource.undoLastMigration({ transaction: 'each' });
      // Rows as the earlier schema held them: a URL with credentials, a long one, a plain one.
      const secretUrl = 'https://crm:PW-123@crm.example.com/hook?api_key=KEY-456';
      const longUrl = `https://example.com/${'p'.repeat(1900)}?token=${'t'.repeat(100)}`;
      const headers = JSON.stringify({ Authorization: 'Bearer HDR-789' });
      const insert = 'INSERT INTO webhooks (name, url, secret, headers) VALUES (?, ?, ?, ?)';
      await dataSource.query(insert, ['creds', secretUrl, 's1', headers]);
      await dataSource.query(insert, ['long', longUrl, 's2', null]);
      await dataSource.query(insert, ['plain', 'https://example.com/plain', 's3', null]);
      await dataSource.query(
        "INSERT INTO clients (id, name, email) VALUES ('c-1', 'Ann', 'ann@example.com')",
      );
      await dataSource.query(
        "INSERT INTO tickets (title, client_id, status, priority, secret_hash) VALUES ('T', 'c-1', 'new', 'low', 'h')",
      );
      await dataSource.query(
        "INSERT INTO users (id, email, name, password_hash) VALUES ('u-1', 'u@example.com', 'U', 'x')",
      );
      await dataSource.query(
        "INSERT INTO api_keys (id, user_id, name, key_hash, key_prefix) VALUES ('k-1', 'u-1', 'k', 'hash', 'homa_')",
      );
      const raw = () =>
        dataSource.query<{ url: string; headers: string | null }[]>(
          'SELECT url, headers FROM webhooks ORDER BY id',
        );

      for (let round = 0; round < 2; round++) {
        await dataSource.runMigrations({ transaction: 'each' });
        const up = await raw();
        expect(up.map((r) => r.url)).toEqual([
          expect.stringMatching(/^enc:v1:/),
          expect.stringMatching(/^enc:v1:/),
          'https://example.com/plain',
        ]);
        expect(JSON.parse(up[0].headers!).Authorization).toMatch(/^enc:v1:/);
        expect(JSON.stringify(up)).not.toMatch(/PW-123|KEY-456|HDR-789/);
        // The search form (ManyWebhooks): each URL as views show it, decrypted to be masked.
        const search = await dataSource.query<{ url_search: string }[]>(
          'SELECT url_search FROM webhooks ORDER BY id',
        );
        expect(search.map((r) => r.url_search)).toEqual([
          'https://********:********@crm.example.com/hook?api_key=********',
          `https://example.com/${'p'.repeat(1900)}?token=********`,
          'https://example.com/plain',
        ]);
        const [ticket] = await dataSource.query<{ client_name: string }[]>(
          'SELECT client_name FROM tickets',
        );
        expect(ticket.client_name).toBe('Ann');
        const [user] = await dataSource.query<{ token_version: number }[]>(
          'SELECT token_version FROM users',
        );
        expect(Number(user.token_version)).toBe(0);
        const [key] = await dataSource.query<{ expires_at: unknown }[]>(
          'SELECT expires_at FROM api_keys',
        );
        expect(key.expires_at).toBeNull();

        for (let i = 0; i < ours; i++) await dataSource.undoLastMigration({ transaction: 'each' });
        const down = await raw();
        expect(down.map((r) => r.url)).toEqual([secretUrl, longUrl, 'https://example.com/plain']);
        expect(down[0].headers).toBe(headers);
      }
    } finally {
      await dataSource.destroy();
      await db.drop();
    }
  });
});
