import { sqlValue, utcDatetime } from './sql';

describe('utcDatetime', () => {
  it('writes UTC with milliseconds, and each date its own text when dates alternate', () => {
    const a = new Date('2026-03-04T05:06:07.089Z');
    const b = new Date('2026-03-04T05:06:07.090Z');
    expect(utcDatetime(a)).toBe('2026-03-04 05:06:07.089');
    expect(utcDatetime(new Date(a))).toBe('2026-03-04 05:06:07.089');
    expect(utcDatetime(b)).toBe('2026-03-04 05:06:07.090');
    expect(utcDatetime(a)).toBe('2026-03-04 05:06:07.089');
    expect(sqlValue(b)).toBe('2026-03-04 05:06:07.090');
  });

  it('still refuses an invalid date', () => {
    expect(() => utcDatetime(new Date('not a date'))).toThrow(RangeError);
    expect(() => utcDatetime(new Date(NaN))).toThrow(RangeError);
  });
});
