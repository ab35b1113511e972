// What `tagline scan` prints, per object: the status the reconciler reached and the events it emitted.
import type { FluxEvent, ImagePolicyObject, ImagePolicyStatus, ImageRepositoryObject, ImageRepositoryStatus } from '../model';

export interface ScanReport {
  object: ImageRepositoryObject;
  status: ImageRepositoryStatus;
  events: FluxEvent[];
}

/** The same for an ImagePolicy, evaluated on the stored tags of its repository. */
export interface PolicyReport {
  object: ImagePolicyObject;
  status: ImagePolicyStatus;
  events: FluxEvent[];
}

/** RFC3339 in the local zone, as metav1.Time decodes and `flux get` prints it (`Z` when local is UTC). */
export function localRfc3339(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const offsetMin = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offsetMin * 60_000).toISOString().replace(/\.\d{3}Z$/, '');
  if (offsetMin === 0) return `${local}Z`;
  const sign = offsetMin > 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
