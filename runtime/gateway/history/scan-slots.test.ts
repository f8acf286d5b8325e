import { describe, expect, it } from 'vitest';
import { ScanSlots } from './scan-slots.ts';

describe('ScanSlots', () => {
  it('lets the limit through at once and queues the rest in order', async () => {
    const slots = new ScanSlots(2);
    const signal = new AbortController().signal;
    const first = await slots.acquire(signal);
    const second = await slots.acquire(signal);
    const order: string[] = [];
    const third = slots.acquire(signal).then((release) => (order.push('third'), release));
    const fourth = slots.acquire(signal).then((release) => (order.push('fourth'), release));
    await Promise.resolve();
    expect(slots.waiting).toBe(2);
    expect(order).toEqual([]);

    first();
    first(); // a second release frees nothing more
    (await third)();
    expect(order).toEqual(['third']);
    second();
    (await fourth)();
    expect(order).toEqual(['third', 'fourth']);
    expect(slots.waiting).toBe(0);
  });

  it('rejects a waiter whose signal aborts and drops it from the queue', async () => {
    const slots = new ScanSlots(1);
    const held = await slots.acquire(new AbortController().signal);
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(slots.waiting).toBe(0);
    held();
    // The slot is free again, not handed to the aborted waiter.
    const next = await slots.acquire(new AbortController().signal);
    expect(slots.waiting).toBe(0);
    next();
  });

  it('rejects at once with an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already'));
    await expect(new ScanSlots(1).acquire(controller.signal)).rejects.toThrow('already');
  });

  it.each([0, -1, 1.5])('refuses a limit of %s', (limit) => {
    expect(() => new ScanSlots(limit)).toThrow(RangeError);
  });
});
