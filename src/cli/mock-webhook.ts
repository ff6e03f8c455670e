import { randomInt } from 'node:crypto';
import { EVENT_CATALOG, EVENT_FLAGS, EventFlag } from '../events/event-catalog';
import type { CreateWebhookDto } from '../webhooks/dto/create-webhook.dto';
import type { WebhookView } from '../webhooks/webhooks.service';

const INTEGRATIONS = [
  'Slack Integration',
  'Discord Notifier',
  'Jira Sync',
  'Zapier Hook',
  'CRM Connector',
  'Analytics Pipeline',
  'PagerDuty Alerts',
  'Teams Notifier',
  'Data Warehouse Sync',
  'Billing Service',
];

/** A mock webhook as in the usage guide: a named integration, random subscriptions (at least one), 20 % all events. */
export function mockWebhook(
  url: string,
  random: (max: number) => number = randomInt,
): CreateWebhookDto {
  const name = `${INTEGRATIONS[random(INTEGRATIONS.length)]} - ${100 + random(900)}`;
  const all = random(100) < 20;
  const flags = Object.fromEntries(
    EVENT_FLAGS.map((f) => [f, all ? false : random(2) === 1]),
  ) as Record<EventFlag, boolean>;
  if (!all && !EVENT_FLAGS.some((f) => flags[f]))
    flags[EVENT_FLAGS[random(EVENT_FLAGS.length)]] = true;
  return {
    name,
    url,
    enabled: true,
    description: 'Mock webhook created by generate-webhook',
    event_all: all,
    ...flags,
  };
}

/** The lines the guide shows after creating a mock webhook. */
export function describeMockWebhook(webhook: WebhookView): string[] {
  const lines = [
    '✅ Mock webhook created successfully!',
    `   ID: ${webhook.id}`,
    `   Name: ${webhook.name}`,
    `   URL: ${webhook.url}`,
    `   Secret: ${webhook.secret}`,
    `   Enabled: ${webhook.enabled}`,
    ...(webhook.signature_scheme === 'ed25519'
      ? [`   Signature: ed25519 (webhook-signature v1a)`, `   Public Key: ${webhook.public_key}`]
      : []),
    ...(webhook.ordered
      ? [`   Ordered: ${webhook.ordered} (X-Webhook-Sequence per ticket, client, user)`]
      : []),
    '',
    '📋 Event Subscriptions:',
    `   All Events: ${webhook.event_all}`,
  ];
  for (const entry of EVENT_CATALOG) {
    if (entry.flag) lines.push(`   ${entry.label}: ${webhook[entry.flag]}`);
  }
  return lines;
}
