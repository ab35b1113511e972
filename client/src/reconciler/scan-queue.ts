// How many listings run at once: a bounded number per registry host, one listing per canonical image at a
// time, and objects that want the same image with the same credentials share one listing instead of each
// asking the registry (the shared listing is abandoned only when every object waiting on it has given up).

interface Shared {
  promise: Promise<string[]>;
  controller: AbortController;
  waiters: number;
}

export interface ListingRequest {
  host: string;
  canonicalImageName: string;
  /** Objects with equal keys would send the same credentials, so one listing serves them all. */
  shareKey: string;
  signal: AbortSignal;
}

export class ScanQueue {
  private readonly hostSlots = new Map<string, Semaphore>();
  private readonly imageLocks = new Map<string, Semaphore>();
  private readonly inFlight = new Map<string, Shared>();
  /** Listings actually started (shared ones count once); the tests and the benchmark read it. */
  listingsStarted = 0;

  constructor(readonly concurrencyPerHost: number) {}

  list(request: ListingRequest, run: (signal: AbortSignal) => Promise<string[]>): Promise<string[]> {
    const key = `${request.canonicalImageName}\u0000${request.shareKey}`;
    let shared = this.inFlight.get(key);
    if (!shared) {
      const controller = new AbortController();
      const image = getOrCreate(this.imageLocks, request.canonicalImageName, () => new Semaphore(1));
      const host = getOrCreate(this.hostSlots, request.host, () => new Semaphore(this.concurrencyPerHost));
      const promise = image.run(controller.signal, () =>
        host.run(controller.signal, () => {
          this.listingsStarted++;
          return run(controller.signal);
        }),
      );
      const entry: Shared = { promise, controller, waiters: 0 };
      shared = entry;
      this.inFlight.set(key, entry);
      promise.then(
        () => this.inFlight.get(key) === entry && this.inFlight.delete(key),
        () => this.inFlight.get(key) === entry && this.inFlight.delete(key),
      );
    }
    return this.join(key, shared, request.signal);
  }

  private join(key: string, shared: Shared, signal: AbortSignal): Promise<string[]> {
    shared.waiters++;
    return new Promise<string[]>((resolve, reject) => {
      const leave = () => {
        signal.removeEventListener('abort', onAbort);
        shared.waiters--;
      };
      const onAbort = () => {
        leave();
        if (shared.waiters > 0) return reject(signal.reason);
        // The last one waiting: stop the listing and report its own error, which names the request it cut short.
        shared.controller.abort(signal.reason);
        if (this.inFlight.get(key) === shared) this.inFlight.delete(key);
        shared.promise.then(() => reject(signal.reason), reject);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      shared.promise.then(
        (tags) => { leave(); resolve(tags); },
        (err: unknown) => { leave(); reject(err); },
      );
    });
  }
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/** A counting semaphore whose waiters leave the queue when their signal aborts. */
class Semaphore {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    await this.acquire(signal);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        const i = this.queue.indexOf(grant);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(grant);
    });
  }

  private release(): void {
    this.active--;
    this.queue.shift()?.();
  }
}
