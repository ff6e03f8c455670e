import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Env } from '../config/env.validation';
import { resolveJwtSecret } from '../config/jwt-secret';
import { AdminUsersController } from './admin-users.controller';
import { ApiKeysService } from './api-keys.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { ApiKey } from './entities/api-key.entity';
import { User } from './entities/user.entity';
import { AdminGuard } from './guards/admin.guard';
import { AuthGuard } from './guards/auth.guard';
import { UsersService } from './users.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([User, ApiKey]),
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
  providers: [AuthService, UsersService, ApiKeysService, AuthGuard, AdminGuard],
  exports: [AuthService, UsersService, ApiKeysService, AuthGuard, AdminGuard],
})
export class AuthModule {}
