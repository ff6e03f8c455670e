import { Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Command, CommandRunner } from 'nest-commander';
import { DataSource } from 'typeorm';
import { applyPendingMigrations, printMigrationStatus, revertLastMigration } from './migrations';

// `homa migrate…` typed without options runs in migrate-direct.ts, without Nest; these run the same
// code for `--help` and when the whole CLI is loaded.

@Command({
  name: 'migrate',
  description: 'Apply pending database migrations (alias: --migration-do)',
})
export class MigrateCommand extends CommandRunner {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  run(): Promise<void> {
    return applyPendingMigrations(this.dataSource);
  }
}

@Command({ name: 'migrate:revert', description: 'Revert the last applied migration' })
export class MigrateRevertCommand extends CommandRunner {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  run(): Promise<void> {
    return revertLastMigration(this.dataSource);
  }
}

@Command({ name: 'migrate:status', description: 'List migrations and whether each is applied' })
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
