// What the reconciler keeps per object between reconciles, and how an object maps to its scheduling inputs.
import { RECONCILE_REQUEST_ANNOTATION } from '../../../common/flux/scheduling';
import { emptyStatus, type FluxEvent, type ImageRepositoryObject, type ImageRepositoryStatus } from '../../../common/model';
import type { StoredObject } from '../store';
import type { QueueItem } from './work-queue';

/** The reconciler's record of one object; the work queue's fields come with it (QueueItem). */
export interface Entry extends QueueItem {
  key: string;
  object: ImageRepositoryObject;
  generation: number;
  status: ImageRepositoryStatus;
  scanning: boolean;
  failures: number;
  events: FluxEvent[];
}

/** A new entry, continuing the stored generation and status so a restart does not rescan early. */
export function newEntry(key: string, object: ImageRepositoryObject, stored: StoredObject | undefined): Entry {
  return {
    key,
    object,
    generation: stored ? (stored.specHash === object.specHash ? stored.generation : stored.generation + 1) : 1,
    // The CRD's status default: observedGeneration -1, hence "new generation -1 -> 1" on the first reconcile.
    status: stored ? stored.status : emptyStatus(),
    scanning: false,
    failures: 0,
    dirty: false,
    dirtyForRequestsOnly: false,
    requested: 0,
    served: 0,
    waiters: [],
    events: [],
    removed: false,
  };
}

export function requestedAtOf(object: ImageRepositoryObject): string | undefined {
  return object.metadata.annotations?.[RECONCILE_REQUEST_ANNOTATION];
}

/** Objects that resolve to the same credentials, TLS and proxy may share one listing. */
export function shareKey(object: ImageRepositoryObject): string {
  const s = object.spec;
  return JSON.stringify([
    object.metadata.namespace,
    s.secretRef?.name,
    s.serviceAccountName,
    s.certSecretRef?.name,
    s.proxySecretRef?.name,
    s.provider ?? 'generic',
    s.insecure ?? false,
  ]);
}
