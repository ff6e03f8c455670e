import { DomainEvent } from '../../events/domain-event';
import { EVENTS } from '../../events/event-catalog';
import type { MessageCreatedData } from './ticket-event-data';

export class MessageCreatedEvent extends DomainEvent<MessageCreatedData> {
  static readonly eventName = EVENTS.MESSAGE_CREATED;
  readonly name = MessageCreatedEvent.eventName;
}
