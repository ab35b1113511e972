import type { ImageReference } from '../../../common/flux/reference';
import type { ImageRepositoryObject, WorkspaceObjects } from '../../../common/model';
import type { CredentialContext, ScanOptions } from '../registry';

/** The two registry calls the reconciler makes (client/src/registry/index.ts); tests may wrap them. */
export interface RegistryApi {
  buildScanOptions(
    repo: ImageRepositoryObject,
    reference: ImageReference,
    objects: WorkspaceObjects,
    ctx: CredentialContext,
  ): Promise<ScanOptions>;
  listTags(reference: ImageReference, options: ScanOptions, signal: AbortSignal): Promise<string[]>;
}

/** Timers, replaceable so tests can observe backoff delays without waiting for them. */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Thrown into a run that was superseded (object removed or changed); its result is dropped. */
export class ReconcileCancelled extends Error {
  constructor() {
    super('reconcile cancelled');
  }
}
