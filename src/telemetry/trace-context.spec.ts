import { formatTraceparent, newSpanId, newTraceId, parseTraceparent } from './trace-context';
import { inTrace } from './trace-scope';
import { newTrace, traceRecording, tracing } from './tracing';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('parseTraceparent (W3C Trace Context, version 00)', () => {
  it('reads a valid header', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      flags: '01',
    });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.flags).toBe('00');
  });

  it('keeps only the sampled flag, the one version 00 defines', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-03`)?.flags).toBe('01');
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-fe`)?.flags).toBe('00');
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['repeated headers', [`00-${TRACE}-${SPAN}-01`, `00-${TRACE}-${SPAN}-01`]],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['another version', `01-${TRACE}-${SPAN}-01`],
    ['the forbidden version ff', `ff-${TRACE}-${SPAN}-01`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['a short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['a long parent id', `00-${TRACE}-${SPAN}0-01`],
    ['one-digit flags', `00-${TRACE}-${SPAN}-1`],
    ['non-hex characters', `00-${TRACE.slice(0, 31)}g-${SPAN}-01`],
    ['trailing data on version 00', `00-${TRACE}-${SPAN}-01-extra`],
    ['surrounding spaces', ` 00-${TRACE}-${SPAN}-01 `],
    ['a list of two', `00-${TRACE}-${SPAN}-01, 00-${TRACE}-${SPAN}-01`],
    ['wrong separators', `00_${TRACE}_${SPAN}_01`],
  ])('refuses %s', (_case, value) => {
    expect(parseTraceparent(value)).toBeNull();
  });

  it('formats what it parses back to the same header', () => {
    const header = `00-${TRACE}-${SPAN}-01`;
    expect(formatTraceparent(parseTraceparent(header)!)).toBe(header);
  });
});

describe('new ids', () => {
  it('are lowercase hex of the right length, not all zero, and differ', () => {
    const traces = new Set(Array.from({ length: 2000 }, () => newTraceId()));
    const spans = new Set(Array.from({ length: 2000 }, () => newSpanId()));
    expect(traces.size).toBe(2000);
    expect(spans.size).toBe(2000);
    for (const id of traces) expect(id).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    for (const id of spans) expect(id).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
  });
});

describe('tracing without OpenTelemetry', () => {
  it('exports nothing, and a child keeps its parent’s trace with a span of its own', () => {
    expect(tracing.exporting).toBe(false);
    const parent = parseTraceparent(`00-${TRACE}-${SPAN}-00`);
    const child = tracing.start('x', parent, { kind: 'internal' }).context;
    expect(child).toEqual({ traceId: TRACE, spanId: expect.not.stringMatching(SPAN), flags: '00' });
  });

  it('records in the trace in progress, or in a new sampled one outside any', () => {
    const recorded = parseTraceparent(traceRecording('record e', () => ({})))!;
    expect(recorded.flags).toBe('01');
    const run = newTrace();
    const inside = parseTraceparent(inTrace(run, () => traceRecording('record e', () => ({}))))!;
    expect(inside.traceId).toBe(run.traceId);
    expect(inside.spanId).not.toBe(run.spanId);
    expect(inside.traceId).not.toBe(recorded.traceId);
  });
});
