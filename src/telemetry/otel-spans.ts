import {
  Attributes,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { VERSION } from '../version';
import type { SpanAttributes, SpanKindName, SpanSource } from './spans';
import type { TraceContext } from './trace-context';

/**
 * Loaded only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (see tracing.ts). The SDK reads the standard
 * `OTEL_*` variables (endpoint, headers, sampler, batch delays); Homa exports traces only, never
 * metrics or logs (those have /metrics and the log), and names itself `homa` unless
 * `OTEL_SERVICE_NAME` (or `service.name` in `OTEL_RESOURCE_ATTRIBUTES`) says otherwise.
 */
export function openTelemetrySpans(env: NodeJS.ProcessEnv): SpanSource {
  const named =
    env.OTEL_SERVICE_NAME || /(^|,)\s*service\.name=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
  const sdk = new NodeSDK({
    serviceName: named ? undefined : 'homa',
    traceExporter: new OTLPTraceExporter(),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  const tracer = trace.getTracer('homa', VERSION);
  return {
    exporting: true,
    start(name, parent, { kind, attributes, startTime }) {
      const parentContext = parent
        ? trace.setSpanContext(ROOT_CONTEXT, {
            traceId: parent.traceId,
            spanId: parent.spanId,
            traceFlags: parent.flags === '01' ? TraceFlags.SAMPLED : TraceFlags.NONE,
            isRemote: true,
          })
        : ROOT_CONTEXT;
      const span = tracer.startSpan(
        name,
        { kind: KINDS[kind], attributes: defined(attributes), startTime },
        parentContext,
      );
      return { context: contextOf(span), end: (outcome) => endSpan(span, outcome) };
    },
    shutdown: () => sdk.shutdown(),
  };
}

const KINDS: Record<SpanKindName, SpanKind> = {
  server: SpanKind.SERVER,
  internal: SpanKind.INTERNAL,
  client: SpanKind.CLIENT,
};

function contextOf(span: Span): TraceContext {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { traceId, spanId, flags: (traceFlags & TraceFlags.SAMPLED) === 1 ? '01' : '00' };
}

function endSpan(
  span: Span,
  outcome: { attributes?: SpanAttributes; error?: string; name?: string } = {},
): void {
  if (outcome.name) span.updateName(outcome.name);
  if (outcome.attributes) span.setAttributes(defined(outcome.attributes));
  if (outcome.error !== undefined)
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error });
  span.end();
}

function defined(attributes: SpanAttributes = {}): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}
