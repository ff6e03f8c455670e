import { DynamicModule, Module, Type } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuditModule } from '../audit/audit.module';
import { AppConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { EventsModule } from '../events/events.module';

/**
 * The CLI's root: validated configuration, the database, domain events and the audit trail, plus the
 * modules of the commands to run (see command-modules.ts), never the whole app.
 */
@Module({})
export class CliModule {
  static forCommands(commandModules: Type[]): DynamicModule {
    return {
      module: CliModule,
      imports: [
        AppConfigModule.forRoot(),
        DatabaseModule.forRoot({ runMigrations: false }),
        EventEmitterModule.forRoot(),
        EventsModule,
        AuditModule,
        ...commandModules,
      ],
    };
  }
}
