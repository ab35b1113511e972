// The ImagePolicy side of the controller in the extension host: every ImagePolicy of the workspace is
// reconciled (policies.ts reconcilePolicy, the code `tagline scan` runs) when it appears, when its spec or
// requestedAt changes (no scan needed), and when the inputs the controller watches change — the repository's
// `lastScanResult.revision` (image-reflector-controller internal/controller/imagepolicy_controller.go
// SetupWithManager: ImageRepository updates whose revision changed), its spec, the namespace's labels
// (accessFrom). Requeues as the controller does: every spec.interval with digestReflectionPolicy Always, 30 s
// (--requeue-dependency) while the repository has no tags, backoff after failures. Results go to the tag
// database, so a restart shows them before anything is scanned.
import { namespaceLabels } from '../../../common/flux/acl';
import { parseGoDuration } from '../../../common/flux/duration';
import { DEFAULT_POLICY_INTERVAL, DEPENDENCY_REQUEUE_MS } from '../../../common/flux/policy/reconcile';
import { RECONCILE_REQUEST_ANNOTATION, retryDelayMs } from '../../../common/flux/scheduling';
import { errorMessage } from '../../../common/errors';
import { FailedReason } from '../../../common/flux/reasons';
import { objectKey, type FluxEvent, type ImagePolicyObject, type ImagePolicyStatus, type WorkspaceObjects } from '../../../common/model';
import type { PolicyObjectStatus } from '../../../common/protocol';
import type { CredentialContext } from '../registry';
import type { TagStore } from '../store';
import { reconcilePolicy, type PolicyRecord, type PolicySource } from './policies';
import { realScheduler, type Scheduler } from './types';

export interface PolicyReconcilerOptions {
  store: TagStore;
  /** The ImageRepository side: statuses (canonical name, revision) and stored tags. */
  repositories: PolicySource;
  /** For the digest HEAD; without it digest reflection fails as `no registry access`. */
  credentials?: CredentialContext;
  clock?: () => number;
  scheduler?: Scheduler;
  /** Events kept per policy for describe views. */
  eventHistory?: number;
}

interface PolicyEntry {
  key: string;
  object: ImagePolicyObject;
  record: PolicyRecord | undefined;
  events: FluxEvent[];
  /** What the last reconcile read (see inputsOf); a different value means reconcile again. */
  inputs: string | undefined;
  timer: unknown;
  running: Promise<void> | undefined;
  again: boolean;
  failures: number;
  removed: boolean;
  abort: AbortController;
}

/** An interval shorter than this is floored: an editor need not poll a registry faster than once a second. */
const MIN_REQUEUE_MS = 1000;

export class PolicyReconciler {
  private readonly entries = new Map<string, PolicyEntry>();
  private workspace: WorkspaceObjects = { imageRepositories: [], secrets: [], serviceAccounts: [] };
  private readonly statusListeners = new Set<(s: PolicyObjectStatus) => void>();
  private readonly eventListeners = new Set<(e: FluxEvent) => void>();
  private readonly removedListeners = new Set<(key: string) => void>();
  private disposed = false;

  constructor(private readonly options: PolicyReconcilerOptions) {}

  /** A new workspace index: new policies show their stored status and reconcile; changed inputs reconcile again. */
  update(objects: WorkspaceObjects): void {
    if (this.disposed) return;
    this.workspace = objects;
    const seen = new Set<string>();
    for (const object of objects.imagePolicies ?? []) {
      const key = objectKey(object.metadata);
      if (seen.has(key)) continue; // the first of two same-named policies wins, as for ImageRepositories
      seen.add(key);
      const entry = this.entries.get(key);
      if (entry) entry.object = object;
      else this.add(key, object);
    }
    for (const [key, entry] of this.entries) if (!seen.has(key)) this.remove(entry);
    this.inputsChanged();
  }

  /** The reconciler published a repository status: policies whose repository revision changed reconcile. */
  repositoryChanged(): void {
    if (!this.disposed) this.inputsChanged();
  }

  /** Like a new `reconcile.fluxcd.io/requestedAt` on the policy (all of them without a key); resolves when done. */
  async requestReconcile(key?: string): Promise<void> {
    const targets = key === undefined ? [...this.entries.values()] : [this.entries.get(key)].filter((e): e is PolicyEntry => !!e);
    await Promise.all(targets.map((entry) => this.run(entry)));
  }

  status(key: string): ImagePolicyStatus | undefined {
    return this.entries.get(key)?.record?.status;
  }

  statuses(): PolicyObjectStatus[] {
    return [...this.entries.values()].filter((e) => e.record).map((e) => this.objectStatus(e));
  }

  events(key: string): FluxEvent[] {
    return [...(this.entries.get(key)?.events ?? [])];
  }

  onStatus(listener: (s: PolicyObjectStatus) => void): { dispose(): void } {
    this.statusListeners.add(listener);
    return { dispose: () => this.statusListeners.delete(listener) };
  }

  onEvent(listener: (e: FluxEvent) => void): { dispose(): void } {
    this.eventListeners.add(listener);
    return { dispose: () => this.eventListeners.delete(listener) };
  }

  /** A policy left the workspace: its status is gone. */
  onRemoved(listener: (key: string) => void): { dispose(): void } {
    this.removedListeners.add(listener);
    return { dispose: () => this.removedListeners.delete(listener) };
  }

  /** Resolves when no policy reconcile runs (requeue timers may still be pending). */
  async whenIdle(): Promise<void> {
    for (;;) {
      const running = [...this.entries.values()].map((e) => e.running).filter((p): p is Promise<void> => !!p);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const entry of this.entries.values()) {
      this.cancelTimer(entry);
      entry.abort.abort();
    }
    await this.whenIdle();
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  private get scheduler(): Scheduler {
    return this.options.scheduler ?? realScheduler;
  }

  private add(key: string, object: ImagePolicyObject): void {
    const stored = this.options.store.policy(key);
    const entry: PolicyEntry = {
      key, object, events: [], inputs: undefined, timer: undefined, running: undefined, again: false, failures: 0, removed: false,
      abort: new AbortController(),
      record: stored ? { specHash: stored.specHash, generation: stored.generation, status: stored.status } : undefined,
    };
    this.entries.set(key, entry);
    // The stored status is shown at once; the reconcile below (the controller's start-up sync) follows it.
    if (entry.record) this.emitStatus(entry);
  }

  private remove(entry: PolicyEntry): void {
    entry.removed = true;
    this.cancelTimer(entry);
    entry.abort.abort();
    this.entries.delete(entry.key);
    for (const l of this.removedListeners) l(entry.key);
  }

  /** Every input the controller would react to, as one string: the policy, its repository and its namespace. */
  private inputsOf(entry: PolicyEntry): string {
    const policy = entry.object;
    const refNamespace = policy.spec.imageRepositoryRef.namespace || policy.metadata.namespace;
    const repository = this.workspace.imageRepositories.find((r) => r.metadata.namespace === refNamespace && r.metadata.name === policy.spec.imageRepositoryRef.name);
    const repositoryStatus = repository ? this.options.repositories.status(objectKey(repository.metadata)) : undefined;
    const namespace = (this.workspace.namespaces ?? []).find((n) => n.metadata.name === policy.metadata.namespace);
    return JSON.stringify([
      policy.specHash, policy.metadata.annotations?.[RECONCILE_REQUEST_ANNOTATION] ?? null,
      repository ? [repository.specHash, repositoryStatus?.canonicalImageName ?? null, repositoryStatus?.lastScanResult?.revision ?? null] : null,
      namespaceLabels(policy.metadata.namespace, namespace?.metadata.labels),
    ]);
  }

  private inputsChanged(): void {
    for (const entry of this.entries.values()) {
      if (entry.object.spec.suspend === true) continue; // the controller skips suspended objects
      if (this.inputsOf(entry) !== entry.inputs) void this.run(entry);
    }
  }

  /** Reconciles now, or once more right after the running reconcile when one runs. */
  private run(entry: PolicyEntry): Promise<void> {
    if (this.disposed || entry.removed) return Promise.resolve();
    if (entry.running) {
      entry.again = true;
      return entry.running;
    }
    this.cancelTimer(entry);
    entry.running = (async () => {
      try {
        do {
          entry.again = false;
          await this.reconcileOnce(entry);
        } while (entry.again && !entry.removed && !this.disposed);
      } finally {
        entry.running = undefined;
      }
    })();
    return entry.running;
  }

  private async reconcileOnce(entry: PolicyEntry): Promise<void> {
    if (entry.object.spec.suspend === true) return;
    entry.inputs = this.inputsOf(entry);
    const object = entry.object;
    let outcome;
    try {
      outcome = await reconcilePolicy(object, this.workspace, this.options.repositories, entry.record, this.options.credentials, this.now(), entry.abort.signal);
    } catch (err) {
      // A throw is a bug, not a registry failure: reported like the controller's `Failed`, retried with backoff.
      this.emitEvent(entry, { type: 'Warning', reason: FailedReason, message: errorMessage(err), timestamp: new Date(this.now()).toISOString(),
        involvedObject: { kind: 'ImagePolicy', namespace: object.metadata.namespace, name: object.metadata.name } });
      this.requeue(entry, 'backoff');
      return;
    }
    if (entry.removed || this.disposed) return;
    const changed = JSON.stringify(entry.record) !== JSON.stringify({ specHash: outcome.specHash, generation: outcome.generation, status: outcome.status });
    entry.record = { specHash: outcome.specHash, generation: outcome.generation, status: outcome.status };
    if (changed) {
      this.persist(entry);
      this.emitStatus(entry);
    }
    if (outcome.event) this.emitEvent(entry, outcome.event);
    this.requeue(entry, outcome.requeueAfter);
  }

  private persist(entry: PolicyEntry): void {
    try {
      this.options.store.putPolicy({ key: entry.key, ...entry.record! });
    } catch (err) {
      const { namespace, name } = entry.object.metadata;
      this.emitEvent(entry, { type: 'Warning', reason: FailedReason, message: `failed to persist status: ${errorMessage(err)}`,
        timestamp: new Date(this.now()).toISOString(), involvedObject: { kind: 'ImagePolicy', namespace, name } });
    }
  }

  private requeue(entry: PolicyEntry, after: 'interval' | 'dependency' | 'backoff' | undefined): void {
    let ms: number | undefined;
    if (after === 'backoff') ms = retryDelayMs(++entry.failures);
    else {
      entry.failures = 0;
      if (after === 'dependency') ms = DEPENDENCY_REQUEUE_MS;
      // ImagePolicy.GetInterval(): 10m when unset or zero.
      if (after === 'interval') ms = Math.max(MIN_REQUEUE_MS, parseGoDuration(entry.object.spec.interval ?? '') || parseGoDuration(DEFAULT_POLICY_INTERVAL)!);
    }
    if (ms === undefined) return;
    this.cancelTimer(entry);
    entry.timer = this.scheduler.setTimeout(() => {
      entry.timer = undefined;
      void this.run(entry);
    }, ms);
  }

  private cancelTimer(entry: PolicyEntry): void {
    if (entry.timer !== undefined) this.scheduler.clearTimeout(entry.timer);
    entry.timer = undefined;
  }

  private objectStatus(entry: PolicyEntry): PolicyObjectStatus {
    return { key: entry.key, uri: entry.object.source?.uri ?? '', status: entry.record!.status };
  }

  private emitStatus(entry: PolicyEntry): void {
    const s = this.objectStatus(entry);
    for (const l of this.statusListeners) l(s);
  }

  private emitEvent(entry: PolicyEntry, event: FluxEvent): void {
    entry.events.push(event);
    const keep = this.options.eventHistory ?? 50;
    if (entry.events.length > keep) entry.events.splice(0, entry.events.length - keep);
    for (const l of this.eventListeners) l(event);
  }
}
