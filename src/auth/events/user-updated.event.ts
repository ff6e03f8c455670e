import { DomainEvent } from '../../events/domain-event';
import { Changes, EVENTS } from '../../events/event-catalog';
import type { UserEventData } from './user-created.event';

export class UserUpdatedEvent extends DomainEvent<UserEventData & { changes: Changes }> {
  static readonly eventName = EVENTS.USER_UPDATED;
  readonly name = UserUpdatedEvent.eventName;
}
