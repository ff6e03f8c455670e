import { Module } from '@nestjs/common';
import { EventOutbox } from './event-outbox';

/** The outbox alone: one instance, shared by whoever records events and by the fan-out that reads them. */
@Module({ providers: [EventOutbox], exports: [EventOutbox] })
export class OutboxModule {}
