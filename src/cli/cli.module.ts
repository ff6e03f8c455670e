import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuthModule } from '../auth/auth.module';
import { AppConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { MigrateCommand, MigrateRevertCommand, MigrateStatusCommand } from './migrate.commands';
import { ApiKeyCreateCommand, UserCreateCommand } from './user.commands';

@Module({
  imports: [
    AppConfigModule,
    DatabaseModule.forRoot({ runMigrations: false }),
    EventEmitterModule.forRoot(),
    AuthModule,
  ],
  providers: [
    MigrateCommand,
    MigrateRevertCommand,
    MigrateStatusCommand,
    UserCreateCommand,
    ApiKeyCreateCommand,
  ],
})
export class CliModule {}
