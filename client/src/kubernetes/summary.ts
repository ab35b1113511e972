// The cluster's view of one object in one line, for the tree, the hover and the benchmark.
import { timeAgo } from '../../../common/timeAgo';
import { latestImage, type ClusterObject } from './objects';

/**
 * The cluster's view in one line, as the hover shows it: `Ready · 211 tags · scanned 3m ago · latest 6.2.0`
 * (ImageRepository: the newest of `latestTags`; ImagePolicy: `latestRef`).
 */
export function clusterSummary(object: ClusterObject, now = Date.now()): string {
  const conditions = object.status.conditions ?? [];
  const stalled = conditions.find((c) => c.type === 'Stalled' && c.status === 'True');
  const ready = conditions.find((c) => c.type === 'Ready');
  const parts: string[] = [];
  if (object.spec.suspend === true) parts.push('suspended');
  if (stalled) parts.push(`Stalled ${stalled.reason}`);
  else if (ready) parts.push(ready.status === 'True' ? 'Ready' : ready.status === 'False' ? `not Ready: ${ready.reason}` : 'reconciling');
  else parts.push('not reconciled yet');
  const scan = object.status.lastScanResult;
  if (scan) {
    parts.push(`${scan.tagCount} tag${scan.tagCount === 1 ? '' : 's'}`);
    if (scan.scanTime) parts.push(`scanned ${timeAgo(scan.scanTime, now, true)}`);
    if (scan.latestTags?.[0]) parts.push(`latest ${scan.latestTags[0]}`);
  }
  const latest = latestImage(object);
  if (latest) parts.push(`latest ${latest}`);
  return parts.join(' · ');
}
