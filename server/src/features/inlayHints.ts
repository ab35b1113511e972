// `latest: 6.5.0 · 12 tags · scanned 3m ago` after spec.image, once the reconciler has a status for it.
import type { ParsedManifest } from '../../../common/manifests';
import type { ImageRepositoryObject, Position, Range } from '../../../common/model';
import type { ObjectStatus } from '../../../common/protocol';
import type { StatusStore } from '../workspace/statuses';
import { timeAgo } from '../../../common/timeAgo';

export interface InlayHint { position: Position; label: string; paddingLeft: boolean; tooltip?: string }

/** `policies`: what the repository's ImagePolicies select (`storefront → 1.10.0`), shown instead of `latest:`. */
export function inlayLabel(status: ObjectStatus, now: number, policies?: string): string | undefined {
  const scan = status.status.lastScanResult;
  if (!scan) return status.scanning ? 'scanning…' : undefined;
  const parts: string[] = [];
  if (policies) parts.push(policies);
  else if (scan.latestTags?.length) parts.push(`latest: ${scan.latestTags[0]}`);
  parts.push(`${scan.tagCount} tag${scan.tagCount === 1 ? '' : 's'}`);
  parts.push(`scanned ${timeAgo(scan.scanTime, now, true)}`);
  return parts.join(' · ');
}

function inside(range: Range, position: Position): boolean {
  return position.line >= range.start.line && position.line <= range.end.line;
}

export function inlayHints(
  manifest: ParsedManifest, range: Range, statuses: StatusStore, now: number, policyLabels?: Map<ImageRepositoryObject, string>,
): InlayHint[] {
  const hints: InlayHint[] = [];
  for (const object of manifest.objects.imageRepositories) {
    const at = object.source?.imageRange?.end;
    if (!at || !inside(range, at)) continue;
    const status = statuses.forObject(object);
    const label = status && inlayLabel(status, now, policyLabels?.get(object));
    if (label) hints.push({ position: at, label, paddingLeft: true });
  }
  return hints;
}
