// The reconcile loop for every ImageRepository of the workspace: what starts a reconcile (a new object, a new
// generation, a new requestedAt value, the requeue timer), backoff after failures, nothing for Stalled or
// suspended objects, cancellation of superseded runs (flux-behaviour.md §3). Shared by the extension and the CLI.
import { getCondition, isStalled } from '../../../common/flux/conditions';
import { getIntervalMs, getTimeoutMs } from '../../../common/flux/duration';
import { FailedReason } from '../../../common/flux/reasons';
import { retryDelayMs } from '../../../common/flux/scheduling';
import type { FluxEvent, ImageRepositoryObject, ImageRepositoryStatus, WorkspaceObjects } from '../../../common/model';
import { objectKey } from '../../../common/model';
import type { ObjectStatus } from '../../../common/protocol';
import type { CredentialContext } from '../registry';
import type { TagStore } from '../store';
import { reconcile, type ReconcileResult } from './reconcile';
import { ScanQueue } from './scan-queue';
import { newEntry, requestedAtOf, shareKey, type Entry, type Run, type Waiter } from './entry';
import { realScheduler, ReconcileCancelled, type RegistryApi, type Scheduler } from './types';
import { errorMessage } from '../../../common/errors';

export interface ReconcilerOptions {
  store: TagStore;
  credentials: CredentialContext;
  /** Listings running at once against one registry host. */
  concurrencyPerHost?: number;
  /** Scan at least this often locally, whatever spec.interval says (the editor's freshness cap). */
  maxIntervalMs?: number;
  clock?: () => number;
  scheduler?: Scheduler;
  /** Defaults to client/src/registry. */
  registry?: RegistryApi;
  /** Events kept per object for describe views. */
  eventHistory?: number;
}

export interface Disposable { dispose(): void }

const MIN_REQUEUE_MS = 1000;

const EMPTY_WORKSPACE: WorkspaceObjects = { imageRepositories: [], secrets: [], serviceAccounts: [] };

export class Reconciler {
  readonly queue: ScanQueue;
  private readonly entries = new Map<string, Entry>();
  private workspace: WorkspaceObjects = EMPTY_WORKSPACE;
  private readonly statusListeners = new Set<(s: ObjectStatus) => void>();
  private readonly eventListeners = new Set<(e: FluxEvent) => void>();
  private readonly removedListeners = new Set<(key: string) => void>();
  private idleWaiters: (() => void)[] = [];
  private disposed = false;
  private registryApi: RegistryApi | undefined;

  constructor(private readonly options: ReconcilerOptions) {
    this.queue = new ScanQueue(options.concurrencyPerHost ?? 4);
    this.registryApi = options.registry;
  }

  /** A new workspace index: new objects and new generations reconcile now, removed objects are cancelled. */
  update(objects: WorkspaceObjects): void {
    if (this.disposed) return;
    this.workspace = objects;
    const seen = new Set<string>();
    for (const object of objects.imageRepositories) {
      const key = objectKey(object.metadata);
      if (seen.has(key)) continue; // a duplicate in the workspace: the first one wins, as `kubectl apply` would fail
      seen.add(key);
      const entry = this.entries.get(key);
      if (!entry) this.add(key, object);
      else this.change(entry, object);
    }
    for (const [key, entry] of this.entries) if (!seen.has(key)) this.remove(entry);
  }

  /**
   * Like writing a new `reconcile.fluxcd.io/requestedAt` value; resolves when that reconcile is done. When
   * `signal` aborts it resolves at once and the request is withdrawn: a run only it asked for is aborted and the
   * object is left as if the request had never been made (status, requestedAt, requeue timer).
   */
  requestReconcile(key?: string, signal?: AbortSignal): Promise<void> {
    if (this.disposed || signal?.aborted) return Promise.resolve();
    const targets = key === undefined ? [...this.entries.values()] : [this.entries.get(key)].filter((e): e is Entry => !!e);
    const token = new Date(this.now()).toISOString();
    return Promise.all(
      targets.map((entry) => new Promise<void>((resolve) => {
        const onAbort = () => this.withdraw(entry, waiter);
        const waiter: Waiter = {
          upTo: ++entry.requested,
          token,
          replaced: entry.requestedOverride,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        entry.requestedOverride = token;
        entry.waiters.push(waiter);
        signal?.addEventListener('abort', onAbort, { once: true });
        this.kick(entry, false, true);
      })),
    ).then(() => undefined);
  }

  /**
   * Forgets every stored tag (in every process sharing the file) and reconciles all objects now, like a
   * controller restarted on empty storage: each rescans with `no tags in database`.
   */
  async clearDatabase(): Promise<void> {
    this.options.store.clear();
    await this.options.store.flush();
    for (const entry of this.entries.values()) this.kick(entry, false);
    await this.whenIdle();
  }

  status(key: string): ImageRepositoryStatus | undefined {
    return this.entries.get(key)?.status;
  }

  statuses(): ObjectStatus[] {
    return [...this.entries.values()].map((e) => this.objectStatus(e));
  }

  events(key: string): FluxEvent[] {
    return [...(this.entries.get(key)?.events ?? [])];
  }

  /** Every tag stored for the image, before exclusion, or null when never scanned. */
  storedTags(canonicalImageName: string): string[] | null {
    return this.options.store.imageTags(canonicalImageName);
  }

  onStatus(listener: (s: ObjectStatus) => void): Disposable {
    this.statusListeners.add(listener);
    return { dispose: () => this.statusListeners.delete(listener) };
  }

  onEvent(listener: (e: FluxEvent) => void): Disposable {
    this.eventListeners.add(listener);
    return { dispose: () => this.eventListeners.delete(listener) };
  }

  /** An object left the workspace: its status is gone. */
  onRemoved(listener: (key: string) => void): Disposable {
    this.removedListeners.add(listener);
    return { dispose: () => this.removedListeners.delete(listener) };
  }

  /** Resolves when no reconcile is running (requeue timers may still be pending). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const running: Promise<void>[] = [];
    for (const entry of this.entries.values()) {
      this.clearTimer(entry);
      if (entry.running) {
        entry.running.cancel.abort(new ReconcileCancelled());
        running.push(entry.running.done);
      }
    }
    await Promise.all(running);
    // Nobody waits forever for a rescan that will not happen now.
    for (const entry of this.entries.values()) {
      for (const w of entry.waiters.splice(0)) w.resolve();
    }
    await this.options.store.flush();
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  private get scheduler(): Scheduler {
    return this.options.scheduler ?? realScheduler;
  }

  private async registry(): Promise<RegistryApi> {
    // Loaded on first use so the pure parts (and their tests) do not pull in undici and the credential chain.
    this.registryApi ??= (await import('../registry')) as RegistryApi;
    return this.registryApi;
  }

  private add(key: string, object: ImageRepositoryObject): void {
    const entry = newEntry(key, object, this.options.store.object(key));
    this.entries.set(key, entry);
    this.kick(entry, false);
  }

  private change(entry: Entry, object: ImageRepositoryObject): void {
    const previous = entry.object;
    entry.object = object;
    const newGeneration = previous.specHash !== object.specHash;
    const newRequest = requestedAtOf(previous) !== requestedAtOf(object);
    if (newRequest) entry.requestedOverride = undefined;
    if (newGeneration) {
      entry.generation++;
      entry.failures = 0;
    }
    if (newGeneration || newRequest) this.kick(entry, newGeneration);
  }

  private remove(entry: Entry): void {
    entry.removed = true;
    this.clearTimer(entry);
    entry.running?.cancel.abort(new ReconcileCancelled());
    this.entries.delete(entry.key);
    for (const w of entry.waiters.splice(0)) w.resolve();
    for (const l of this.removedListeners) l(entry.key);
  }

  /**
   * Starts a reconcile now, or right after the running one (cancelling it when its spec is outdated).
   * `forRequest`: only a rescan request asks for it, so withdrawing the request may call it off.
   */
  private kick(entry: Entry, cancelRunning: boolean, forRequest = false): void {
    if (this.disposed || entry.removed) return;
    const dueAt = this.clearTimer(entry);
    if (entry.running) {
      entry.againForRequestsOnly = forRequest && (entry.againForRequestsOnly || !entry.again);
      entry.again = true;
      if (cancelRunning) entry.running.cancel.abort(new ReconcileCancelled());
      return;
    }
    const run = this.newRun(entry, forRequest, dueAt);
    run.done = this.runLoop(entry);
  }

  private newRun(entry: Entry, forRequestsOnly: boolean, resumeAt: number | undefined): Run {
    const run: Run = { cancel: new AbortController(), done: Promise.resolve(), serving: entry.requested, forRequestsOnly, resumeAt };
    entry.running = run;
    return run;
  }

  /**
   * A rescan request was cancelled: it resolves now; the run serving it is aborted when nothing else wants that
   * run, or the rerun it queued is dropped.
   */
  private withdraw(entry: Entry, waiter: Waiter): void {
    const i = entry.waiters.indexOf(waiter);
    if (i < 0) return; // already served
    entry.waiters.splice(i, 1);
    waiter.resolve();
    const others = entry.waiters;
    if (entry.requestedOverride === waiter.token && !others.some((w) => w.token === waiter.token)) {
      entry.requestedOverride = waiter.replaced;
    }
    const run = entry.running;
    if (!run || entry.removed) return;
    if (run.serving >= waiter.upTo) {
      if (run.forRequestsOnly && !run.withdrawn && !others.some((w) => w.upTo <= run.serving)) {
        run.withdrawn = true;
        run.cancel.abort(new ReconcileCancelled());
      }
    } else if (entry.again && entry.againForRequestsOnly && others.length === 0) {
      entry.again = false;
      entry.againForRequestsOnly = false;
    }
  }

  private async runLoop(entry: Entry): Promise<void> {
    for (;;) {
      const run = entry.running!;
      entry.again = false;
      entry.againForRequestsOnly = false;
      const before = entry.status;
      try {
        await this.reconcileOnce(entry, run.cancel.signal);
      } catch (err) {
        // A bug, not a registry failure: report it like the controller's `Failed` and retry with backoff.
        this.emitEvent(entry, 'Warning', FailedReason, errorMessage(err));
        entry.failures++;
        this.schedule(entry, retryDelayMs(entry.failures));
      }
      if (!run.cancel.signal.aborted || entry.removed) {
        entry.served = Math.max(entry.served, run.serving);
        entry.waiters = entry.waiters.filter((w) => (w.upTo <= entry.served ? (w.resolve(), false) : true));
      }
      if (run.withdrawn && !entry.removed && !this.disposed) this.putBack(entry, before, run.resumeAt);
      if (!entry.again || entry.removed || this.disposed) break;
      const dueAt = this.clearTimer(entry);
      this.newRun(entry, entry.againForRequestsOnly, dueAt).done = run.done;
    }
    entry.running = undefined;
    if (entry.scanning) {
      entry.scanning = false;
      if (!entry.removed) this.emitStatus(entry);
    }
    if (this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async reconcileOnce(entry: Entry, cancel: AbortSignal): Promise<void> {
    const { object } = entry;
    const requestedAt = entry.requestedOverride ?? requestedAtOf(object);
    if (object.spec.suspend) {
      this.recordSuspended(entry, requestedAt);
      return;
    }
    let result: ReconcileResult;
    try {
      const registry = await this.registry();
      result = await reconcile({
        object,
        generation: entry.generation,
        status: entry.status,
        requestedAt,
        intervalMs: this.intervalMs(object),
        timeoutMs: getTimeoutMs(object.spec),
        workspace: this.workspace,
        credentials: this.options.credentials,
        registry,
        store: this.options.store,
        cancel,
        now: () => this.now(),
        list: (reference, scanOptions, signal) =>
          this.queue.list(
            { host: reference.registry, canonicalImageName: reference.canonicalImageName, shareKey: shareKey(object), signal },
            (shared) => registry.listTags(reference, scanOptions, shared),
          ),
        patch: (status, scanning) => {
          if (cancel.aborted) return;
          entry.status = status;
          entry.scanning = scanning;
          this.emitStatus(entry);
        },
      });
    } catch (err) {
      if (err instanceof ReconcileCancelled || cancel.aborted) return;
      throw err;
    }
    if (cancel.aborted) return;
    entry.status = result.status;
    entry.scanning = false;
    this.persist(entry, result);
    this.emitStatus(entry);
    this.emitEvent(entry, result.event.type, result.event.reason, result.event.message);
    this.requeue(entry, result);
  }

  /** After a withdrawn run: the status it started from, and the requeue timer the request cut short. */
  private putBack(entry: Entry, status: ImageRepositoryStatus, resumeAt: number | undefined): void {
    entry.status = status;
    entry.scanning = false;
    this.emitStatus(entry);
    if (resumeAt !== undefined) this.schedule(entry, resumeAt - this.now());
  }

  /** A suspended object is left alone; only the handled request (and the generation, when settled) is recorded. */
  private recordSuspended(entry: Entry, requestedAt: string | undefined): void {
    const status = structuredClone(entry.status);
    if (requestedAt !== undefined) status.lastHandledReconcileAt = requestedAt;
    if (getCondition(status, 'Ready')?.status === 'True' || isStalled(status)) status.observedGeneration = entry.generation;
    if (JSON.stringify(status) !== JSON.stringify(entry.status)) {
      entry.status = status;
      this.persist(entry, undefined);
    }
    // Emitted even when unchanged, so views learn about a suspended object they have never seen.
    this.emitStatus(entry);
  }

  private persist(entry: Entry, result: ReconcileResult | undefined): void {
    try {
      this.options.store.putObject({
        key: entry.key,
        specHash: entry.object.specHash,
        generation: entry.generation,
        status: entry.status,
        tags: result?.scanned?.tags,
      });
    } catch (err) {
      // The status still reaches the editor; only its persistence failed (Flux: a failed status patch).
      this.emitEvent(entry, 'Warning', FailedReason, `failed to persist status: ${errorMessage(err)}`);
    }
  }

  private requeue(entry: Entry, result: ReconcileResult): void {
    switch (result.outcome.kind) {
      case 'success':
        entry.failures = 0;
        // controller-runtime treats RequeueAfter 0 (`interval: 0s`) as "no requeue". Shorter intervals are
        // floored at a second: a cluster controller may poll that fast, an editor should not.
        if (result.outcome.requeueAfterMs > 0) this.schedule(entry, Math.max(MIN_REQUEUE_MS, result.outcome.requeueAfterMs));
        break;
      case 'error':
        entry.failures++;
        this.schedule(entry, retryDelayMs(entry.failures));
        break;
      case 'stalled':
        entry.failures = 0; // nothing until the spec (or requestedAt) changes
        break;
    }
  }

  private schedule(entry: Entry, ms: number): void {
    this.clearTimer(entry);
    if (this.disposed || entry.removed) return;
    entry.timerDueAt = this.now() + Math.max(0, ms);
    entry.timer = this.scheduler.setTimeout(() => {
      entry.timer = undefined;
      this.kick(entry, false);
    }, Math.max(0, ms));
  }

  /** Returns when the cleared timer was due (clock ms), if one was pending. */
  private clearTimer(entry: Entry): number | undefined {
    if (entry.timer === undefined) return undefined;
    this.scheduler.clearTimeout(entry.timer);
    entry.timer = undefined;
    return entry.timerDueAt;
  }

  private intervalMs(object: ImageRepositoryObject): number {
    const interval = getIntervalMs(object.spec);
    return this.options.maxIntervalMs !== undefined ? Math.min(interval, this.options.maxIntervalMs) : interval;
  }

  private isIdle(): boolean {
    for (const entry of this.entries.values()) if (entry.running) return false;
    return true;
  }

  private objectStatus(entry: Entry): ObjectStatus {
    return { key: entry.key, uri: entry.object.source?.uri ?? '', status: entry.status, scanning: entry.scanning };
  }

  private emitStatus(entry: Entry): void {
    const s = this.objectStatus(entry);
    for (const l of this.statusListeners) l(s);
  }

  private emitEvent(entry: Entry, type: FluxEvent['type'], reason: string, message: string): void {
    const event: FluxEvent = {
      type,
      reason,
      message,
      timestamp: new Date(this.now()).toISOString(),
      involvedObject: { kind: 'ImageRepository', namespace: entry.object.metadata.namespace, name: entry.object.metadata.name },
    };
    entry.events.push(event);
    const keep = this.options.eventHistory ?? 50;
    if (entry.events.length > keep) entry.events.splice(0, entry.events.length - keep);
    for (const l of this.eventListeners) l(event);
  }
}
