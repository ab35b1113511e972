// One word for an ImageRepository's state, read from Flux's conditions the way `flux get` and kstatus do:
// suspended wins, then a running scan, then Stalled, then Ready (True: ready, False: failing), then Reconciling.
import { getCondition } from '../../../common/flux/conditions';
import type { RepositoryView } from './state';

export type Health = 'ready' | 'failing' | 'stalled' | 'scanning' | 'suspended' | 'unknown';

export function healthOf(view: RepositoryView): Health {
  if (view.object.spec.suspend === true) return 'suspended';
  const status = view.status;
  if (view.scanning) return 'scanning';
  if (!status) return 'unknown';
  if (getCondition(status, 'Stalled')?.status === 'True') return 'stalled';
  const ready = getCondition(status, 'Ready');
  if (ready?.status === 'True') return 'ready';
  if (ready?.status === 'False') return 'failing';
  return getCondition(status, 'Reconciling')?.status === 'True' ? 'scanning' : 'unknown';
}
