import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { Env } from '../config/env.validation';
import { AgentTicketsController } from './agent-tickets.controller';
import { ClientTicketsController } from './client-tickets.controller';
import { ClientsService } from './clients.service';
import { Client } from './entities/client.entity';
import { TicketMessage } from './entities/ticket-message.entity';
import { Ticket } from './entities/ticket.entity';
import { TicketMessagesService } from './ticket-messages.service';
import { NewTickets } from './new-tickets';
import { TicketsService } from './tickets.service';
import { MemoryThrottlerStorage } from './memory-throttler-storage';

type RedisStorageModule = typeof import('@nest-lab/throttler-storage-redis');

/** Required only with REDIS_URL: a process without Redis never loads its client. */
function redisThrottlerStorage(): RedisStorageModule['ThrottlerStorageRedisService'] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const storage = require('@nest-lab/throttler-storage-redis') as RedisStorageModule;
  return storage.ThrottlerStorageRedisService;
}

@Module({
  imports: [
    TypeOrmModule.forFeature([Client, Ticket, TicketMessage]),
    AuthModule,
    ThrottlerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => {
        const limit = config.get('CLIENT_RATE_LIMIT', { infer: true });
        const seconds = config.get('CLIENT_RATE_TTL_SECONDS', { infer: true });
        const redisUrl = config.get('REDIS_URL', { infer: true });
        const prefix = config.get('REDIS_QUEUE_PREFIX', { infer: true });
        return {
          throttlers: [{ name: 'default', limit, ttl: seconds * 1000 }],
          errorMessage: `Rate limit exceeded: ${limit} requests per ${seconds} seconds`,
          // With REDIS_URL every API replica counts against the same budget.
          storage: redisUrl
            ? new (redisThrottlerStorage())(redisUrl, {
                keyPrefix: `${prefix}:throttle:`,
                maxRetriesPerRequest: 2,
              })
            : new MemoryThrottlerStorage(),
        };
      },
    }),
  ],
  controllers: [ClientTicketsController, AgentTicketsController],
  providers: [TicketsService, TicketMessagesService, ClientsService, NewTickets],
})
export class TicketsModule {}
