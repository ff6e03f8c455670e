import { Global, Module } from '@nestjs/common';
import { EventPublisher } from './event-publisher';

/** The one way services publish domain events (inside their transaction, so they commit with it). */
@Global()
@Module({ providers: [EventPublisher], exports: [EventPublisher] })
export class EventsModule {}
