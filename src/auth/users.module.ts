import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysService } from './api-keys.service';
import { ApiKey } from './entities/api-key.entity';
import { User } from './entities/user.entity';
import { UsersService } from './users.service';

/** Users and API keys as records, without sign-in (JWT, guards, limits): what the CLI's user commands need. */
@Module({
  imports: [TypeOrmModule.forFeature([User, ApiKey])],
  providers: [UsersService, ApiKeysService],
  exports: [UsersService, ApiKeysService],
})
export class UsersModule {}
