import { DomainEvent } from '../../events/domain-event';
import { EVENTS } from '../../events/event-catalog';
import type { TicketStatusChangedData } from './ticket-event-data';

export class TicketStatusChangedEvent extends DomainEvent<TicketStatusChangedData> {
  static readonly eventName = EVENTS.TICKET_STATUS_CHANGED;
  readonly name = TicketStatusChangedEvent.eventName;
}
