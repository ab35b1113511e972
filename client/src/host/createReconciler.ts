// The one place that builds the reconciler library (client/src/reconciler, client/src/store) for the host.
// The store is opened once per extension host and outlives reconcilers: two TagStore instances on one file in
// one process would queue behind each other's lock file.
import { parseGoDuration } from '../../../common/flux/duration';
import type { FluxEvent, WorkspaceObjects } from '../../../common/model';
import type { ObjectStatus } from '../../../common/protocol';
import { Reconciler } from '../reconciler';
import type { CredentialContext } from '../registry';
import { TagStore } from '../store';
import type { HostSettings } from './settings';

export interface HostedReconciler {
  update(objects: WorkspaceObjects): void;
  /** Resolves when the reconcile that handles this request is done (or at once when `signal` withdraws it). */
  requestReconcile(key?: string, signal?: AbortSignal): Promise<void>;
  storedTags(canonicalImageName: string): string[] | null;
  dispose(): Promise<void>;
}

export interface HostedReconcilerOptions {
  store: TagStore;
  settings: HostSettings;
  credentials: CredentialContext;
  onStatus(s: ObjectStatus): void;
  onRemoved(key: string): void;
  onEvent(e: FluxEvent): void;
}

export function openStore(databaseFile: string, wasmPath: string): Promise<TagStore> {
  return TagStore.open({ file: databaseFile, wasmPath });
}

export function createHostedReconciler(o: HostedReconcilerOptions): HostedReconciler {
  const maxIntervalMs = parseGoDuration(o.settings.maxInterval);
  const reconciler = new Reconciler({
    store: o.store,
    credentials: o.credentials,
    concurrencyPerHost: o.settings.concurrencyPerHost,
    maxIntervalMs: maxIntervalMs && maxIntervalMs > 0 ? maxIntervalMs : undefined,
  });
  reconciler.onStatus(o.onStatus);
  reconciler.onRemoved(o.onRemoved);
  reconciler.onEvent(o.onEvent);
  return {
    update: (objects) => reconciler.update(objects),
    requestReconcile: (key, signal) => reconciler.requestReconcile(key, signal),
    storedTags: (name) => reconciler.storedTags(name),
    dispose: () => reconciler.dispose(),
  };
}
