import { InjectDataSource } from '@nestjs/typeorm';
import { Command, CommandRunner } from 'nest-commander';
import { DataSource } from 'typeorm';

@Command({
  name: 'migrate',
  description: 'Apply pending database migrations (alias: --migration-do)',
})
export class MigrateCommand extends CommandRunner {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async run(): Promise<void> {
    const applied = await this.dataSource.runMigrations({ transaction: 'each' });
    if (applied.length === 0) console.log('✅ Database is up to date: no pending migrations.');
    for (const m of applied) console.log(`✅ Applied ${m.name}`);
  }
}

@Command({ name: 'migrate:revert', description: 'Revert the last applied migration' })
export class MigrateRevertCommand extends CommandRunner {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async run(): Promise<void> {
    const before = await executedMigrations(this.dataSource);
    await this.dataSource.undoLastMigration({ transaction: 'each' });
    const reverted = before.at(-1);
    console.log(
      reverted ? `✅ Reverted ${reverted}` : 'Nothing to revert: no migration has been applied.',
    );
  }
}

@Command({ name: 'migrate:status', description: 'List migrations and whether each is applied' })
export class MigrateStatusCommand extends CommandRunner {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async run(): Promise<void> {
    const executed = new Set(await executedMigrations(this.dataSource));
    let pending = 0;
    for (const m of this.dataSource.migrations) {
      const name = m.name ?? m.constructor.name;
      const done = executed.has(name);
      if (!done) pending += 1;
      console.log(`${done ? '[x]' : '[ ]'} ${name}`);
    }
    console.log(pending === 0 ? 'All migrations applied.' : `${pending} pending migration(s).`);
  }
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
