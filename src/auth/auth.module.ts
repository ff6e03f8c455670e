import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Env } from '../config/env.validation';
import { resolveJwtSecret } from '../config/jwt-secret';
import { AdminUsersController } from './admin-users.controller';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { RevokedToken } from './entities/revoked-token.entity';
import { Sessions } from './sessions';
import { AdminGuard } from './guards/admin.guard';
import { AuthGuard } from './guards/auth.guard';
import { UsersModule } from './users.module';
import {
  LoginAttemptStore,
  MemoryLoginAttemptStore,
  RedisLoginAttemptStore,
} from './login-attempt-store';
import { LoginAccountKey } from './login-account-key';
import { LOGIN_ATTEMPT_STORE, LoginLimiter } from './login-limiter';

/** Failed-login counts: in Redis when REDIS_URL is set, so every API replica shares them. */
function loginAttemptStore(config: ConfigService<Env, true>): LoginAttemptStore {
  const url = config.get('REDIS_URL', { infer: true });
  if (!url) return new MemoryLoginAttemptStore();
  const prefix = config.get('REDIS_QUEUE_PREFIX', { infer: true });
  // Required here: a process without Redis never loads its client.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Redis = (require('ioredis') as typeof import('ioredis')).default;
  return new RedisLoginAttemptStore(
    new Redis(url, { keyPrefix: `${prefix}:`, maxRetriesPerRequest: 2 }),
  );
}

@Module({
  imports: [
    UsersModule,
    TypeOrmModule.forFeature([RevokedToken]),
    JwtModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => ({
        secret: resolveJwtSecret({
          JWT_SECRET: config.get('JWT_SECRET', { infer: true }),
          DATA_DIR: config.get('DATA_DIR', { infer: true }),
        }),
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController, AdminUsersController],
  providers: [
    AuthService,
    AuthGuard,
    AdminGuard,
    LoginLimiter,
    LoginAccountKey,
    Sessions,
    { provide: LOGIN_ATTEMPT_STORE, inject: [ConfigService], useFactory: loginAttemptStore },
  ],
  exports: [UsersModule, AuthService, AuthGuard, AdminGuard],
})
export class AuthModule {}
