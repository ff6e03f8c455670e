import { DomainEvent } from '../../events/domain-event';
import { EVENTS } from '../../events/event-catalog';
import type { UserRole, UserStatus } from '../entities/user.entity';

export interface UserEventData {
  user_id: string;
  name: string;
  email: string;
  role: UserRole;
  status: UserStatus;
}

export class UserCreatedEvent extends DomainEvent<UserEventData> {
  static readonly eventName = EVENTS.USER_CREATED;
  readonly name = UserCreatedEvent.eventName;
}
