/**
 * A bound on concurrent history scans. Each scan opens its own broker connection and reads a
 * whole partition, so a burst of history requests must not open a connection each: the ones
 * beyond the bound wait, first come first served, until a scan ends or their signal aborts.
 */
export class ScanSlots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`ScanSlots: limit ${limit} is not a positive integer`);
    }
    this.#free = limit;
  }

  /** Scans waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Resolves with the slot's release function; rejects with the signal's reason on abort. */
  async acquire(signal: AbortSignal): Promise<() => void> {
    signal.throwIfAborted();
    if (this.#free > 0) {
      this.#free--;
      return this.#releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(grant);
        if (index !== -1) this.#waiting.splice(index, 1);
        reject(signal.reason);
      };
      this.#waiting.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    return this.#releaser();
  }

  /** Hands the slot to the next waiter, or frees it; a second call does nothing. */
  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next === undefined) this.#free++;
      else next();
    };
  }
}
