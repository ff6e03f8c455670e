import sift from 'sift';

/**
 * A webhook's filter, in the syntax Convoy and Hookdeck Outpost share: nested objects mirror the event
 * body `{event, timestamp, data}`; a leaf is a value (equality) or an object of operators
 * `$eq $neq $in $nin $gt $gte $lt $lte $exist $not`; `$or`, `$and` (arrays of filters) and `$not`
 * (a filter) combine filters at any level. It is translated into a MongoDB-style query over dotted
 * paths, with only whitelisted operators, and matched by `sift`.
 */
export type WebhookFilter = Record<string, unknown>;

export const FILTER_LIMITS = {
  /** Serialised size, in bytes. */
  bytes: 16_384,
  /** Nesting of objects and arrays. */
  depth: 10,
  /** Keys and array items, all levels together. */
  nodes: 500,
  /** Items of one `$in` / `$nin`. */
  listItems: 256,
  /** Characters of a string operand. */
  stringLength: 1024,
} as const;

/** What is wrong with a filter; the message says where, e.g. `filter.data.priority.$in must be …`. */
export class FilterError extends Error {}

/** The filter's operators and what the matcher calls them. */
const LEAF_OPERATORS: Record<string, string> = {
  $eq: '$eq',
  $neq: '$ne',
  $in: '$in',
  $nin: '$nin',
  $gt: '$gt',
  $gte: '$gte',
  $lt: '$lt',
  $lte: '$lte',
  $exist: '$exists',
};
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

type Query = Record<string, unknown>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nesting(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(nesting));
  if (isPlainObject(value)) return 1 + Math.max(0, ...Object.values(value).map(nesting));
  return 0;
}

/** Clauses that all must hold: one object when their keys differ (cheaper to match), else `$and`. */
function merge(clauses: Query[]): Query {
  const merged: Query = {};
  for (const clause of clauses)
    for (const [key, value] of Object.entries(clause)) {
      if (key in merged) return { $and: clauses };
      merged[key] = value;
    }
  return merged;
}

class Translator {
  private nodes = 0;

  node(node: unknown, path: string[], where: string): Query {
    if (!isPlainObject(node)) throw new FilterError(`${where} must be an object`);
    const clauses: Query[] = [];
    for (const [key, value] of Object.entries(node)) {
      this.count();
      const at = `${where}.${key}`;
      if (key === '$or' || key === '$and') {
        if (!Array.isArray(value) || value.length === 0)
          throw new FilterError(`${at} must be a non-empty array of filters`);
        clauses.push({ [key]: value.map((v, i) => this.node(v, path, `${at}[${i}]`)) });
      } else if (key === '$not') {
        clauses.push({ $nor: [this.node(value, path, at)] });
      } else if (key.startsWith('$')) {
        throw new FilterError(`${at}: unknown operator ${key} (allowed: ${this.allowed()})`);
      } else {
        if (key === '' || key.split('.').some((part) => FORBIDDEN_KEYS.has(part) || part === ''))
          throw new FilterError(`${at}: not a usable field name`);
        clauses.push(this.field(value, [...path, key], at));
      }
    }
    return merge(clauses);
  }

  private field(value: unknown, path: string[], where: string): Query {
    if (isPlainObject(value) && this.isOperatorObject(value))
      return { [path.join('.')]: this.operators(value, where) };
    if (isPlainObject(value)) return this.node(value, path, where);
    return { [path.join('.')]: { $eq: this.scalar(value, where) } };
  }

  /** `{"$in": […]}`, `{"$not": {"$eq": …}}`: keys that are all leaf operators. */
  private isOperatorObject(value: Record<string, unknown>): boolean {
    const keys = Object.keys(value);
    return (
      keys.length > 0 &&
      keys.every(
        (k) =>
          k in LEAF_OPERATORS ||
          (k === '$not' && isPlainObject(value.$not) && this.isOperatorObject(value.$not)),
      )
    );
  }

  private operators(ops: Record<string, unknown>, where: string): Query {
    const out: Query = {};
    for (const [op, operand] of Object.entries(ops)) {
      this.count();
      const at = `${where}.${op}`;
      if (op === '$not') {
        out.$not = this.operators(operand as Record<string, unknown>, at);
      } else if (op === '$in' || op === '$nin') {
        if (!Array.isArray(operand) || operand.length > FILTER_LIMITS.listItems)
          throw new FilterError(
            `${at} must be an array of at most ${FILTER_LIMITS.listItems} values`,
          );
        out[LEAF_OPERATORS[op]] = operand.map((v, i) => this.scalar(v, `${at}[${i}]`));
      } else if (op === '$exist') {
        if (typeof operand !== 'boolean') throw new FilterError(`${at} must be true or false`);
        out.$exists = operand;
      } else if (op === '$eq' || op === '$neq') {
        out[LEAF_OPERATORS[op]] = this.scalar(operand, at);
      } else {
        if (typeof operand !== 'number' && typeof operand !== 'string')
          throw new FilterError(`${at} must be a number or a string`);
        out[LEAF_OPERATORS[op]] = this.scalar(operand, at);
      }
    }
    return out;
  }

  private scalar(value: unknown, where: string): string | number | boolean | null {
    if (value === null || typeof value === 'boolean') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && value.length <= FILTER_LIMITS.stringLength) return value;
    throw new FilterError(
      `${where} must be a string (at most ${FILTER_LIMITS.stringLength} characters), a number, true, false or null`,
    );
  }

  private count(): void {
    if (++this.nodes > FILTER_LIMITS.nodes)
      throw new FilterError(`filter has more than ${FILTER_LIMITS.nodes} keys and values`);
  }

  private allowed(): string {
    return [...Object.keys(LEAF_OPERATORS), '$or', '$and', '$not'].join(' ');
  }
}

/** Checks a filter and translates it into the matcher's query; throws a FilterError naming the problem. */
export function translateFilter(filter: unknown): Query {
  if (!isPlainObject(filter)) throw new FilterError('filter must be a JSON object');
  const bytes = Buffer.byteLength(JSON.stringify(filter), 'utf8');
  if (bytes > FILTER_LIMITS.bytes)
    throw new FilterError(`filter is larger than ${FILTER_LIMITS.bytes} bytes`);
  if (nesting(filter) > FILTER_LIMITS.depth)
    throw new FilterError(`filter is nested deeper than ${FILTER_LIMITS.depth} levels`);
  return new Translator().node(filter, [], 'filter');
}

/** The problem with a filter, or null when it can be saved. */
export function filterProblem(filter: unknown): string | null {
  try {
    translateFilter(filter);
    return null;
  } catch (error) {
    if (error instanceof FilterError) return error.message;
    throw error;
  }
}

export type EventMatcher = (body: unknown) => boolean;

/** A filter made into a test of event bodies. */
export function compileFilter(filter: unknown): EventMatcher {
  return sift(translateFilter(filter));
}

/** Whether the filter keeps the event (no filter keeps every event). */
export function filterMatches(filter: unknown, body: unknown): boolean {
  return filter === null || filter === undefined ? true : compileFilter(filter)(body);
}
