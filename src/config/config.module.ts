import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { validateEnv } from './env.validation';

/** Reads and validates the environment once; inject `ConfigService<Env, true>` to read it. */
@Global()
@Module({})
export class AppConfigModule {
  /** Called when the app is assembled (not at import), so it validates the environment as it is then. */
  static forRoot(): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          cache: true,
          validate: validateEnv,
        }),
      ],
    };
  }
}
