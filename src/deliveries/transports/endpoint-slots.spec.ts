import { EndpointSlots } from './endpoint-slots';

describe('EndpointSlots', () => {
  afterEach(() => jest.useRealTimers());

  it('gives each webhook its own bound', async () => {
    const slots = new EndpointSlots(2, 0);
    expect(await slots.take(1, 100)).toBe(true);
    expect(await slots.take(1, 100)).toBe(true);
    // No waiting allowed: the third job of webhook 1 is refused at once; webhook 2 is not held up.
    expect(await slots.take(1, 100)).toBe(false);
    expect(await slots.take(2, 100)).toBe(true);
    expect(slots.inFlight(1)).toBe(2);
    slots.release(1);
    expect(slots.inFlight(1)).toBe(1);
    expect(await slots.take(1, 100)).toBe(true);
  });

  it('hands a freed slot to the first job waiting, in turn', async () => {
    const slots = new EndpointSlots(1, 2);
    expect(await slots.take(7, 1000)).toBe(true);
    const order: string[] = [];
    const a = slots.take(7, 1000).then((got) => order.push(`a:${got}`));
    const b = slots.take(7, 1000).then((got) => order.push(`b:${got}`));
    slots.release(7);
    await a;
    expect(order).toEqual(['a:true']);
    // The slot passed from the first holder to a: still one held.
    expect(slots.inFlight(7)).toBe(1);
    slots.release(7);
    await b;
    expect(order).toEqual(['a:true', 'b:true']);
    slots.release(7);
    expect(slots.inFlight(7)).toBe(0);
  });

  it('refuses a job past the waiting bound, and one that waited too long', async () => {
    jest.useFakeTimers();
    const slots = new EndpointSlots(1, 1);
    expect(await slots.take(3, 250)).toBe(true);
    const waiting = slots.take(3, 250);
    // One waits already: the next is refused at once, to be put back in the queue by its worker.
    expect(await slots.take(3, 250)).toBe(false);
    jest.advanceTimersByTime(250);
    expect(await waiting).toBe(false);
    // The job that gave up is not handed the slot later: it goes back to the holder's release.
    slots.release(3);
    expect(slots.inFlight(3)).toBe(0);
    expect(await slots.take(3, 250)).toBe(true);
  });
});

describe('EndpointSlots.busyDelayMs', () => {
  it("follows the webhook's recent request times, within its bounds", async () => {
    const slots = new EndpointSlots(4, 4);
    expect(slots.busyDelayMs(1, 250, 10_000)).toBe(250);
    for (let i = 0; i < 20; i++) {
      await slots.take(1, 0);
      slots.release(1, 3000);
      await slots.take(2, 0);
      slots.release(2, 5);
    }
    // A webhook hanging to a 3 s timeout: its jobs stay away about that long.
    expect(slots.busyDelayMs(1, 250, 10_000)).toBeGreaterThan(2900);
    expect(slots.busyDelayMs(1, 250, 2000)).toBe(2000);
    // A fast one: the minimum.
    expect(slots.busyDelayMs(2, 250, 10_000)).toBe(250);
  });
});
