/**
 * The catalog of every event Homa publishes: its name, the webhook flag that subscribes to it and a
 * sample payload. The listener, the admin catalog route, the CLI and the README all read this list.
 */
export const EVENTS = {
  TICKET_CREATED: 'ticket.created',
  TICKET_UPDATED: 'ticket.updated',
  TICKET_STATUS_CHANGED: 'ticket.status_changed',
  TICKET_CLOSED: 'ticket.closed',
  TICKET_ASSIGNED: 'ticket.assigned',
  MESSAGE_CREATED: 'message.created',
  CLIENT_CREATED: 'client.created',
  CLIENT_UPDATED: 'client.updated',
  USER_CREATED: 'user.created',
  USER_UPDATED: 'user.updated',
  WEBHOOK_TEST: 'webhook.test',
  WEBHOOK_DISABLED: 'webhook.disabled',
  DELIVERY_FAILED: 'delivery.failed',
  WEBHOOK_CIRCUIT_OPENED: 'webhook.circuit_opened',
} as const;

export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

/** Events that are alerts about a webhook: never delivered to that webhook, and never alerted on. */
export const ALERT_EVENTS: ReadonlySet<string> = new Set([
  EVENTS.WEBHOOK_DISABLED,
  EVENTS.DELIVERY_FAILED,
  EVENTS.WEBHOOK_CIRCUIT_OPENED,
]);

export const EVENT_FLAGS = [
  'event_ticket_created',
  'event_ticket_updated',
  'event_ticket_status_change',
  'event_ticket_closed',
  'event_ticket_assigned',
  'event_message_created',
  'event_client_created',
  'event_client_updated',
  'event_user_created',
  'event_user_updated',
  'event_webhook_disabled',
  'event_delivery_failed',
] as const;

export type EventFlag = (typeof EVENT_FLAGS)[number];

export interface CatalogEntry {
  event: EventName;
  /** The webhook column that subscribes to it; null for `webhook.test`, sent only to the webhook tested. */
  flag: EventFlag | null;
  label: string;
  description: string;
  sample: Record<string, unknown>;
}

export const EVENT_CATALOG: readonly CatalogEntry[] = [
  {
    event: EVENTS.TICKET_CREATED,
    flag: 'event_ticket_created',
    label: 'Ticket Created',
    description: 'A ticket was opened, by a client or an agent.',
    sample: {
      ticket_id: 123,
      title: 'Login Issue',
      client_id: 'c4ae2903-1127-4229-9e20-3225990af447',
      department_id: 5,
      channel_id: 'web',
      status: 'new',
      priority: 'medium',
    },
  },
  {
    event: EVENTS.TICKET_UPDATED,
    flag: 'event_ticket_updated',
    label: 'Ticket Updated',
    description:
      'Any field of a ticket changed; `changes` holds each changed field with its old and new value.',
    sample: {
      ticket_id: 123,
      title: 'Login Issue',
      status: 'in_progress',
      priority: 'high',
      department_id: 5,
      assigned_user_id: null,
      changes: {
        priority: { old: 'medium', new: 'high' },
        status: { old: 'new', new: 'in_progress' },
      },
    },
  },
  {
    event: EVENTS.TICKET_STATUS_CHANGED,
    flag: 'event_ticket_status_change',
    label: 'Ticket Status Changed',
    description: 'The status of a ticket changed.',
    sample: { ticket_id: 123, old_status: 'new', new_status: 'in_progress' },
  },
  {
    event: EVENTS.TICKET_CLOSED,
    flag: 'event_ticket_closed',
    label: 'Ticket Closed',
    description: 'A ticket was closed, by its client or an agent.',
    sample: { ticket_id: 123, closed_at: '2024-01-15T11:00:00Z' },
  },
  {
    event: EVENTS.TICKET_ASSIGNED,
    flag: 'event_ticket_assigned',
    label: 'Ticket Assigned',
    description: 'A ticket was assigned to a user, reassigned, or unassigned (`user_id` null).',
    sample: {
      ticket_id: 123,
      user_id: '5f0c6f5e-8d1a-4c35-9a5e-6b2f1e7d9c11',
      previous_user_id: null,
    },
  },
  {
    event: EVENTS.MESSAGE_CREATED,
    flag: 'event_message_created',
    label: 'Message Created',
    description: 'A message was added to a ticket by its client, an agent or the system.',
    sample: {
      message_id: 987,
      ticket_id: 123,
      author_type: 'client',
      author_id: 'c4ae2903-1127-4229-9e20-3225990af447',
      body: 'I still cannot log in.',
      created_at: '2024-01-15T10:40:00Z',
    },
  },
  {
    event: EVENTS.CLIENT_CREATED,
    flag: 'event_client_created',
    label: 'Client Created',
    description: 'A client was created, e.g. by their first ticket.',
    sample: {
      client_id: 'c4ae2903-1127-4229-9e20-3225990af447',
      name: 'John Doe',
      email: 'john@example.com',
    },
  },
  {
    event: EVENTS.CLIENT_UPDATED,
    flag: 'event_client_updated',
    label: 'Client Updated',
    description: "A client's name or email changed.",
    sample: {
      client_id: 'c4ae2903-1127-4229-9e20-3225990af447',
      name: 'John A. Doe',
      email: 'john@example.com',
      changes: { name: { old: 'John Doe', new: 'John A. Doe' } },
    },
  },
  {
    event: EVENTS.USER_CREATED,
    flag: 'event_user_created',
    label: 'User Created',
    description: 'An agent or admin account was created.',
    sample: {
      user_id: '5f0c6f5e-8d1a-4c35-9a5e-6b2f1e7d9c11',
      name: 'Ada Agent',
      email: 'ada@example.com',
      role: 'agent',
      status: 'active',
    },
  },
  {
    event: EVENTS.USER_UPDATED,
    flag: 'event_user_updated',
    label: 'User Updated',
    description: "A user's name, role or status changed.",
    sample: {
      user_id: '5f0c6f5e-8d1a-4c35-9a5e-6b2f1e7d9c11',
      name: 'Ada Agent',
      email: 'ada@example.com',
      role: 'admin',
      status: 'active',
      changes: { role: { old: 'agent', new: 'admin' } },
    },
  },
  {
    event: EVENTS.WEBHOOK_TEST,
    flag: null,
    label: 'Webhook Test',
    description: 'Sent only to the webhook being tested, whatever it subscribes to.',
    sample: {
      test: true,
      message: 'This is a test webhook from Homa',
      webhook_id: 1,
      timestamp: '2024-01-15T10:30:00Z',
    },
  },
  {
    event: EVENTS.WEBHOOK_DISABLED,
    flag: 'event_webhook_disabled',
    label: 'Webhook Disabled',
    description:
      'An operator alert: Homa disabled a webhook (its endpoint answered 410 Gone, or its deliveries kept failing too long). Never sent to the disabled webhook itself; its `url` has no user info, query or fragment; rate-limited per webhook.',
    sample: {
      webhook_id: 7,
      name: 'CRM Connector - 311',
      url: 'https://crm.example.com/hooks/homa',
      reason: 'The endpoint answered 410 Gone',
      disabled_at: '2024-01-15T10:30:00Z',
    },
  },
  {
    event: EVENTS.DELIVERY_FAILED,
    flag: 'event_delivery_failed',
    label: 'Delivery Failed',
    description:
      'An operator alert: a delivery failed its last retry and will not be attempted again unless redelivered. Never sent to the webhook that failed; rate-limited per webhook.',
    sample: {
      delivery_id: '01939a6e-5f0c-7d4b-9a3e-6b2f1e7d9c11',
      webhook_id: 7,
      webhook_name: 'CRM Connector - 311',
      event: 'ticket.created',
      event_id: '01939a6e-5e1a-7c35-8a5e-6b2f1e7d9c00',
      attempts: 8,
      last_status_code: 503,
      last_error_code: 'http_status',
      last_error: 'HTTP 503',
      failed_at: '2024-01-16T13:30:00Z',
    },
  },
  {
    event: EVENTS.WEBHOOK_CIRCUIT_OPENED,
    // The endpoint-health alerts share one subscription: a webhook that wants to hear of webhooks
    // disabled also hears of endpoints whose circuit opened.
    flag: 'event_webhook_disabled',
    label: 'Webhook Circuit Opened',
    description:
      "An operator alert: a webhook's endpoint failed too many attempts in a row, so Homa stopped sending to it; one probe goes per interval and a success resumes deliveries. Sent once per opening to the webhooks subscribed to `event_webhook_disabled`, never to the webhook itself.",
    sample: {
      webhook_id: 7,
      name: 'CRM Connector - 311',
      url: 'https://crm.example.com/hooks/homa',
      consecutive_failures: 20,
      opened_at: '2024-01-15T10:30:00Z',
      next_probe_at: '2024-01-15T10:30:30Z',
    },
  },
];

export const DOMAIN_EVENT_NAMES: readonly EventName[] = EVENT_CATALOG.filter(
  (e) => e.flag !== null,
).map((e) => e.event);

export function catalogEntry(event: string): CatalogEntry | undefined {
  return EVENT_CATALOG.find((e) => e.event === event);
}

/** `{field: {old, new}}` for each field whose value differs. */
export type Changes = Record<string, { old: unknown; new: unknown }>;

export function diff<T extends object>(
  before: T,
  after: Partial<T>,
  fields: readonly (keyof T)[],
): Changes {
  const changes: Changes = {};
  for (const field of fields) {
    if (!(field in after)) continue;
    const old = before[field] ?? null;
    const next = after[field] ?? null;
    if (old !== next) changes[String(field)] = { old, new: next };
  }
  return changes;
}
