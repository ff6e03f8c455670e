import { Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { catalogEntry } from '../../events/event-catalog';
import { compileFilter, EventMatcher } from '../../webhooks/shaping/webhook-filter';
import type { OutboxEvent } from './ordered-fan-out';

export interface Subscribers {
  all: number[];
  /** Those of `all` that are ordered. */
  ordered: number[];
}

/** The webhooks subscribed to one event name, with the filters some of them hold. */
interface NameSubscribers extends Subscribers {
  /** webhook id → its filter as stored (JSON text); only webhooks that have one. */
  filters: Map<number, string>;
}

const logger = new Logger('EventFanOut');

/**
 * Compiled filters, one per webhook, made again only when the webhook's stored filter changes: a
 * fan-out pass tests each event against functions, never parses a filter per event.
 */
export class FilterCache {
  private readonly compiled = new Map<number, { text: string; matches: EventMatcher }>();

  matcher(webhookId: number, text: string): EventMatcher {
    const hit = this.compiled.get(webhookId);
    if (hit && hit.text === text) return hit.matches;
    let matches: EventMatcher;
    try {
      matches = compileFilter(JSON.parse(text));
    } catch (error) {
      // Saved filters are checked; one written around the API is refused loudly, and matches nothing.
      logger.error(`Webhook ${webhookId} has a filter that cannot be used: ${String(error)}`);
      matches = () => false;
    }
    this.compiled.set(webhookId, { text, matches });
    return matches;
  }
}

/**
 * For each event name, the enabled webhooks subscribed to it (its flag, or `event_all`). One indexed
 * lookup per flag (`idx_webhooks_<flag>`), so a pass reads the subscribed webhooks only, however many
 * are registered; a webhook found through two flags is kept once.
 */
export async function subscribersByEvent(
  m: EntityManager,
  names: string[],
): Promise<Map<string, NameSubscribers>> {
  const flags = new Map<string, string>();
  for (const name of new Set(names)) {
    const flag = catalogEntry(name)?.flag;
    if (flag) flags.set(name, flag);
  }
  const result = new Map<string, NameSubscribers>();
  if (flags.size === 0) return result;
  const columns = [...new Set(flags.values())];
  // Column names come from the catalog, never from input.
  const select = `SELECT id, ordered, \`filter\`, event_all, ${columns.join(', ')} FROM webhooks`;
  const found: Record<string, unknown>[] = await m.query(
    ['event_all', ...columns]
      .map((flag) => `${select} WHERE ${flag} = 1 AND enabled = 1`)
      .join(' UNION ALL '),
  );
  const byId = new Map(found.map((r) => [Number(r.id), r]));
  const rows = [...byId.values()].sort((a, b) => Number(a.id) - Number(b.id));
  for (const [name, flag] of flags) {
    const subscribed = rows.filter((r) => truthy(r.event_all) || truthy(r[flag]));
    const filters = new Map<number, string>();
    for (const r of subscribed)
      // `{}` keeps every event, like no filter: no body is parsed for it.
      if (typeof r.filter === 'string' && r.filter !== 'null' && r.filter !== '{}')
        filters.set(Number(r.id), r.filter);
    result.set(name, {
      all: subscribed.map((r) => Number(r.id)),
      ordered: subscribed.filter((r) => truthy(r.ordered)).map((r) => Number(r.id)),
      filters,
    });
  }
  return result;
}

/**
 * Each event's subscribers once filters have had their say: an event whose subscribers hold no filter
 * shares its name's lists as they are (no body parsed, nothing copied); otherwise its body is parsed
 * once and each filtered webhook keeps it or drops it.
 */
export function matchSubscribers(
  events: OutboxEvent[],
  byName: Map<string, NameSubscribers>,
  filters: FilterCache,
): Map<string, Subscribers> {
  const result = new Map<string, Subscribers>();
  for (const event of events) {
    const subscribers = byName.get(event.name);
    if (!subscribers) continue;
    if (subscribers.filters.size === 0) {
      result.set(event.id, subscribers);
      continue;
    }
    const body: unknown = JSON.parse(event.body);
    const dropped = new Set<number>();
    for (const [webhookId, text] of subscribers.filters)
      if (!filters.matcher(webhookId, text)(body)) dropped.add(webhookId);
    result.set(
      event.id,
      dropped.size === 0
        ? subscribers
        : {
            all: subscribers.all.filter((id) => !dropped.has(id)),
            ordered: subscribers.ordered.filter((id) => !dropped.has(id)),
          },
    );
  }
  return result;
}

function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}
