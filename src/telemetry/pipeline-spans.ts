import { formatTraceparent, parseTraceparent, TraceContext } from './trace-context';
import { tracing } from './tracing';

/**
 * The spans of the delivery pipeline, in each event's trace: fan-out and every attempt are children
 * of the span that recorded the event (its stored `traceparent`). Plain shapes only: this folder
 * knows nothing of the pipeline's types.
 */

const NOTHING_TO_END = (): void => undefined;

/**
 * One span per event fanned out, from `startedAt` until the returned function is called (once its
 * deliveries are handed on). Nothing at all while spans are not exported.
 */
export function traceFanOut(
  events: { id: string; name: string; traceparent?: string | null }[],
  deliveries: { event_id: string }[],
  startedAt: number,
): () => void {
  if (!tracing.exporting || events.length === 0) return NOTHING_TO_END;
  const perEvent = new Map<string, number>();
  for (const d of deliveries) perEvent.set(d.event_id, (perEvent.get(d.event_id) ?? 0) + 1);
  const spans = events.map((event) =>
    tracing.startUnder(`fan-out ${event.name}`, event.traceparent, () => legacyParent(event.id), {
      kind: 'internal',
      startTime: startedAt,
      attributes: {
        'homa.event': event.name,
        'homa.event_id': event.id,
        'homa.deliveries': perEvent.get(event.id) ?? 0,
      },
    }),
  );
  return () => spans.forEach((span) => span.end());
}

export interface AttemptSpan {
  /** What the attempt's POST carries: the event's trace id and this attempt's own span id. */
  traceparent: string;
  end(outcome: { success: boolean; status_code: number | null; error_code?: string | null }): void;
}

/** The span of one HTTP attempt of a delivery: a new span id each attempt, in the event's trace. */
export function traceAttempt(
  delivery: { id: string; event: string; eventId: string; traceparent?: string | null },
  webhookId: number,
  attempt: number,
): AttemptSpan {
  const exporting = tracing.exporting;
  const span = tracing.startUnder(
    `POST webhook ${delivery.event}`,
    delivery.traceparent,
    () => legacyParent(delivery.eventId),
    {
      kind: 'client',
      // Built only for an exporter: without one, an attempt costs a span id and the header.
      attributes: exporting
        ? {
            'http.request.method': 'POST',
            'homa.event': delivery.event,
            'homa.event_id': delivery.eventId,
            'homa.delivery_id': delivery.id,
            'homa.webhook_id': webhookId,
            'homa.attempt': attempt,
          }
        : undefined,
    },
  );
  return {
    traceparent: formatTraceparent(span.context),
    end: ({ success, status_code, error_code }) =>
      exporting &&
      span.end({
        attributes: {
          'http.response.status_code': status_code ?? undefined,
          'error.type': error_code ?? undefined,
        },
        error: success ? undefined : (error_code ?? 'failed'),
      }),
  };
}

/**
 * Events recorded before trace context have no `traceparent`: their deliveries take one made from
 * the event's id (a UUIDv7 is 32 hex digits), stable across retries and processes.
 */
function legacyParent(eventId: string): TraceContext | null {
  const hex = eventId.replace(/-/g, '').toLowerCase();
  return parseTraceparent(`00-${hex}-${hex.slice(16)}-01`);
}
