import { Wake } from './wake';

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
