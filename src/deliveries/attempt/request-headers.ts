import { VERSION } from '../../version';
import type { Webhook } from '../../webhooks/entities/webhook.entity';

/**
 * Names a webhook's custom headers may not set: the delivery contract's own, and those that frame or
 * steer the HTTP exchange itself (the sender's to set).
 */
const RESERVED =
  /^(content-type|content-length|host|user-agent|x-webhook-.*|webhook-.*|traceparent|tracestate|connection|keep-alive|transfer-encoding|te|trailer|upgrade|expect|proxy-connection)$/i;

/**
 * The headers of one attempt of a delivery, before signing: the webhook's custom headers, then the
 * contract's (which custom headers cannot override). Deliveries to an ordered webhook add their
 * `X-Webhook-Sequence`. The sender and the delivery log both use this; the sender adds the attempt's
 * W3C `traceparent` (telemetry/pipeline-spans.ts).
 */
export function requestHeaders(
  delivery: { id: string; event: string; sequence?: number | null },
  webhook: Pick<Webhook, 'headers'>,
  attempt: number,
  traceparent?: string,
): Record<string, string> {
  const custom = Object.entries(webhook.headers ?? {}).filter(([name]) => !RESERVED.test(name));
  return {
    ...Object.fromEntries(custom),
    'Content-Type': 'application/json',
    'User-Agent': `Homa-Webhook/${VERSION}`,
    'X-Webhook-Event': delivery.event,
    'X-Webhook-Delivery': delivery.id,
    'X-Webhook-Attempt': String(attempt),
    ...(delivery.sequence != null ? { 'X-Webhook-Sequence': String(delivery.sequence) } : {}),
    ...(traceparent ? { traceparent } : {}),
  };
}
