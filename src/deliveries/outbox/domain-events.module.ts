import { Module } from '@nestjs/common';
import { OutboxModule } from './outbox.module';
import { DomainEventsListener } from './domain-events.listener';

/**
 * Records every published domain event in the outbox, in its publisher's transaction. Needs nothing
 * of delivery, so the CLI's user commands can publish without loading the delivery pipeline.
 */
@Module({ imports: [OutboxModule], providers: [DomainEventsListener] })
export class DomainEventsModule {}
