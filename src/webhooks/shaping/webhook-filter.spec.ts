import {
  compileFilter,
  FILTER_LIMITS,
  filterMatches,
  filterProblem,
  translateFilter,
} from './webhook-filter';

const event = (data: Record<string, unknown>, name = 'ticket.created') => ({
  event: name,
  timestamp: '2024-01-15T10:30:00Z',
  data,
});

describe('webhook filters (Convoy/Outpost syntax)', () => {
  const urgent = event({ ticket_id: 1, priority: 'urgent', department_id: 5, title: 'Down' });
  const low = event({ ticket_id: 2, priority: 'low', department_id: null, title: 'Typo' });

  it.each([
    [{ data: { priority: 'urgent' } }, true, false],
    [{ data: { priority: { $in: ['high', 'urgent'] } } }, true, false],
    [{ data: { priority: { $nin: ['high', 'urgent'] } } }, false, true],
    [{ data: { priority: { $neq: 'low' } } }, true, false],
    [{ data: { priority: { $eq: 'low' } } }, false, true],
    [{ data: { ticket_id: { $gt: 1 } } }, false, true],
    [{ data: { ticket_id: { $gte: 1, $lte: 1 } } }, true, false],
    [{ data: { ticket_id: { $lt: 2 } } }, true, false],
    [{ data: { department_id: null } }, false, true],
    [{ data: { department_id: { $exist: true } } }, true, true],
    [{ data: { assigned_user_id: { $exist: false } } }, true, true],
    [{ data: { priority: { $not: { $eq: 'low' } } } }, true, false],
    [{ $not: { data: { priority: 'low' } } }, true, false],
    [{ $or: [{ data: { priority: 'low' } }, { data: { ticket_id: 1 } }] }, true, true],
    [{ $and: [{ data: { priority: 'low' } }, { data: { ticket_id: 1 } }] }, false, false],
    [{ data: { $or: [{ priority: 'urgent' }, { title: 'Typo' }] } }, true, true],
    [{ event: 'ticket.created', data: { priority: 'urgent', department_id: 5 } }, true, false],
    [{ event: 'ticket.updated' }, false, false],
    [{}, true, true],
  ])('%j keeps urgent: %s, low: %s', (filter, keepsUrgent, keepsLow) => {
    expect(filterProblem(filter)).toBeNull();
    const matches = compileFilter(filter);
    expect(matches(urgent)).toBe(keepsUrgent);
    expect(matches(low)).toBe(keepsLow);
  });

  it('translates into one query over dotted paths, with $and only where keys repeat', () => {
    expect(
      translateFilter({
        event: 'ticket.created',
        data: { priority: { $neq: 'low' }, x: { $exist: true } },
      }),
    ).toEqual({
      event: { $eq: 'ticket.created' },
      'data.priority': { $ne: 'low' },
      'data.x': { $exists: true },
    });
    expect(translateFilter({ $or: [{ a: 1 }], data: { $or: [{ b: 2 }] } })).toEqual({
      $and: [{ $or: [{ a: { $eq: 1 } }] }, { $or: [{ 'data.b': { $eq: 2 } }] }],
    });
  });

  it('keeps every event without a filter', () => {
    expect(filterMatches(null, low)).toBe(true);
    expect(filterMatches(undefined, urgent)).toBe(true);
  });

  it.each([
    [[], /filter must be a JSON object/],
    ['x', /filter must be a JSON object/],
    [{ data: { priority: { $regex: 'urg' } } }, /unknown operator \$regex/],
    [{ $where: 'true' }, /filter\.\$where: unknown operator/],
    [{ data: { $expr: { a: 1 } } }, /filter\.data\.\$expr: unknown operator/],
    [{ data: { priority: { $in: 'urgent' } } }, /filter\.data\.priority\.\$in must be an array/],
    [{ data: { priority: { $in: [{ a: 1 }] } } }, /\$in\[0\] must be a string/],
    [{ data: { ticket_id: { $gt: true } } }, /\$gt must be a number or a string/],
    [{ data: { ticket_id: { $exist: 1 } } }, /\$exist must be true or false/],
    [{ $or: [] }, /filter\.\$or must be a non-empty array/],
    [{ $and: {} }, /filter\.\$and must be a non-empty array/],
    [{ data: { __proto__x: 1, constructor: 1 } }, /not a usable field name/],
    [{ data: { priority: { $in: ['a'], other: 1 } } }, /unknown operator \$in/],
  ])('refuses %j', (filter, message) => {
    expect(filterProblem(filter)).toMatch(message);
  });

  it('refuses filters deeper, larger or with more nodes than the limits', () => {
    let deep: Record<string, unknown> = { x: 1 };
    for (let i = 0; i < FILTER_LIMITS.depth; i++) deep = { a: deep };
    expect(filterProblem(deep)).toMatch(/nested deeper than/);
    const large = { data: { title: { $in: Array.from({ length: 200 }, () => 'y'.repeat(100)) } } };
    expect(filterProblem(large)).toMatch(/larger than 16384 bytes/);
    const list = { data: { ticket_id: { $in: Array.from({ length: 300 }, (_, i) => i) } } };
    expect(filterProblem(list)).toMatch(/at most 256 values/);
    const wide = { $or: Array.from({ length: 600 }, (_, i) => ({ [`f${i}`]: i })) };
    expect(filterProblem(wide)).toMatch(/more than 500 keys/);
  });
});
