import { Test } from '@nestjs/testing';
import { ThrottlerModule } from '@nestjs/throttler';
import { MemoryThrottlerStorage, SLOT_MS } from './memory-throttler-storage';

describe('MemoryThrottlerStorage', () => {
  const start = new Date('2026-01-01T00:00:00.000Z').getTime();
  let storage: MemoryThrottlerStorage;

  beforeEach(() => {
    jest.useFakeTimers({ now: start });
    storage = new MemoryThrottlerStorage();
  });

  afterEach(() => {
    storage.onApplicationShutdown();
    jest.useRealTimers();
  });

  const hit = (key = 'ip-a', limit = 3, blockDuration = 60_000) =>
    storage.increment(key, 60_000, limit, blockDuration);

  it('lets `limit` hits through, blocks the next for blockDuration, then starts a fresh window', async () => {
    for (let i = 1; i <= 3; i++) {
      expect(await hit()).toEqual({
        totalHits: i,
        timeToExpire: 60,
        isBlocked: false,
        timeToBlockExpire: 0,
      });
    }
    expect(await hit()).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 60 });
    jest.advanceTimersByTime(30_000);
    // Blocked hits are not counted, and the block runs from the hit that went over.
    expect(await hit()).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 30 });
    jest.advanceTimersByTime(30_000);
    expect(await hit()).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  });

  it('slides: hits leave the window one slot at a time, ttl (rounded up to a slot) after they came', async () => {
    await hit('ip-a', 3);
    jest.advanceTimersByTime(20_000);
    await hit('ip-a', 3);
    jest.advanceTimersByTime(20_000);
    expect(await hit('ip-a', 3)).toMatchObject({ totalHits: 3, timeToExpire: 20 });
    jest.advanceTimersByTime(20_000 + SLOT_MS);
    // The first hit has expired: room for exactly one more.
    expect(await hit('ip-a', 3)).toMatchObject({
      totalHits: 3,
      isBlocked: false,
      timeToExpire: 20,
    });
    expect(await hit('ip-a', 3)).toMatchObject({ isBlocked: true });
  });

  it('never answers more than the ttl, though a slot ends up to SLOT_MS after it', async () => {
    jest.advanceTimersByTime(SLOT_MS / 2);
    expect(await hit()).toMatchObject({ timeToExpire: 60 });
  });

  it('counts each key on its own', async () => {
    for (let i = 0; i < 4; i++) await hit('ip-a');
    expect(await hit('ip-b')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('without a block duration, refuses until the oldest hit leaves, without counting refusals', async () => {
    await hit('ip-a', 2, 0);
    jest.advanceTimersByTime(10_000);
    await hit('ip-a', 2, 0);
    expect(await hit('ip-a', 2, 0)).toMatchObject({ isBlocked: true, timeToBlockExpire: 50 });
    jest.advanceTimersByTime(50_000 + SLOT_MS);
    expect(await hit('ip-a', 2, 0)).toMatchObject({ totalHits: 2, isBlocked: false });
  });

  it('holds at most ttl / SLOT_MS slots per key however high the limit, and sweeps idle keys', async () => {
    const limit = 100_000_000;
    for (let i = 0; i < 3000; i++) {
      await hit('ip-a', limit);
      jest.advanceTimersByTime(50);
    }
    // 3,000 hits over 150 s, each live for 60 s: 1,200 of them in 600 slots.
    const window = (
      storage as unknown as { windows: Map<string, { expiries: number[]; head: number }> }
    ).windows.get('ip-a')!;
    expect(window.expiries.length - window.head).toBeLessThanOrEqual(60_000 / SLOT_MS + 1);
    expect((await hit('ip-a', limit)).totalHits).toBeGreaterThanOrEqual(1200);
    expect((await hit('ip-a', limit)).totalHits).toBeLessThanOrEqual(1203);
    expect(window.expiries.length).toBeLessThan(2 * (60_000 / SLOT_MS) + 40);
    await hit('ip-b', limit);
    storage.sweep(Date.now() + 60_000 + SLOT_MS);
    expect(storage.size).toBe(0);
  });

  it('is stopped with the app that uses it: its sweeper timer and counts go', async () => {
    const used = new MemoryThrottlerStorage();
    const stop = jest.spyOn(used, 'onApplicationShutdown');
    const app = await Test.createTestingModule({
      imports: [ThrottlerModule.forRoot({ throttlers: [{ limit: 1, ttl: 1000 }], storage: used })],
    }).compile();
    await app.init();
    await used.increment('ip-a', 1000, 1, 1000);
    expect(used.size).toBe(1);
    await app.close();
    expect(stop).toHaveBeenCalledTimes(1);
    expect(used.size).toBe(0);
  });
});
