import { Global, Module } from '@nestjs/common';
import { EventPublisher } from './event-publisher';

/** The one way services publish domain events (after their transaction commits). */
@Global()
@Module({ providers: [EventPublisher], exports: [EventPublisher] })
export class EventsModule {}
