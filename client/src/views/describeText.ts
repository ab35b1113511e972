// The `kubectl describe` text for an ImageRepository: the CLI's formatter (`tagline scan --format describe`),
// so the editor and the terminal describe an object identically.
import { formatDescribe } from '../../../common/flux/describe';
import type { FluxEvent, ImageRepositoryStatus } from '../../../common/model';
import type { RepositoryView } from '../host/state';

/** The CRD's default status: what kubectl shows before the controller wrote one. */
const NO_STATUS: ImageRepositoryStatus = { observedGeneration: -1, conditions: [] };

export function describeText(view: RepositoryView, events: FluxEvent[], now = Date.now()): string {
  return formatDescribe([{ object: view.object, status: view.status ?? NO_STATUS, events }], now);
}
