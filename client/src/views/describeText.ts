// The `kubectl describe` text for an ImageRepository or an ImagePolicy: common/flux/describe.ts, which `tagline scan --format describe`
// prints too, so the editor and the terminal describe an object identically.
import { formatDescribe } from '../../../common/flux/describe';
import { emptyStatus, type FluxEvent } from '../../../common/model';
import type { RepositoryView } from '../host/state';
import type { PolicyView } from '../host/policyState';

export function describeText(view: RepositoryView, events: FluxEvent[], now = Date.now()): string {
  return formatDescribe([{ object: view.object, status: view.status ?? emptyStatus(), events }], now);
}

/** The same for an ImagePolicy; one never reconciled shows the CRD's default status. */
export function describePolicyText(view: PolicyView, events: FluxEvent[], now = Date.now()): string {
  return formatDescribe([{ object: view.object, status: view.status ?? { observedGeneration: -1, conditions: [] }, events }], now);
}
