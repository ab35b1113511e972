// The object table of the reconciler: every ImageRepository of the workspace with its status and events, what
// starts a reconcile (a new object, a new generation, a new requestedAt value), the requeue after success and
// the backoff after failures, nothing for Stalled or suspended objects, and the listeners that views and the
// CLI subscribe to. When each reconcile runs is the work queue's job (work-queue.ts). Shared by the extension
// and the CLI.
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
import { newEntry, requestedAtOf, shareKey, type Entry } from './entry';
import { realScheduler, ReconcileCancelled, type RegistryApi, type Scheduler } from './types';
import { WorkQueue } from './work-queue';
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
  private readonly work: WorkQueue<Entry, ImageRepositoryStatus>;
  private disposed = false;
  private registryApi: RegistryApi | undefined;

  constructor(private readonly options: ReconcilerOptions) {
    this.queue = new ScanQueue(options.concurrencyPerHost ?? 4);
    this.registryApi = options.registry;
    this.work = new WorkQueue<Entry, ImageRepositoryStatus>({
      scheduler: options.scheduler ?? realScheduler,
      now: () => this.now(),
      items: () => this.entries.values(),
      reconcile: (entry, signal) => this.reconcileEntry(entry, signal),
      snapshot: (entry) => entry.status,
      putBack: (entry, status) => {
        entry.status = status;
        entry.scanning = false;
        this.emitStatus(entry);
      },
      processed: (entry) => {
        if (!entry.scanning) return;
        entry.scanning = false;
        if (!entry.removed) this.emitStatus(entry);
      },
    });
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
    return Promise.all(targets.map((entry) => this.work.request(entry, token, signal))).then(() => undefined);
  }

  /**
   * Forgets every stored tag (in every process sharing the file) and reconciles all objects now, like a
   * controller restarted on empty storage: each rescans with `no tags in database`.
   */
  async clearDatabase(): Promise<void> {
    this.options.store.clear();
    await this.options.store.flush();
    for (const entry of this.entries.values()) this.work.add(entry);
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
    return this.work.whenIdle();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    // Nobody waits forever for a rescan that will not happen now.
    await this.work.shutDown();
    // A write that fails here is the store's to report (TagStore.onWriteFailure) and to try again.
    await this.options.store.flush().catch(() => undefined);
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  private async registry(): Promise<RegistryApi> {
    // Loaded on first use so the pure parts (and their tests) do not pull in undici and the credential chain.
    this.registryApi ??= (await import('../registry')) as RegistryApi;
    return this.registryApi;
  }

  private add(key: string, object: ImageRepositoryObject): void {
    const entry = newEntry(key, object, this.options.store.object(key));
    this.entries.set(key, entry);
    this.work.add(entry);
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
    if (newGeneration || newRequest) this.work.add(entry, { cancelProcessing: newGeneration });
  }

  private remove(entry: Entry): void {
    this.work.forget(entry);
    this.entries.delete(entry.key);
    this.work.releaseWaiters(entry);
    for (const l of this.removedListeners) l(entry.key);
  }

  /** One reconcile; a throw is a bug, not a registry failure: reported like the controller's `Failed`, retried with backoff. */
  private async reconcileEntry(entry: Entry, cancel: AbortSignal): Promise<void> {
    try {
      await this.reconcileOnce(entry, cancel);
    } catch (err) {
      this.emitEvent(entry, 'Warning', FailedReason, errorMessage(err));
      entry.failures++;
      this.work.requeueAfter(entry, retryDelayMs(entry.failures));
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
        if (result.outcome.requeueAfterMs > 0) this.work.requeueAfter(entry, Math.max(MIN_REQUEUE_MS, result.outcome.requeueAfterMs));
        break;
      case 'error':
        entry.failures++;
        this.work.requeueAfter(entry, retryDelayMs(entry.failures));
        break;
      case 'stalled':
        entry.failures = 0; // nothing until the spec (or requestedAt) changes
        break;
    }
  }

  private intervalMs(object: ImageRepositoryObject): number {
    const interval = getIntervalMs(object.spec);
    return this.options.maxIntervalMs !== undefined ? Math.min(interval, this.options.maxIntervalMs) : interval;
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
