import { Global, Logger, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Env } from '../config/env.validation';
import { buildDataSourceOptions } from './data-source-options';
import { openDataSource } from './open-data-source';
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
            migrationsTransactionMode: 'each' as const,
            autoLoadEntities: true,
            // openDataSource retries what is worth it, and says why in one line.
            retryAttempts: 0,
            toRetry: () => false,
          }),
          // The server waits for a database that is still starting, and logs each migration it
          // applies; the CLI answers at once.
          dataSourceFactory: (dataSourceOptions) =>
            openDataSource(dataSourceOptions!, {
              retries: options.runMigrations ? 5 : 0,
              runMigrations: options.runMigrations,
              logger: new Logger('Database'),
            }),
        }),
      ],
      providers: [TransactionService, SecretKeyCheck, WalCheckpointer],
      exports: [TransactionService],
    };
  }
}
