import { DomainEvent } from '../../events/domain-event';
import { EVENTS } from '../../events/event-catalog';
import type { TicketCreatedData } from './ticket-event-data';

export class TicketCreatedEvent extends DomainEvent<TicketCreatedData> {
  static readonly eventName = EVENTS.TICKET_CREATED;
  readonly name = TicketCreatedEvent.eventName;
}
