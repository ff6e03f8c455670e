import { DataSource } from 'typeorm';
import { migrations } from '../../../migrations';
import { installSecretCipher, SecretCipher } from '../../secrets/secret-cipher';
import type { RevertEffects } from '../../../migrations/helpers';
import { revertLastMigration } from './migrations';

describe('migrate:revert', () => {
  it('knows what reverting each migration drops', () => {
    for (const migration of migrations) {
      const effects = (migration as unknown as { revert?: RevertEffects }).revert;
      expect({ migration: migration.name, drops: Array.isArray(effects?.drops) }).toEqual({
        migration: migration.name,
        drops: true,
      });
    }
  });

  it('describes what the credentials migration does besides dropping nothing', () => {
    const last = migrations.find((m) => m.name.startsWith('EncryptWebhookCredentials'));
    const effects = (last as unknown as { revert: RevertEffects }).revert;
    expect(effects.drops).toEqual([]);
    expect(effects.note).toMatch(/clear text/);
  });

  describe('on a database', () => {
    let dataSource: DataSource;
    let log: jest.SpyInstance;

    beforeEach(async () => {
      installSecretCipher(new SecretCipher([Buffer.alloc(32, 3)]));
      // Up to OrderedDelivery: the last migration is then one whose revert drops a column with data.
      const upTo = migrations.findIndex((m) => m.name.startsWith('OrderedDelivery')) + 1;
      dataSource = new DataSource({
        type: 'better-sqlite3',
        database: ':memory:',
        migrations: migrations.slice(0, upTo),
      });
      await dataSource.initialize();
      await dataSource.runMigrations();
      log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    });
    afterEach(async () => {
      log.mockRestore();
      await dataSource.destroy();
    });
    const printed = () => log.mock.calls.map((c) => String(c[0])).join('\n');
    const last = async () =>
      (await dataSource.query<{ name: string }[]>('SELECT name FROM migrations ORDER BY id')).at(
        -1,
      )!.name;

    it('names what it drops and reverts at once when none of it holds data', async () => {
      await revertLastMigration(dataSource);
      expect(printed()).toMatch(/Reverting OrderedDelivery\d+ drops:/);
      expect(printed()).toContain('  - column webhooks.ordered (no data)');
      expect(printed()).toMatch(/✅ Reverted OrderedDelivery/);
      expect(await last()).toMatch(/^AddAlertFlags/);
    });

    it('refuses without --yes when a dropped column or table holds data, and reverts with it', async () => {
      await dataSource.query(
        `INSERT INTO webhooks (name, url, secret, ordered) VALUES ('w', 'https://example.com', 's', 1)`,
      );
      await expect(revertLastMigration(dataSource)).rejects.toThrow(
        /Not reverted: column webhooks\.ordered holds data .*`homa migrate:revert --yes`/,
      );
      expect(printed()).toContain('  - column webhooks.ordered (data in 1 row)');
      expect(await last()).toMatch(/^OrderedDelivery/);
      await revertLastMigration(dataSource, { yes: true });
      expect(await last()).toMatch(/^AddAlertFlags/);
    });
  });
});
