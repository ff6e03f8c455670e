import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { migrations } from '../migrations';
import { isolatedDatabase } from './helpers/database';

describe('migrations (e2e)', () => {
  it('run up, all the way down, and up again on a database of their own', async () => {
    const db = await isolatedDatabase('mig');
    const dataSource = new DataSource(
      buildDataSourceOptions({
        DATABASE_URL: db.env.DATABASE_URL,
        DATA_DIR: db.env.DATA_DIR,
        HOMA_ENCRYPTION_KEY: db.env.HOMA_ENCRYPTION_KEY,
      }),
    );
    await dataSource.initialize();
    try {
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
      const up = await dataSource.runMigrations({ transaction: 'each' });
      expect(up).toHaveLength(migrations.length);
      const created = await tables();
      expect(created).toEqual([
        'api_keys',
        'audit_log',
        'clients',
        'departments',
        'ticket_messages',
        'tickets',
        'users',
        'webhook_deliveries',
        'webhook_delivery_attempts',
        'webhooks',
      ]);

      for (let i = 0; i < migrations.length; i++)
        await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await tables()).toEqual([]);

      const again = await dataSource.runMigrations({ transaction: 'each' });
      expect(again).toHaveLength(migrations.length);
      expect(await tables()).toEqual(created);
    } finally {
      await dataSource.destroy();
      await db.drop();
    }
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
