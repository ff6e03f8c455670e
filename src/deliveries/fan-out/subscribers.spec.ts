import { FilterCache, matchSubscribers } from './subscribers';
import type { OutboxEvent } from './ordered-fan-out';

const event = (id: string, name: string, data: Record<string, unknown>): OutboxEvent => ({
  id,
  name,
  body: JSON.stringify({ event: name, timestamp: '2024-01-15T10:30:00Z', data }),
  ordering_key: null,
  key_seq: null,
});

describe('matchSubscribers (fan-out filters)', () => {
  const urgentOnly = JSON.stringify({ data: { priority: { $in: ['high', 'urgent'] } } });

  it('shares the subscribers of a name without filters, parsing no body', () => {
    const unfiltered = { all: [1, 2], ordered: [2], filters: new Map<number, string>() };
    const broken = { ...event('e1', 'ticket.created', {}), body: 'not json' };
    const result = matchSubscribers(
      [broken],
      new Map([['ticket.created', unfiltered]]),
      new FilterCache(),
    );
    expect(result.get('e1')).toBe(unfiltered);
  });

  it('drops the filtered webhooks whose filter refuses an event, from both lists', () => {
    const subscribers = {
      all: [1, 2, 3],
      ordered: [2, 3],
      filters: new Map([
        [2, urgentOnly],
        [3, JSON.stringify({ data: { ticket_id: { $gt: 0 } } })],
      ]),
    };
    const byName = new Map([['ticket.created', subscribers]]);
    const result = matchSubscribers(
      [
        event('low', 'ticket.created', { ticket_id: 1, priority: 'low' }),
        event('urgent', 'ticket.created', { ticket_id: 2, priority: 'urgent' }),
        event('other', 'user.created', {}),
      ],
      byName,
      new FilterCache(),
    );
    expect(result.get('low')).toEqual({ all: [1, 3], ordered: [3] });
    expect(result.get('urgent')).toBe(subscribers);
    expect(result.has('other')).toBe(false);
  });

  it('compiles a filter once per webhook until its text changes; an unusable one matches nothing', () => {
    const cache = new FilterCache();
    const first = cache.matcher(7, urgentOnly);
    expect(cache.matcher(7, urgentOnly)).toBe(first);
    expect(cache.matcher(7, '{"event": "ticket.closed"}')).not.toBe(first);
    expect(cache.matcher(8, '{"data": {"$where": "1"}}')({ data: {} })).toBe(false);
  });
});
