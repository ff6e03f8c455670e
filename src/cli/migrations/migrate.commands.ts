import { Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { applyPendingMigrations, printMigrationStatus, revertLastMigration } from './migrations';
import { helpText } from '../help-text';

// `homa migrate…` typed without options runs in migrate-direct.ts, without Nest; these run the same
// code for `--help` and when the whole CLI is loaded.

@Command({
  name: 'migrate',
  description: 'Apply pending migrations (alias --migration-do)',
})
export class MigrateCommand extends CommandRunner {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  run(): Promise<void> {
    return applyPendingMigrations(this.dataSource);
  }
}

@Command({
  name: 'migrate:revert',
  description: helpText(
    'Revert the last migration; --yes if it drops data',
    'First lists what the revert drops (tables, columns) and how many rows hold data in each. If ' +
      'any does, nothing is reverted without --yes: a later `homa migrate` brings the schema back, ' +
      'not the data. Stop every server and worker first: they run code for the newer schema.',
  ),
})
export class MigrateRevertCommand extends CommandRunner {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  run(_: string[], options: { yes?: boolean }): Promise<void> {
    return revertLastMigration(this.dataSource, { yes: options.yes === true });
  }

  @Option({ flags: '--yes', description: 'Revert even if it drops tables or columns with data' })
  parseYes(): boolean {
    return true;
  }
}

@Command({ name: 'migrate:status', description: 'List migrations: [x] applied, [ ] pending' })
export class MigrateStatusCommand extends CommandRunner {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  run(): Promise<void> {
    return printMigrationStatus(this.dataSource);
  }
}

/** The migrate commands need the database connection and nothing else. */
@Module({ providers: [MigrateCommand, MigrateRevertCommand, MigrateStatusCommand] })
export class MigrateCommandsModule {}
