// When each object is reconciled, in the words of controller-runtime's work queue (k8s.io/client-go
// util/workqueue queue.go `Add`/`Get`/`Done`, delaying_queue.go `AddAfter`): an object is *processing* while one
// reconcile of it runs; added again meanwhile, it is marked *dirty* and reconciled once more when that run is
// done, never twice at once; *requeue* (AddAfter) adds it again when a timer fires. Rescan requests (a local
// `reconcile.fluxcd.io/requestedAt`) wait here for the reconcile that serves them; a cancelled request is
// withdrawn, and a reconcile that only cancelled requests wanted is aborted and its object put back.
import type { Scheduler } from './types';
import { ReconcileCancelled } from './types';

/** The reconcile of one object that is running now (the item in the queue's `processing` set). */
export interface Processing {
  cancel: AbortController;
  done: Promise<void>;
  /** The requests made before this reconcile started; it serves them. */
  serving: number;
  /** Started only because of rescan requests, so cancelling them may abort it. */
  forRequestsOnly: boolean;
  /** When the requeue timer this reconcile cut short was due (clock ms), restored if it is withdrawn. */
  resumeAt: number | undefined;
  /** Aborted because every request it served was cancelled: put the object back as it was. */
  withdrawn?: boolean;
}

/** One pending rescan request for one object. */
export interface Waiter {
  upTo: number;
  resolve: () => void;
  /** The requestedAt token this request set, and the one it replaced (restored if it is cancelled). */
  token: string;
  replaced: string | undefined;
}

/** What the queue keeps per object. */
export interface QueueItem {
  processing?: Processing;
  /** Added while processing: reconcile again when the running reconcile is done. */
  dirty: boolean;
  /** The pending `dirty` was asked for by rescan requests only (no new generation, timer or restart). */
  dirtyForRequestsOnly: boolean;
  /** Requests counted up; a reconcile serves the requests made before it started. */
  requested: number;
  served: number;
  waiters: Waiter[];
  /** A local rescan request, standing in for a newer requestedAt annotation value. */
  requestedOverride?: string;
  timer?: unknown;
  /** When the requeue timer is due (clock ms), so a cancelled rescan can put the schedule back. */
  timerDueAt?: number;
  removed: boolean;
}

export interface WorkQueueOptions<T extends QueueItem, Snapshot> {
  scheduler: Scheduler;
  /** Milliseconds since the epoch. */
  now(): number;
  /** Every item the queue may hold (for shutDown and idleness). */
  items(): Iterable<T>;
  /** One reconcile of `item`; never throws. `signal` aborts when the reconcile is superseded or withdrawn. */
  reconcile(item: T, signal: AbortSignal): Promise<void>;
  /** Taken before each reconcile: what `putBack` restores if the reconcile is withdrawn. */
  snapshot(item: T): Snapshot;
  /** A withdrawn reconcile ended: show `item` as it was before it (the queue restores the requeue timer). */
  putBack(item: T, before: Snapshot): void;
  /** The item left the processing set. */
  processed(item: T): void;
}

export class WorkQueue<T extends QueueItem, Snapshot> {
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: WorkQueueOptions<T, Snapshot>) {}

  /**
   * Reconciles `item` now, or right after the running reconcile (marking it dirty; aborting the running one
   * when `cancelProcessing`, because its spec is outdated). `forRequest`: only a rescan request asks for it, so
   * withdrawing the request may call it off.
   */
  add(item: T, { cancelProcessing = false, forRequest = false } = {}): void {
    if (this.stopped || item.removed) return;
    const dueAt = this.clearTimer(item);
    if (item.processing) {
      item.dirtyForRequestsOnly = forRequest && (item.dirtyForRequestsOnly || !item.dirty);
      item.dirty = true;
      if (cancelProcessing) item.processing.cancel.abort(new ReconcileCancelled());
      return;
    }
    const processing = this.startProcessing(item, forRequest, dueAt);
    processing.done = this.process(item);
  }

  /** AddAfter: adds `item` again in `ms` milliseconds (replacing a pending requeue). */
  requeueAfter(item: T, ms: number): void {
    this.clearTimer(item);
    if (this.stopped || item.removed) return;
    item.timerDueAt = this.options.now() + Math.max(0, ms);
    item.timer = this.options.scheduler.setTimeout(() => {
      item.timer = undefined;
      this.add(item);
    }, Math.max(0, ms));
  }

  /**
   * A rescan request (`token` is its requestedAt value); resolves when the reconcile that serves it is done.
   * When `signal` aborts it resolves at once and the request is withdrawn.
   */
  request(item: T, token: string, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const onAbort = () => this.withdraw(item, waiter);
      const waiter: Waiter = {
        upTo: ++item.requested,
        token,
        replaced: item.requestedOverride,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      item.requestedOverride = token;
      item.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.add(item, { forRequest: true });
    });
  }

  /** The object is gone: no requeue, its running reconcile is aborted and its requests resolve. */
  forget(item: T): void {
    item.removed = true;
    this.clearTimer(item);
    item.processing?.cancel.abort(new ReconcileCancelled());
  }

  /** Resolves every pending request of `item` (nobody waits for a reconcile that will not happen). */
  releaseWaiters(item: T): void {
    for (const w of item.waiters.splice(0)) w.resolve();
  }

  /** Stops adding, aborts every running reconcile and waits for them; pending requests resolve. */
  async shutDown(): Promise<void> {
    this.stopped = true;
    const running: Promise<void>[] = [];
    for (const item of this.options.items()) {
      this.clearTimer(item);
      if (item.processing) {
        item.processing.cancel.abort(new ReconcileCancelled());
        running.push(item.processing.done);
      }
    }
    await Promise.all(running);
    for (const item of this.options.items()) this.releaseWaiters(item);
  }

  /** Resolves when no reconcile is running (requeue timers may still be pending). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private startProcessing(item: T, forRequestsOnly: boolean, resumeAt: number | undefined): Processing {
    const processing: Processing = { cancel: new AbortController(), done: Promise.resolve(), serving: item.requested, forRequestsOnly, resumeAt };
    item.processing = processing;
    return processing;
  }

  /**
   * A rescan request was cancelled: it resolves now; the reconcile serving it is aborted when nothing else wants
   * that reconcile, or the dirty mark it set is dropped.
   */
  private withdraw(item: T, waiter: Waiter): void {
    const i = item.waiters.indexOf(waiter);
    if (i < 0) return; // already served
    item.waiters.splice(i, 1);
    waiter.resolve();
    const others = item.waiters;
    if (item.requestedOverride === waiter.token && !others.some((w) => w.token === waiter.token)) {
      item.requestedOverride = waiter.replaced;
    }
    const processing = item.processing;
    if (!processing || item.removed) return;
    if (processing.serving >= waiter.upTo) {
      if (processing.forRequestsOnly && !processing.withdrawn && !others.some((w) => w.upTo <= processing.serving)) {
        processing.withdrawn = true;
        processing.cancel.abort(new ReconcileCancelled());
      }
    } else if (item.dirty && item.dirtyForRequestsOnly && others.length === 0) {
      item.dirty = false;
      item.dirtyForRequestsOnly = false;
    }
  }

  /** Get ... Done: reconciles `item` until it is no longer dirty. */
  private async process(item: T): Promise<void> {
    for (;;) {
      const processing = item.processing!;
      item.dirty = false;
      item.dirtyForRequestsOnly = false;
      const before = this.options.snapshot(item);
      await this.options.reconcile(item, processing.cancel.signal);
      if (!processing.cancel.signal.aborted || item.removed) {
        item.served = Math.max(item.served, processing.serving);
        item.waiters = item.waiters.filter((w) => (w.upTo <= item.served ? (w.resolve(), false) : true));
      }
      if (processing.withdrawn && !item.removed && !this.stopped) {
        this.options.putBack(item, before);
        if (processing.resumeAt !== undefined) this.requeueAfter(item, processing.resumeAt - this.options.now());
      }
      if (!item.dirty || item.removed || this.stopped) break;
      const dueAt = this.clearTimer(item);
      this.startProcessing(item, item.dirtyForRequestsOnly, dueAt).done = processing.done;
    }
    item.processing = undefined;
    this.options.processed(item);
    if (this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Returns when the cleared timer was due (clock ms), if one was pending. */
  private clearTimer(item: T): number | undefined {
    if (item.timer === undefined) return undefined;
    this.options.scheduler.clearTimeout(item.timer);
    item.timer = undefined;
    return item.timerDueAt;
  }

  private isIdle(): boolean {
    for (const item of this.options.items()) if (item.processing) return false;
    return true;
  }
}
