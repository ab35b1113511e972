// Runs the reconciler inside the extension host, only in trusted workspaces with the reconciler enabled.
// Inputs: the server's workspace index (onWorkspaceIndex). Outputs: statuses as an event (onDidChangeStatuses,
// which extension.ts forwards to the server, the owner of all diagnostics) and into TaglineState (tree, status
// bar), events to the log. In Restricted Mode nothing here contacts a registry or runs a credential helper: the
// reconciler is simply never built. The tag store is opened once per extension host and outlives reconcilers:
// two TagStore instances on one file in one process would queue behind each other's lock file.
import * as vscode from 'vscode';
import { parseGoDuration } from '../../../common/flux/duration';
import type { WorkspaceObjects } from '../../../common/model';
import type { ObjectStatus, StatusParams, WorkspaceIndexParams } from '../../../common/protocol';
import { Reconciler, type CredentialContext } from '../reconciler';
import { TagStore } from '../store';
import type { TaglineLog } from './log';
import { PolicyHost } from './policyHost';
import { readSettings, type HostSettings, readClusterSettings } from './settings';
import type { SignIns } from './signIns';
import type { ReconcilerState, TaglineState } from './state';
import { errorMessage } from '../../../common/errors';

export type { ReconcilerState } from './state';

export class ReconcilerHost implements vscode.Disposable {
  private reconciler: Reconciler | undefined;
  /** Resolves when the current reconciler stops, so no wait for one of its reconciles outlives it. */
  private stopped: { promise: Promise<void>; resolve: () => void } = settled();
  /** Counts the reconcilers built so far: late callbacks of a disposed one carry an old number and are ignored. */
  private reconcilerCount = 0;
  private store: TagStore | undefined;
  private queue: Promise<void> = Promise.resolve();
  private disposed = false;
  private lastIndex: WorkspaceObjects | undefined;
  private sentKeys = new Set<string>();
  private readonly stateChanged = new vscode.EventEmitter<ReconcilerState>();
  readonly onDidChangeState = this.stateChanged.event;
  private readonly statusesChanged = new vscode.EventEmitter<StatusParams>();
  /** Statuses to send to the language server, and keys whose status is gone. */
  readonly onDidChangeStatuses = this.statusesChanged.event;
  private refusal: string | undefined;
  private current: ReconcilerState = 'disabled';
  /** ImagePolicies, reconciled beside the ImageRepositories (policyHost.ts). */
  readonly policies: PolicyHost;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly state: TaglineState,
    private readonly log: TaglineLog,
    private readonly signIns: SignIns,
  ) {
    this.policies = new PolicyHost(state, log);
  }

  get reconcilerState(): ReconcilerState {
    return this.current;
  }

  /** What the person was last told when a command could not run (the warning's text), e.g. in Restricted Mode. */
  get lastRefusal(): string | undefined {
    return this.refusal;
  }

  /** The tag database file, once the store is open. */
  get databaseFile(): string | undefined {
    return this.store?.file;
  }

  /** The running reconciler's listings at once per registry host (`tagline.reconciler.concurrency`). */
  get concurrencyPerHost(): number | undefined {
    return this.reconciler?.queue.concurrencyPerHost;
  }

  /** (Re)builds the reconciler for the current trust and settings. */
  restart(): Promise<void> {
    return this.serialize(async () => {
      await this.stop();
      if (this.disposed) return;
      const settings = readSettings();
      if (!vscode.workspace.isTrusted) return this.setState('untrusted');
      // `tagline.reconciler.source: cluster`: statuses come from the cluster; no registry traffic from here.
      if (!settings.reconcilerEnabled || readClusterSettings().source === 'cluster') return this.setState('disabled');
      try {
        const storageDir = this.context.globalStorageUri.fsPath;
        if (!this.store) {
          await vscode.workspace.fs.createDirectory(this.context.globalStorageUri);
          this.store = await TagStore.open({
            file: vscode.Uri.joinPath(this.context.globalStorageUri, 'tags.sqlite').fsPath,
            wasmPath: this.context.asAbsolutePath('dist/sql-wasm.wasm'),
          });
          if (this.store.recoveredFrom) this.log.warn(`the tag database was unreadable and was moved to ${this.store.recoveredFrom}; every ImageRepository is scanned again`);
          if (this.store.readOnlyReason) this.log.warn(`the tag database is read-only: ${this.store.readOnlyReason}`);
          this.store.onWriteFailure((reason) => {
            this.state.setDatabaseNotSaved(reason);
            if (reason) this.log.warn(`tag database not saved: ${reason} (tags and statuses stay in memory; retrying)`);
            else this.log.info('tag database saved again');
          });
        }
        const instance = ++this.reconcilerCount;
        const current = <T>(fn: (arg: T) => void) => (arg: T) => {
          if (instance === this.reconcilerCount) fn(arg);
        };
        this.reconciler = this.buildReconciler(this.store, settings);
        this.reconciler.onStatus(current((s) => this.publish(s)));
        this.reconciler.onRemoved(current((key) => this.unpublish(key)));
        this.reconciler.onEvent(current((e) => {
          this.state.addEvent(e);
          this.log.event(e);
        }));
        this.stopped = pending();
        this.log.info(`reconciler started (database in ${storageDir})`);
        this.setState('running');
        if (this.lastIndex) this.reconciler.update(this.lastIndex);
        // After the repositories: a policy's first reconcile reads their stored statuses.
        this.policies.start(this.store, this.reconciler, this.credentials(), this.lastIndex);
      } catch (err) {
        this.log.error(`reconciler could not start: ${errorMessage(err)}`);
        this.setState('failed');
      }
    });
  }

  private buildReconciler(store: TagStore, settings: HostSettings): Reconciler {
    const maxIntervalMs = parseGoDuration(settings.maxInterval);
    return new Reconciler({
      store,
      credentials: this.credentials(settings),
      concurrencyPerHost: settings.concurrencyPerHost,
      maxIntervalMs: maxIntervalMs && maxIntervalMs > 0 ? maxIntervalMs : undefined,
    });
  }

  private credentials(settings: HostSettings = readSettings()): CredentialContext {
    return {
      env: process.env,
      allowProcesses: vscode.workspace.isTrusted,
      extraCaFiles: settings.extraCaFiles,
      signedIn: (registry) => this.signIns.get(registry),
    };
  }

  /** Restarts and clears run one after another, never interleaved. */
  private serialize(fn: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(fn, fn);
    return this.queue;
  }

  onWorkspaceIndex(index: WorkspaceIndexParams): void {
    this.log.debug(`workspace index: ${index.imageRepositories.length} ImageRepositories, ${index.secrets.length} Secrets, ${index.serviceAccounts.length} ServiceAccounts, ${index.skipped?.length ?? 0} not scanned`);
    this.lastIndex = index;
    this.state.setObjects(index.imageRepositories, index.skipped ?? [], index.flux);
    this.reconciler?.update(index);
    this.policies.update(index);
    this.logSkipped(index);
  }

  /** What the last index skipped, so each skipped object is logged once, not on every index. */
  private loggedSkips = new Set<string>();

  private logSkipped(index: WorkspaceIndexParams): void {
    const now = new Set((index.skipped ?? []).map((s) => `${s.metadata.namespace}/${s.metadata.name || '<no name>'}: not scanned: ${s.reason}`));
    for (const line of now) if (!this.loggedSkips.has(line)) this.log.warn(line);
    this.loggedSkips = now;
  }

  async storedTags(canonicalImageName: string): Promise<string[] | null> {
    return this.reconciler ? this.reconciler.storedTags(canonicalImageName) : null;
  }

  /**
   * Asks for a scan now (Flux's `reconcile.fluxcd.io/requestedAt` path) and resolves with the status of the
   * reconcile that handled it. Cancelling withdraws the request: the listing is aborted and the object keeps
   * the status and schedule it had.
   */
  async rescan(key: string, token?: vscode.CancellationToken): Promise<ObjectStatus | undefined> {
    const reconciler = this.requireRunning();
    if (!reconciler) return undefined;
    const signal = this.cancelSignal(token, [key]);
    const finished = await untilCancelled(Promise.race([reconciler.requestReconcile(key, signal.signal), this.stopped.promise]), token);
    signal.dispose();
    const view = this.state.get(key);
    return finished && view?.status ? { key, uri: view.object.source?.uri ?? '', status: view.status, scanning: view.scanning } : undefined;
  }

  /** Rescans `keys`, reporting each one that finishes; returns how many finished before cancellation. */
  async rescanAll(
    keys: string[],
    progress: (done: number, total: number) => void,
    token: vscode.CancellationToken,
  ): Promise<number> {
    const reconciler = this.requireRunning();
    if (!reconciler) return 0;
    let done = 0;
    const finished = new Set<string>();
    progress(0, keys.length);
    const signal = this.cancelSignal(token, keys, finished);
    const all = Promise.all(keys.map((k) => reconciler.requestReconcile(k, signal.signal).then(() => {
      if (signal.signal.aborted) return;
      finished.add(k);
      progress(++done, keys.length);
    })));
    await untilCancelled(Promise.race([all, this.stopped.promise]), token);
    signal.dispose();
    return done;
  }

  /** The command's cancellation as an AbortSignal; logs which rescans it cut short. */
  private cancelSignal(
    token: vscode.CancellationToken | undefined,
    keys: string[],
    finished: ReadonlySet<string> = new Set(),
  ): { signal: AbortSignal; dispose(): void } {
    const controller = new AbortController();
    let settled = false;
    const cancel = () => {
      if (settled || controller.signal.aborted) return;
      const cut = keys.filter((k) => !finished.has(k));
      if (cut.length > 0) this.log.info(`rescan of ${cut.length <= 3 ? cut.join(', ') : `${cut.length} ImageRepositories`} cancelled`);
      controller.abort();
    };
    if (token?.isCancellationRequested) cancel();
    const sub = token?.onCancellationRequested(cancel);
    return {
      signal: controller.signal,
      dispose: () => {
        settled = true;
        sub?.dispose();
      },
    };
  }

  /** Empties the database and forgets every status: each object then reconciles as a first scan. */
  async clearDatabase(): Promise<void> {
    await this.serialize(async () => {
      await this.stop();
      if (this.store) {
        this.store.clear();
        await this.store.flush();
      }
    });
    await this.restart();
  }

  private requireRunning(): Reconciler | undefined {
    if (this.reconciler) return this.reconciler;
    const why = {
      untrusted: 'Tagline contacts registries only in trusted workspaces (Restricted Mode is on).',
      disabled: 'The Tagline reconciler is disabled (setting tagline.reconciler.enable).',
      failed: 'The Tagline reconciler could not start; see Tagline: Show Logs.',
      running: 'The Tagline reconciler is starting.',
    }[this.current];
    this.refusal = why;
    void vscode.window.showWarningMessage(why);
    return undefined;
  }

  private publish(s: ObjectStatus): void {
    this.state.setStatus(s.key, s.status, s.scanning);
    this.sentKeys.add(s.key);
    this.statusesChanged.fire({ statuses: [s], removed: [] });
  }

  private unpublish(key: string): void {
    this.sentKeys.delete(key);
    this.statusesChanged.fire({ statuses: [], removed: [key] });
  }

  private setState(s: ReconcilerState): void {
    this.current = s;
    this.state.setReconcilerState(s);
    this.stateChanged.fire(s);
  }

  private async stop(): Promise<void> {
    const r = this.reconciler;
    this.reconciler = undefined;
    this.reconcilerCount++;
    this.stopped.resolve();
    await this.policies.stop();
    if (r) await r.dispose();
    if (this.sentKeys.size > 0) {
      // The server drops these conditions from its diagnostics: no reconciler, no registry view.
      this.statusesChanged.fire({ statuses: [], removed: [...this.sentKeys] });
      this.sentKeys.clear();
      this.state.clearStatuses();
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.serialize(async () => {
      await this.stop();
      await this.store?.close();
      this.store = undefined;
    });
    this.stateChanged.dispose();
    this.statusesChanged.dispose();
    this.policies.dispose();
  }
}

/** Resolves true when `work` finishes, false as soon as `token` is cancelled. */
function untilCancelled(work: Promise<unknown>, token?: vscode.CancellationToken): Promise<boolean> {
  if (!token) return work.then(() => true);
  if (token.isCancellationRequested) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    const sub = token.onCancellationRequested(() => { sub.dispose(); resolve(false); });
    work.then(() => { sub.dispose(); resolve(true); }, (err) => { sub.dispose(); reject(err); });
  });
}

function pending(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

function settled(): { promise: Promise<void>; resolve: () => void } {
  return { promise: Promise.resolve(), resolve: () => undefined };
}
