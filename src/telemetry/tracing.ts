import { idsOnly, SpanHandle, SpanOptions, SpanSource } from './spans';
import { formatTraceparent, parseTraceparent, TraceContext } from './trace-context';
import { currentTrace } from './trace-scope';

let source: SpanSource = idsOnly;

/**
 * The process's spans. Until `startTelemetry` finds `OTEL_EXPORTER_OTLP_ENDPOINT`, they are ids only:
 * no OpenTelemetry module is loaded and nothing is exported.
 */
export const tracing = {
  get exporting(): boolean {
    return source.exporting;
  },
  start(name: string, parent: TraceContext | null, options: SpanOptions): SpanHandle {
    return source.start(name, parent, options);
  },
  /** A child of the context a stored `traceparent` names (or of `fallback()` when it names none). */
  startUnder(
    name: string,
    traceparent: string | null | undefined,
    fallback: () => TraceContext | null,
    options: SpanOptions,
  ): SpanHandle {
    return source.start(name, parseTraceparent(traceparent) ?? fallback(), options);
  },
};

/**
 * Loads OpenTelemetry and exports spans when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (each process and
 * each delivery thread starts its own). The SDK is required here, lazily: without the variable none
 * of it is loaded.
 */
export async function startTelemetry(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (source.exporting || !env.OTEL_EXPORTER_OTLP_ENDPOINT) return;
  const { openTelemetrySpans } = await import('./otel-spans');
  source = openTelemetrySpans(env);
}

/** Sends the spans not yet exported and stops exporting. */
export async function stopTelemetry(): Promise<void> {
  const stopping = source;
  source = idsOnly;
  await stopping.shutdown();
}

/**
 * A span for recording something (an event in the outbox) in the trace of the request or CLI run in
 * progress, or in a new trace outside one (an operator alert); answers its `traceparent`, which is
 * what the record keeps so that later work, in any process, joins the same trace.
 */
export function traceRecording(name: string, attributes: () => SpanOptions['attributes']): string {
  const span = source.start(name, currentTrace() ?? null, {
    kind: 'internal',
    attributes: source.exporting ? attributes() : undefined,
  });
  span.end();
  return formatTraceparent(span.context);
}

/** The root of a new trace, for work that starts one by itself (a CLI run). */
export function newTrace(): TraceContext {
  return idsOnly.start('', null, { kind: 'internal' }).context;
}
