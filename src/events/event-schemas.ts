import { TICKET_PRIORITIES, TICKET_STATUSES } from '../tickets/entities/ticket.entity';
import { AUTHOR_TYPES } from '../tickets/entities/ticket-message.entity';
import { USER_ROLES, USER_STATUSES } from '../auth/entities/user.entity';
import { EVENTS, type EventName } from './event-catalog';

/**
 * A JSON Schema (draft 2020-12) for every catalog event's body `{event, timestamp, data}`, kept beside
 * the catalog: the admin API serves them, the docs link them and the e2e receiver validates every body
 * it gets against them. `data` lists what a receiver can rely on; further fields may appear (a test
 * send of an event's sample adds `test: true`), so objects stay open.
 */
export type JsonSchema = Record<string, unknown>;

const DIALECT = 'https://json-schema.org/draft/2020-12/schema';

const str: JsonSchema = { type: 'string' };
const nullableStr: JsonSchema = { type: ['string', 'null'] };
const int: JsonSchema = { type: 'integer' };
const nullableInt: JsonSchema = { type: ['integer', 'null'] };
const dateTime: JsonSchema = { type: 'string', format: 'date-time' };
const uuid: JsonSchema = { type: 'string', format: 'uuid' };
const nullableUuid: JsonSchema = { type: ['string', 'null'], format: 'uuid' };
const status: JsonSchema = { enum: [...TICKET_STATUSES] };
const priority: JsonSchema = { enum: [...TICKET_PRIORITIES] };
const changes: JsonSchema = {
  type: 'object',
  description: 'Each changed field with its old and new value',
  additionalProperties: {
    type: 'object',
    required: ['old', 'new'],
    properties: { old: {}, new: {} },
  },
};

/** `data` of each event: its properties, all of them required. */
const DATA: Record<EventName, Record<string, JsonSchema>> = {
  [EVENTS.TICKET_CREATED]: {
    ticket_id: int,
    title: str,
    client_id: uuid,
    department_id: nullableInt,
    channel_id: str,
    status,
    priority,
  },
  [EVENTS.TICKET_UPDATED]: {
    ticket_id: int,
    title: str,
    status,
    priority,
    department_id: nullableInt,
    assigned_user_id: nullableUuid,
    changes,
  },
  [EVENTS.TICKET_STATUS_CHANGED]: { ticket_id: int, old_status: status, new_status: status },
  [EVENTS.TICKET_CLOSED]: { ticket_id: int, closed_at: dateTime },
  [EVENTS.TICKET_ASSIGNED]: {
    ticket_id: int,
    user_id: nullableUuid,
    previous_user_id: nullableUuid,
  },
  [EVENTS.MESSAGE_CREATED]: {
    message_id: int,
    ticket_id: int,
    author_type: { enum: [...AUTHOR_TYPES] },
    author_id: nullableStr,
    body: str,
    created_at: dateTime,
  },
  [EVENTS.CLIENT_CREATED]: { client_id: uuid, name: str, email: nullableStr },
  [EVENTS.CLIENT_UPDATED]: { client_id: uuid, name: str, email: nullableStr, changes },
  [EVENTS.USER_CREATED]: {
    user_id: uuid,
    name: str,
    email: str,
    role: { enum: [...USER_ROLES] },
    status: { enum: [...USER_STATUSES] },
  },
  [EVENTS.USER_UPDATED]: {
    user_id: uuid,
    name: str,
    email: str,
    role: { enum: [...USER_ROLES] },
    status: { enum: [...USER_STATUSES] },
    changes,
  },
  [EVENTS.WEBHOOK_TEST]: {
    test: { const: true },
    message: str,
    webhook_id: int,
    timestamp: dateTime,
  },
  [EVENTS.WEBHOOK_DISABLED]: {
    webhook_id: int,
    name: str,
    url: str,
    reason: str,
    disabled_at: dateTime,
  },
  [EVENTS.DELIVERY_FAILED]: {
    delivery_id: uuid,
    webhook_id: int,
    webhook_name: str,
    event: str,
    event_id: uuid,
    attempts: int,
    last_status_code: nullableInt,
    last_error_code: nullableStr,
    last_error: nullableStr,
    failed_at: dateTime,
  },
  [EVENTS.WEBHOOK_CIRCUIT_OPENED]: {
    webhook_id: int,
    name: str,
    url: str,
    consecutive_failures: int,
    opened_at: dateTime,
    next_probe_at: dateTime,
  },
};

/** The path the admin API serves an event's schema at (also its `$id`, relative to the server). */
export function eventSchemaPath(event: string): string {
  return `/api/admin/webhook-events/${event}/schema`;
}

/** The JSON Schema of one event's body, or undefined for a name not in the catalog. */
export function eventSchema(event: string): JsonSchema | undefined {
  const data = (DATA as Record<string, Record<string, JsonSchema> | undefined>)[event];
  if (!data) return undefined;
  return {
    $schema: DIALECT,
    $id: eventSchemaPath(event),
    title: event,
    type: 'object',
    required: ['event', 'timestamp', 'data'],
    properties: {
      event: { const: event },
      timestamp: { ...dateTime, description: 'When the event happened (RFC 3339, UTC)' },
      data: {
        type: 'object',
        required: Object.keys(data),
        properties: data,
      },
    },
  };
}
