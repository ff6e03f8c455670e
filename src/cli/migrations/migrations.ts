import { DataSource } from 'typeorm';
import type { Dropped, RevertEffects } from '../../../migrations/helpers';
import { ExpectedError } from '../../common/expected-error';

/** What `homa migrate`, `migrate:revert` and `migrate:status` do, on any initialised data source. */

export async function applyPendingMigrations(dataSource: DataSource): Promise<void> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  if (applied.length === 0) console.log('✅ Database is up to date: no pending migrations.');
  for (const m of applied) console.log(`✅ Applied ${m.name}`);
}

/**
 * Reverts the last applied migration once it has said what the revert drops. A table or column that
 * holds data is dropped only with `yes` (`--yes`): a revert cannot be undone, and a later `migrate`
 * brings the schema back, not the data.
 */
export async function revertLastMigration(
  dataSource: DataSource,
  { yes = false }: { yes?: boolean } = {},
): Promise<void> {
  const last = (await executedMigrations(dataSource)).at(-1);
  if (!last) {
    console.log('Nothing to revert: no migration has been applied.');
    return;
  }
  const migration = dataSource.migrations.find((m) => (m.name ?? m.constructor.name) === last);
  const effects = (migration?.constructor as { revert?: RevertEffects } | undefined)?.revert;
  if (!effects) {
    if (!yes)
      throw new ExpectedError(
        `Not reverted: what reverting ${last} drops is not described; run \`homa migrate:revert --yes\` to revert it anyway`,
      );
  } else {
    const measured = await measureDrops(dataSource, effects.drops);
    console.log(`Reverting ${last} drops:${measured.length === 0 ? ' no table or column' : ''}`);
    for (const m of measured) console.log(`  - ${m.line}`);
    if (effects.note) console.log(`  and: ${effects.note}`);
    const losing = measured.filter((m) => m.rows > 0).map((m) => m.what);
    if (losing.length > 0 && !yes)
      throw new ExpectedError(
        `Not reverted: ${losing.join(', ')} ${losing.length === 1 ? 'holds' : 'hold'} data that ` +
          'the revert would delete. Stop every ' +
          'server and worker first (they run code for the newer schema), back the database up, ' +
          'then run `homa migrate:revert --yes`',
      );
  }
  await dataSource.undoLastMigration({ transaction: 'each' });
  console.log(`✅ Reverted ${last}`);
}

interface Measured {
  what: string;
  rows: number;
  line: string;
}

/** How many rows each drop would take data from. */
async function measureDrops(dataSource: DataSource, drops: Dropped[]): Promise<Measured[]> {
  const measured: Measured[] = [];
  for (const drop of drops) {
    const name = drop.column ? `${drop.table}.${drop.column}` : drop.table;
    const what = drop.column ? `column ${name}` : `table ${name}`;
    const where =
      drop.losing ??
      (drop.column ? `${dataSource.driver.escape(drop.column)} IS NOT NULL` : undefined);
    const rows = await dataSource.query<{ n: number | string }[]>(
      `SELECT COUNT(*) AS n FROM ${dataSource.driver.escape(drop.table)}${where ? ` WHERE ${where}` : ''}`,
    );
    const n = Number(rows[0].n);
    const count = `${n} row${n === 1 ? '' : 's'}`;
    const state = n === 0 ? 'no data' : drop.column || drop.losing ? `data in ${count}` : count;
    measured.push({ what, rows: n, line: `${what} (${state})` });
  }
  return measured;
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
