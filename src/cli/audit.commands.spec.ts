import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_ACTIONS } from '../audit/audit-actions';
import { parseAction, parseSince } from './audit.commands';

describe('audit:list options', () => {
  const now = Date.parse('2024-01-15T12:00:00Z');

  it('--since takes a time ago (10m, 2h, 1d, 1w) or an ISO 8601 time', () => {
    expect(parseSince('10m', now)).toBe('2024-01-15T11:50:00.000Z');
    expect(parseSince('2h', now)).toBe('2024-01-15T10:00:00.000Z');
    expect(parseSince('1d', now)).toBe('2024-01-14T12:00:00.000Z');
    expect(parseSince('1w', now)).toBe('2024-01-08T12:00:00.000Z');
    expect(parseSince('2024-01-15T10:30:00Z', now)).toBe('2024-01-15T10:30:00Z');
    expect(parseSince('2024-01-15', now)).toBe('2024-01-15');
  });

  it('--since refuses anything else, naming the option and the forms it takes', () => {
    for (const bad of ['nope', '10', '2x', '-1h', 'yesterday', '2024-13-45'])
      expect(() => parseSince(bad, now)).toThrow(
        /^--since must be a time ago \(10m, 2h, 1d, 1w\) or an ISO 8601 time/,
      );
  });

  it('--action takes only a recorded action, and its error lists them all', () => {
    expect(parseAction('webhook.update')).toBe('webhook.update');
    expect(() => parseAction('webhook.updated')).toThrow(
      `--action must be one of: ${AUDIT_ACTIONS.join(', ')}; got "webhook.updated"`,
    );
  });

  it('the CLI reference lists the same actions', () => {
    const docs = readFileSync(join(__dirname, '../../docs/operations.md'), 'utf8');
    const listed = docs.slice(docs.indexOf('`--action` takes one of the actions recorded'));
    expect([...listed.matchAll(/`([a-z_]+\.[a-z_]+)`/g)].map((m) => m[1])).toEqual([
      ...AUDIT_ACTIONS,
    ]);
  });
});
