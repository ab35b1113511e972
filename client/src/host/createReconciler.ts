// The one place that builds the reconciler library (client/src/reconciler, client/src/store) for the host.
import { parseGoDuration } from '../../../common/flux/duration';
import type { FluxEvent, WorkspaceObjects } from '../../../common/model';
import type { ObjectStatus } from '../../../common/protocol';
import { Reconciler } from '../reconciler';
import type { CredentialContext } from '../registry/contract';
import { TagStore } from '../store';
import type { HostSettings } from './settings';

export interface HostedReconciler {
  update(objects: WorkspaceObjects): void;
  /** Resolves when the reconcile that handles this request is done. */
  requestReconcile(key: string): Promise<void>;
  storedTags(canonicalImageName: string): string[] | null;
  clearDatabase(): Promise<void>;
  dispose(): Promise<void>;
}

export interface HostedReconcilerOptions {
  databaseFile: string;
  wasmPath: string;
  settings: HostSettings;
  credentials: CredentialContext;
  onStatus(s: ObjectStatus): void;
  onRemoved(key: string): void;
  onEvent(e: FluxEvent): void;
}

export async function createHostedReconciler(o: HostedReconcilerOptions): Promise<HostedReconciler> {
  const store = await TagStore.open({ file: o.databaseFile, wasmPath: o.wasmPath });
  const maxIntervalMs = parseGoDuration(o.settings.maxInterval);
  const reconciler = new Reconciler({
    store,
    credentials: o.credentials,
    concurrencyPerHost: o.settings.concurrencyPerHost,
    maxIntervalMs: maxIntervalMs && maxIntervalMs > 0 ? maxIntervalMs : undefined,
  });
  reconciler.onStatus(o.onStatus);
  reconciler.onRemoved(o.onRemoved);
  reconciler.onEvent(o.onEvent);
  return {
    update: (objects) => reconciler.update(objects),
    requestReconcile: (key) => reconciler.requestReconcile(key),
    storedTags: (name) => reconciler.storedTags(name),
    clearDatabase: async () => {
      store.clear();
      await store.flush();
    },
    dispose: () => reconciler.dispose(),
  };
}
