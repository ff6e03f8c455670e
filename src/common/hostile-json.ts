import { BadRequestException } from '@nestjs/common';
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

/** Deeper than any Homa body needs; stops stack-deep recursion in validation before it starts. */
export const MAX_JSON_DEPTH = 32;

/** Keys that would reach an object's prototype: refused by name, never silently dropped. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest nesting of objects and arrays in raw JSON bytes, ignoring brackets inside strings. */
export function jsonDepth(body: Buffer, stopAbove = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
      if (depth > max) max = depth;
      if (max > stopAbove) return max;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
  }
  return max;
}

/** A refusal body-parser passes on as it is (status 400, our message). */
class BodyRefusal extends Error {
  readonly status = 400;
  readonly type = 'entity.verify.failed';
}

/** body-parser's `verify` hook: runs on the raw bytes before they are decoded and parsed. */
export function verifyJsonBody(_req: IncomingMessage, _res: ServerResponse, body: Buffer): void {
  // Decoding would silently put U+FFFD in place of bad bytes (and so change what was sent).
  if (!isUtf8(body)) throw new BodyRefusal('Request body is not valid UTF-8');
  if (jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
    throw new BodyRefusal(
      `Request body is nested deeper than the limit of ${MAX_JSON_DEPTH} levels`,
    );
}

/** The first forbidden key or out-of-range number in a parsed body, with its path; null when clean. */
export function findHostileValue(
  value: unknown,
  path = '',
): { field: string; error: string } | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value)))
      return { field: path || 'body', error: `${path || 'body'} is a number out of range` };
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  for (const key of Object.keys(value)) {
    const field = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return { field, error: `property ${key} should not exist` };
    const found = findHostileValue((value as Record<string, unknown>)[key], field);
    if (found) return found;
  }
  return null;
}

/** Express middleware after the JSON parser: a 400 naming the field, before any handler sees the body. */
export function refuseHostileValues(req: Request, _res: Response, next: NextFunction): void {
  const found = findHostileValue(req.body as unknown);
  if (!found) return next();
  next(
    new BadRequestException({
      message: `Validation failed: ${found.error}`,
      details: [{ field: found.field, errors: [found.error] }],
    }),
  );
}
