// Runs the reconciler inside the extension host, only in trusted workspaces with the reconciler enabled.
// Inputs: the server's workspace index. Outputs: statuses to the server (which owns all diagnostics) and to
// TaglineState (tree, status bar), events to the log. In Restricted Mode nothing here contacts a registry or
// runs a credential helper: the reconciler is simply never built.
import * as vscode from 'vscode';
import type { FluxEvent, WorkspaceObjects } from '../../../common/model';
import type { WorkspaceIndexParams } from '../../../common/protocol';
import type { ObjectStatus } from '../../../common/protocol';
import type { TaglineLanguageClient } from '../lsp/languageClient';
import type { TagStore } from '../store';
import { createHostedReconciler, openStore, type HostedReconciler } from './createReconciler';
import type { TaglineLog } from './log';
import { readSettings } from './settings';
import type { SignIns } from './signIns';
import type { TaglineState } from './state';

export type ReconcilerState = 'running' | 'untrusted' | 'disabled' | 'failed';

export class ReconcilerHost implements vscode.Disposable {
  private reconciler: HostedReconciler | undefined;
  /** Resolves when the current reconciler stops, so no wait for one of its reconciles outlives it. */
  private stopped: { promise: Promise<void>; resolve: () => void } = settled();
  /** Bumped per reconciler: late callbacks of a disposed one are ignored. */
  private generation = 0;
  private store: TagStore | undefined;
  private queue: Promise<void> = Promise.resolve();
  private disposed = false;
  private lastIndex: WorkspaceObjects | undefined;
  private sentKeys = new Set<string>();
  private readonly stateChanged = new vscode.EventEmitter<ReconcilerState>();
  readonly onDidChangeState = this.stateChanged.event;
  private current: ReconcilerState = 'disabled';

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: TaglineLanguageClient,
    private readonly state: TaglineState,
    private readonly log: TaglineLog,
    private readonly signIns: SignIns,
  ) {}

  get reconcilerState(): ReconcilerState {
    return this.current;
  }

  /** (Re)builds the reconciler for the current trust and settings. */
  restart(): Promise<void> {
    return this.serialize(async () => {
      await this.stop();
      if (this.disposed) return;
      const settings = readSettings();
      if (!vscode.workspace.isTrusted) return this.setState('untrusted');
      if (!settings.reconcilerEnabled) return this.setState('disabled');
      try {
        const storageDir = this.context.globalStorageUri.fsPath;
        if (!this.store) {
          await vscode.workspace.fs.createDirectory(this.context.globalStorageUri);
          this.store = await openStore(
            vscode.Uri.joinPath(this.context.globalStorageUri, 'tags.sqlite').fsPath,
            this.context.asAbsolutePath('dist/sql-wasm.wasm'),
          );
          if (this.store.recoveredFrom) this.log.warn(`the tag database was unreadable and was moved to ${this.store.recoveredFrom}; every ImageRepository is scanned again`);
          if (this.store.readOnlyReason) this.log.warn(`the tag database is read-only: ${this.store.readOnlyReason}`);
        }
        const generation = ++this.generation;
        const current = <T>(fn: (arg: T) => void) => (arg: T) => {
          if (generation === this.generation) fn(arg);
        };
        this.reconciler = createHostedReconciler({
          store: this.store,
          settings,
          credentials: {
            env: process.env,
            allowProcesses: vscode.workspace.isTrusted,
            extraCaFiles: settings.extraCaFiles,
            signedIn: (registry) => this.signIns.get(registry),
          },
          onStatus: current((s: ObjectStatus) => this.publish(s)),
          onRemoved: current((key: string) => this.unpublish(key)),
          onEvent: current((e: FluxEvent) => this.onEvent(e)),
        });
        this.stopped = pending();
        this.log.info(`reconciler started (database in ${storageDir})`);
        this.setState('running');
        if (this.lastIndex) this.reconciler.update(this.lastIndex);
      } catch (err) {
        this.log.error(`reconciler could not start: ${messageOf(err)}`);
        this.setState('failed');
      }
    });
  }

  /** Restarts and clears run one after another, never interleaved. */
  private serialize(fn: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(fn, fn);
    return this.queue;
  }

  onWorkspaceIndex(index: WorkspaceIndexParams): void {
    this.lastIndex = index;
    this.state.setObjects(index.imageRepositories, index.skipped ?? [], index.flux);
    this.reconciler?.update(index);
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

  private requireRunning(): HostedReconciler | undefined {
    if (this.reconciler) return this.reconciler;
    const why = {
      untrusted: 'Tagline contacts registries only in trusted workspaces (Restricted Mode is on).',
      disabled: 'The Tagline reconciler is disabled (setting tagline.reconciler.enable).',
      failed: 'The Tagline reconciler could not start; see Tagline: Show Logs.',
      running: 'The Tagline reconciler is starting.',
    }[this.current];
    void vscode.window.showWarningMessage(why);
    return undefined;
  }

  private publish(s: ObjectStatus): void {
    this.state.setStatus(s.key, s.status, s.scanning);
    this.sentKeys.add(s.key);
    void this.client.sendStatus({ statuses: [s], removed: [] }).catch((err) => this.log.debug(`status not sent: ${messageOf(err)}`));
  }

  private unpublish(key: string): void {
    this.sentKeys.delete(key);
    void this.client.sendStatus({ statuses: [], removed: [key] }).catch((err) => this.log.debug(`status not sent: ${messageOf(err)}`));
  }

  private onEvent(e: FluxEvent): void {
    this.state.addEvent(e);
    this.log.event(e);
  }

  private setState(s: ReconcilerState): void {
    this.current = s;
    this.stateChanged.fire(s);
  }

  private async stop(): Promise<void> {
    const r = this.reconciler;
    this.reconciler = undefined;
    this.generation++;
    this.stopped.resolve();
    if (r) await r.dispose();
    if (this.sentKeys.size > 0) {
      // The server drops these conditions from its diagnostics: no reconciler, no registry view.
      await this.client.sendStatus({ statuses: [], removed: [...this.sentKeys] }).catch(() => undefined);
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
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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
