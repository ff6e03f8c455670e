import { newSpanId, newTraceId, SAMPLED, TraceContext } from './trace-context';

export type SpanKindName = 'server' | 'internal' | 'client';
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

/** A span in progress: its own context (what a child or an outgoing `traceparent` names) and its end. */
export interface SpanHandle {
  readonly context: TraceContext;
  /** Ends the span; `error` marks it failed. A span is ended once. */
  end(outcome?: { attributes?: SpanAttributes; error?: string; name?: string }): void;
}

export interface SpanOptions {
  kind: SpanKindName;
  attributes?: SpanAttributes;
  /** Epoch milliseconds, when the work began before the span was made. */
  startTime?: number;
}

/** Where spans come from: ids only (no export), or OpenTelemetry when an OTLP endpoint is set. */
export interface SpanSource {
  readonly exporting: boolean;
  /** A child of `parent`, or the root of a new trace when there is none. */
  start(name: string, parent: TraceContext | null, options: SpanOptions): SpanHandle;
  shutdown(): Promise<void>;
}

const NOT_RECORDED = (): void => undefined;

/** Without OpenTelemetry: new ids in the right trace, nothing recorded, nothing sent anywhere. */
export const idsOnly: SpanSource = {
  exporting: false,
  start(_name, parent) {
    const context: TraceContext = parent
      ? { traceId: parent.traceId, spanId: newSpanId(), flags: parent.flags }
      : { traceId: newTraceId(), spanId: newSpanId(), flags: SAMPLED };
    return { context, end: NOT_RECORDED };
  },
  shutdown: () => Promise.resolve(),
};
