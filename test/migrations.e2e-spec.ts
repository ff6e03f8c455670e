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
