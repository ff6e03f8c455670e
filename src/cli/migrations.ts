import { DataSource } from 'typeorm';

/** What `homa migrate`, `migrate:revert` and `migrate:status` do, on any initialised data source. */

export async function applyPendingMigrations(dataSource: DataSource): Promise<void> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  if (applied.length === 0) console.log('✅ Database is up to date: no pending migrations.');
  for (const m of applied) console.log(`✅ Applied ${m.name}`);
}

export async function revertLastMigration(dataSource: DataSource): Promise<void> {
  const before = await executedMigrations(dataSource);
  await dataSource.undoLastMigration({ transaction: 'each' });
  const reverted = before.at(-1);
  console.log(
    reverted ? `✅ Reverted ${reverted}` : 'Nothing to revert: no migration has been applied.',
  );
}

export async function printMigrationStatus(dataSource: DataSource): Promise<void> {
  const executed = new Set(await executedMigrations(dataSource));
  let pending = 0;
  for (const m of dataSource.migrations) {
    const name = m.name ?? m.constructor.name;
    const done = executed.has(name);
    if (!done) pending += 1;
    console.log(`${done ? '[x]' : '[ ]'} ${name}`);
  }
  console.log(pending === 0 ? 'All migrations applied.' : `${pending} pending migration(s).`);
}

async function executedMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    if (!(await runner.hasTable('migrations'))) return [];
    const rows = (await runner.query('SELECT name FROM migrations ORDER BY id')) as {
      name: string;
    }[];
    return rows.map((r) => r.name);
  } finally {
    await runner.release();
  }
}
