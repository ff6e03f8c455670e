import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuthModule } from './auth/auth.module';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';

export interface AppModuleOptions {
  /** The server applies pending migrations at start; the CLI runs them on request. */
  runMigrations: boolean;
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = { runMigrations: true }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule,
        DatabaseModule.forRoot({ runMigrations: options.runMigrations }),
        EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: false }),
        AuthModule,
        HealthModule,
      ],
    };
  }
}
