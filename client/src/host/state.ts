// What the VS Code adapter knows about the workspace: the server's index of ImageRepositories and the
// reconciler's statuses and events for them, and whether the reconciler runs. Views and the status bar only
// read this.
import * as vscode from 'vscode';
import type { FluxEvent, ImageRepositoryObject, ImageRepositoryStatus, SkippedObject } from '../../../common/model';
import { objectKey } from '../../../common/model';
import { EventLog } from './eventLog';
import type { FluxSummary } from '../../../common/protocol';
import { PolicyState } from './policyState';

export interface RepositoryView {
  key: string;
  object: ImageRepositoryObject;
  status?: ImageRepositoryStatus;
  scanning: boolean;
}

/** Why the reconciler runs or not: only in trusted workspaces with `tagline.reconciler.enable`. */
export type ReconcilerState = 'running' | 'untrusted' | 'disabled' | 'failed';

export class TaglineState implements vscode.Disposable {
  private objects = new Map<string, ImageRepositoryObject>();
  private skippedObjects: SkippedObject[] = [];
  private fluxSummary: FluxSummary | undefined;
  private readonly statuses = new Map<string, { status: ImageRepositoryStatus; scanning: boolean }>();
  private readonly events = new EventLog();
  private indexReceived = false;
  private reconcilerState: ReconcilerState = 'disabled';
  private databaseNotSaved: string | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  /** ImagePolicies, their statuses and events (policyState.ts). */
  readonly policies = new PolicyState(() => this.changed.fire());

  /** The server's index: the objects the reconciler gets, those it does not (with the reason), the Flux found. */
  setObjects(objects: ImageRepositoryObject[], skipped: SkippedObject[] = [], flux?: FluxSummary): void {
    this.objects = new Map(objects.map((o) => [objectKey(o.metadata), o]));
    this.skippedObjects = skipped;
    this.fluxSummary = flux;
    this.indexReceived = true;
    for (const key of [...this.statuses.keys()]) if (!this.objects.has(key)) this.statuses.delete(key);
    this.changed.fire();
  }

  setStatus(key: string, status: ImageRepositoryStatus, scanning: boolean): void {
    this.statuses.set(key, { status, scanning });
    this.changed.fire();
  }

  setReconcilerState(s: ReconcilerState): void {
    this.reconcilerState = s;
    this.changed.fire();
  }

  get reconciler(): ReconcilerState {
    return this.reconcilerState;
  }

  /** Why the tag database could not be written (Node's text), until a write succeeds again. */
  setDatabaseNotSaved(reason: string | undefined): void {
    this.databaseNotSaved = reason;
    this.changed.fire();
  }

  get databaseProblem(): string | undefined {
    return this.databaseNotSaved;
  }

  clearStatuses(): void {
    this.statuses.clear();
    this.changed.fire();
  }

  addEvent(event: FluxEvent): void {
    if (event.involvedObject.kind === 'ImagePolicy') return this.policies.addEvent(event);
    this.events.add(event);
  }

  eventsFor(key: string): FluxEvent[] {
    return this.events.for(key);
  }

  /** False until the server sent its first index: the tree then shows a spinner, not the welcome view. */
  get hasIndex(): boolean {
    return this.indexReceived;
  }

  /** ImageRepositories found and not reconciled, sorted by namespace/name. */
  skipped(): SkippedObject[] {
    return [...this.skippedObjects].sort((a, b) => objectKey(a.metadata).localeCompare(objectKey(b.metadata)));
  }

  /** The Flux the workspace runs, as the server found it (undefined before its first index). */
  get flux(): FluxSummary | undefined {
    return this.fluxSummary;
  }

  get(key: string): RepositoryView | undefined {
    const object = this.objects.get(key);
    if (!object) return undefined;
    const s = this.statuses.get(key);
    return { key, object, status: s?.status, scanning: s?.scanning ?? false };
  }

  all(): RepositoryView[] {
    return [...this.objects.keys()].map((k) => this.get(k)!).sort((a, b) => a.key.localeCompare(b.key));
  }

  dispose(): void {
    this.changed.dispose();
  }
}
