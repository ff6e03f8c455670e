import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Env } from '../config/env.validation';
import { buildDataSourceOptions } from './data-source-options';
import { TransactionService } from './transaction.service';
import { WalCheckpointer } from './wal-checkpointer';
import { SecretKeyCheck } from '../secrets/secret-key-check';

export interface DatabaseModuleOptions {
  /** Apply pending migrations when the connection opens (the server does; the CLI decides itself). */
  runMigrations: boolean;
}

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions) {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService<Env, true>) => ({
            ...buildDataSourceOptions({
              DATABASE_URL: config.get('DATABASE_URL', { infer: true }),
              DATA_DIR: config.get('DATA_DIR', { infer: true }),
              HOMA_ENCRYPTION_KEY: config.get('HOMA_ENCRYPTION_KEY', { infer: true }),
            }),
            migrationsRun: options.runMigrations,
            migrationsTransactionMode: 'each' as const,
            autoLoadEntities: true,
            // The server waits for a database that is still starting; the CLI answers at once.
            retryAttempts: options.runMigrations ? 5 : 0,
          }),
        }),
      ],
      providers: [TransactionService, SecretKeyCheck, WalCheckpointer],
      exports: [TransactionService],
    };
  }
}
