// What the reconciler keeps per object between reconciles, and how an object maps to its scheduling inputs.
import { RECONCILE_REQUEST_ANNOTATION } from '../../../common/flux/scheduling';
import { emptyStatus, type FluxEvent, type ImageRepositoryObject, type ImageRepositoryStatus } from '../../../common/model';
import type { StoredObject } from '../store';

export interface Entry {
  key: string;
  object: ImageRepositoryObject;
  generation: number;
  status: ImageRepositoryStatus;
  /** A local rescan request, standing in for a newer requestedAt annotation value. */
  requestedOverride?: string;
  scanning: boolean;
  failures: number;
  timer?: unknown;
  /** When the requeue timer is due (clock ms), so a cancelled rescan can put the schedule back. */
  timerDueAt?: number;
  running?: Run;
  again: boolean;
  /** The pending `again` was asked for by rescan requests only (no new generation, timer or restart). */
  againForRequestsOnly: boolean;
  /** Requests counted up; a run serves the requests made before it started. */
  requested: number;
  served: number;
  waiters: Waiter[];
  events: FluxEvent[];
  removed: boolean;
}

export interface Run {
  cancel: AbortController;
  done: Promise<void>;
  /** The requests made before this run started; it serves them. */
  serving: number;
  /** Started only because of rescan requests, so cancelling them may abort it. */
  forRequestsOnly: boolean;
  /** When the requeue timer this run cut short was due (clock ms), restored if the run is withdrawn. */
  resumeAt: number | undefined;
  /** Aborted because every request it served was cancelled: put the object back as it was. */
  withdrawn?: boolean;
}

/** One pending `requestReconcile` for one object. */
export interface Waiter {
  upTo: number;
  resolve: () => void;
  /** The requestedAt token this request set, and the one it replaced (restored if it is cancelled). */
  token: string;
  replaced: string | undefined;
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
    again: false,
    againForRequestsOnly: false,
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
