// The `kubectl describe` text for an ImageRepository: common/flux/describe.ts, which `tagline scan --format describe`
// prints too, so the editor and the terminal describe an object identically.
import { formatDescribe } from '../../../common/flux/describe';
import { emptyStatus, type FluxEvent } from '../../../common/model';
import type { RepositoryView } from '../host/state';

export function describeText(view: RepositoryView, events: FluxEvent[], now = Date.now()): string {
  return formatDescribe([{ object: view.object, status: view.status ?? emptyStatus(), events }], now);
}
