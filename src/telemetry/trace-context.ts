import { randomFillSync } from 'node:crypto';

/** A W3C Trace Context position: the trace, the span within it, and the trace flags (2 hex digits). */
export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  spanId: string;
  flags: string;
}

/**
 * Version 00 of `traceparent` exactly as W3C Trace Context (Level 1) writes it: lowercase hex only,
 * 55 characters, dashes in place. Anything else (another version, upper case, padding, a list from
 * repeated headers) is not one, and a new trace is started instead.
 */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** The context a `traceparent` header carries, or null when it is absent or invalid. */
export function parseTraceparent(value: string | string[] | null | undefined): TraceContext | null {
  if (typeof value !== 'string') return null;
  const match = TRACEPARENT.exec(value);
  if (!match || match[1] === ZERO_TRACE || match[2] === ZERO_SPAN) return null;
  return { traceId: match[1], spanId: match[2], flags: ownFlags(match[3]) };
}

export function formatTraceparent({ traceId, spanId, flags }: TraceContext): string {
  return `00-${traceId}-${spanId}-${flags}`;
}

/** Only the `sampled` bit is defined in version 00; the spec says to pass the others on as zero. */
function ownFlags(flags: string): string {
  return (parseInt(flags, 16) & 1) === 1 ? '01' : '00';
}

/** Flags of a trace Homa starts: sampled, so a receiver that samples by its parent records it. */
export const SAMPLED = '01';

/**
 * Random ids come from a pool filled 4 KiB at a time: one `randomFillSync` per 512 span ids instead of
 * one call each (ids are hex of random bytes, as W3C asks; not secrets).
 */
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const hex = pool.toString('hex', used, used + bytes);
  used += bytes;
  return hex;
}

export function newSpanId(): string {
  let id = randomHex(8);
  while (id === ZERO_SPAN) id = randomHex(8);
  return id;
}

export function newTraceId(): string {
  let id = randomHex(16);
  while (id === ZERO_TRACE) id = randomHex(16);
  return id;
}
