import { DomainEvent } from '../../events/domain-event';
import { EVENTS } from '../../events/event-catalog';
import type { TicketClosedData } from './ticket-event-data';

export class TicketClosedEvent extends DomainEvent<TicketClosedData> {
  static readonly eventName = EVENTS.TICKET_CLOSED;
  readonly name = TicketClosedEvent.eventName;
}
