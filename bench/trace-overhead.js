#!/usr/bin/env node
'use strict';
// The CPU trace context costs per delivery with OpenTelemetry off, as built in dist/: the outbox's span
// of the recording (once per event) and each attempt's span and `traceparent` (once per attempt), no
// database, no network. Pair with `TRACEPARENT=1 node bench/sender-cpu.js` against the same without it
// for what the header costs the sender per POST.
//   node bench/trace-overhead.js
const { join } = require('node:path');

const N = Number(process.env.N ?? 500_000);
const telemetry = join(__dirname, '..', 'dist', 'src', 'telemetry');
const { traceRecording, newTrace } = require(join(telemetry, 'tracing.js'));
const { inTrace } = require(join(telemetry, 'trace-scope.js'));
const { traceAttempt } = require(join(telemetry, 'pipeline-spans.js'));

function measure(label, work) {
  for (let i = 0; i < N / 10; i++) work(i);
  const started = process.hrtime.bigint();
  for (let i = 0; i < N; i++) work(i);
  const ns = Number(process.hrtime.bigint() - started) / N;
  console.log(`${label}: ${(ns / 1000).toFixed(3)} µs`);
  return ns;
}

const outcome = { success: true, status_code: 200, error_code: null };
let recorded = '';
const record = inTrace(newTrace(), () =>
  measure('per event, the span of its recording (outbox)', () => {
    recorded = traceRecording('record ticket.created', () => ({ 'homa.event': 'ticket.created' }));
  }),
);
const delivery = { id: 'd', event: 'ticket.created', eventId: 'e', traceparent: recorded };
const attempt = measure('per attempt, its span and traceparent', (i) => {
  traceAttempt(delivery, 1, i).end(outcome);
});
console.log(`per delivery of one attempt, in all: ${((record + attempt) / 1000).toFixed(3)} µs`);
