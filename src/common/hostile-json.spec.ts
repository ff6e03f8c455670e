import { findHostileValue, jsonDepth, MAX_JSON_DEPTH, verifyJsonBody } from './hostile-json';
import type { IncomingMessage, ServerResponse } from 'node:http';

const verify = (body: Buffer) => verifyJsonBody({} as IncomingMessage, {} as ServerResponse, body);

describe('hostile JSON', () => {
  it('measures nesting, ignoring brackets inside strings and escaped quotes', () => {
    expect(jsonDepth(Buffer.from('{"a":[1,{"b":2}]}'))).toBe(3);
    expect(jsonDepth(Buffer.from('{"a":"[[[[\\"{{{{"}'))).toBe(1);
    expect(jsonDepth(Buffer.from('[]'))).toBe(1);
    expect(jsonDepth(Buffer.from('42'))).toBe(0);
  });

  it('refuses bodies nested past the limit, and invalid UTF-8, with a 400', () => {
    const deep = Buffer.from('['.repeat(20_000) + ']'.repeat(20_000));
    expect(() => verify(deep)).toThrow(`nested deeper than the limit of ${MAX_JSON_DEPTH}`);
    const ok = Buffer.from('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH));
    expect(() => verify(ok)).not.toThrow();
    const badUtf8 = Buffer.concat([
      Buffer.from('{"title":"caf'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    expect(() => verify(badUtf8)).toThrow('Request body is not valid UTF-8');
    expect(() => verify(Buffer.from('{"title":"café ✓ 😀"}'))).not.toThrow();
  });

  it('names prototype keys and out-of-range numbers by their path', () => {
    expect(findHostileValue(JSON.parse('{"a":{"__proto__":{"x":1}}}'))).toEqual({
      field: 'a.__proto__',
      error: 'property __proto__ should not exist',
    });
    expect(findHostileValue({ constructor: { prototype: {} } })?.field).toBe('constructor');
    expect(findHostileValue(JSON.parse('{"n":1e400}'))?.error).toBe('n is a number out of range');
    expect(findHostileValue(JSON.parse('{"list":[1,2,99999999999999999999]}'))?.field).toBe(
      'list.2',
    );
    expect(findHostileValue({ a: 1.5, b: 'x', c: [true, null], d: 9007199254740991 })).toBeNull();
  });
});
