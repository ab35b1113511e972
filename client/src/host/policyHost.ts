// The ImagePolicy reconciler inside the extension host, beside the ImageRepository reconciler that
// reconcilerHost.ts owns: built and stopped with it (so only in trusted workspaces with the reconciler enabled),
// fed the same workspace index, and told about every repository status. Statuses go into TaglineState (tree,
// describe) and, as an event, to the language server (diagnostics and hovers on the policy documents).
import * as vscode from 'vscode';
import type { WorkspaceObjects } from '../../../common/model';
import type { PolicyObjectStatus, PolicyStatusParams } from '../../../common/protocol';
import { PolicyReconciler, type CredentialContext, type Reconciler } from '../reconciler';
import type { TagStore } from '../store';
import type { TaglineLog } from './log';
import type { TaglineState } from './state';

export class PolicyHost implements vscode.Disposable {
  private reconciler: PolicyReconciler | undefined;
  private generation = 0;
  private readonly sent = new Set<string>();
  private readonly statusesChanged = new vscode.EventEmitter<PolicyStatusParams>();
  /** Policy statuses to send to the language server, and keys whose status is gone. */
  readonly onDidChangeStatuses = this.statusesChanged.event;

  constructor(private readonly state: TaglineState, private readonly log: TaglineLog) {}

  /** The running policy reconciler (extension-host tests wait on it). */
  get running(): PolicyReconciler | undefined {
    return this.reconciler;
  }

  start(store: TagStore, repositories: Reconciler, credentials: CredentialContext, index: WorkspaceObjects | undefined): void {
    const instance = ++this.generation;
    const current = <T>(fn: (arg: T) => void) => (arg: T) => {
      if (instance === this.generation) fn(arg);
    };
    const reconciler = (this.reconciler = new PolicyReconciler({ store, repositories, credentials }));
    repositories.onStatus(current(() => reconciler.repositoryChanged()));
    reconciler.onStatus(current((s: PolicyObjectStatus) => {
      this.state.policies.setStatus(s.key, s.status);
      this.sent.add(s.key);
      this.statusesChanged.fire({ statuses: [s], removed: [] });
    }));
    reconciler.onRemoved(current((key: string) => {
      this.state.policies.removeStatus(key);
      this.sent.delete(key);
      this.statusesChanged.fire({ statuses: [], removed: [key] });
    }));
    reconciler.onEvent(current((e) => {
      this.state.addEvent(e);
      this.log.event(e);
    }));
    if (index) reconciler.update(index);
  }

  update(index: WorkspaceObjects): void {
    this.state.policies.setObjects(index.imagePolicies ?? []);
    this.reconciler?.update(index);
  }

  /** Stops reconciling and withdraws every status sent (no reconciler, no registry view). */
  async stop(): Promise<void> {
    const reconciler = this.reconciler;
    this.reconciler = undefined;
    this.generation++;
    if (reconciler) await reconciler.dispose();
    if (this.sent.size > 0) {
      this.statusesChanged.fire({ statuses: [], removed: [...this.sent] });
      this.sent.clear();
      this.state.policies.clearStatuses();
    }
  }

  dispose(): void {
    this.statusesChanged.dispose();
  }
}
