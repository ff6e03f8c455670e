import { Wake, WakeAt } from './wake';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('Wake', () => {
  it('runs once for the wakes of one turn of the event loop', async () => {
    let runs = 0;
    const wake = new Wake(() => (runs += 1));
    wake.wake();
    wake.wake();
    wake.wake();
    expect(runs).toBe(0);
    await turn();
    await turn();
    expect(runs).toBe(1);
  });

  it('runs once more after a run in progress when woken during it, never two at once', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    let release!: () => void;
    const wake = new Wake(async () => {
      running += 1;
      most = Math.max(most, running);
      runs += 1;
      await new Promise<void>((resolve) => (release = resolve));
      running -= 1;
    });
    wake.wake();
    await turn();
    wake.wake();
    wake.wake();
    await turn();
    release();
    await turn();
    expect(runs).toBe(2);
    release();
    await turn();
    await turn();
    expect(runs).toBe(2);
    expect(most).toBe(1);
  });

  it('hands an error to onError and runs again on the next wake', async () => {
    const errors: string[] = [];
    let runs = 0;
    const wake = new Wake(
      () => {
        runs += 1;
        throw new Error(`boom ${runs}`);
      },
      (e) => errors.push(e.message),
    );
    wake.wake();
    await turn();
    await turn();
    wake.wake();
    await turn();
    await turn();
    expect(errors).toEqual(['boom 1', 'boom 2']);
  });

  it('stop() waits for the run in progress and ignores later wakes', async () => {
    let release!: () => void;
    let runs = 0;
    const wake = new Wake(async () => {
      runs += 1;
      await new Promise<void>((resolve) => (release = resolve));
    });
    wake.wake();
    await turn();
    let stopped = false;
    const stopping = wake.stop().then(() => (stopped = true));
    await turn();
    expect(stopped).toBe(false);
    release();
    await stopping;
    wake.wake();
    await turn();
    await turn();
    expect(runs).toBe(1);
  });
});

describe('WakeAt', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('runs once at the earliest time it was asked for, and a later ask does not move it', () => {
    const runs: number[] = [];
    const at = new WakeAt(() => runs.push(Date.now()));
    at.by(1_000_500);
    at.by(1_000_200);
    at.by(1_000_900);
    jest.advanceTimersByTime(1_000);
    expect(runs).toEqual([1_000_200]);
  });

  it('never runs before its time, even when the timer fires a millisecond early (as Node timers may)', () => {
    const runs: number[] = [];
    const at = new WakeAt(() => runs.push(Date.now()));
    at.by(1_000_500);
    // The clock is set 1 ms back: the timer, due 500 ms on, fires when Date.now() is 1_000_499.
    jest.setSystemTime(999_999);
    jest.advanceTimersByTime(500);
    expect(runs).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(runs).toEqual([1_000_500]);
  });

  it('can be asked again once it ran, and cancel drops the run', () => {
    const runs: number[] = [];
    const at = new WakeAt(() => runs.push(Date.now()));
    at.by(1_000_100);
    jest.advanceTimersByTime(100);
    at.by(1_000_300);
    at.cancel();
    jest.advanceTimersByTime(1_000);
    at.by(1_000_000);
    jest.advanceTimersByTime(0);
    expect(runs).toEqual([1_000_100, 1_001_100]);
  });
});
