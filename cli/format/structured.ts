// `--format json|yaml`: a list of Flux-shaped objects, the way `kubectl get -o` shows them, plus their events.
import { stringify } from 'yaml';
import type { PolicyReport, ScanReport } from '../../common/flux/report';
import type { SkippedObject } from '../../common/model';
import { shortPath } from '../../common/manifests';

/**
 * Scanned objects with their status and events; then each ImageRepository found and not scanned, with
 * `notScanned: { reason, file, line }` in place of a status (it never had one).
 */
function toDocuments(reports: (ScanReport | PolicyReport)[], skipped: readonly SkippedObject[]) {
  return [
    ...reports.map((r) => ({
      apiVersion: r.object.apiVersion,
      kind: r.object.kind,
      metadata: { name: r.object.metadata.name, namespace: r.object.metadata.namespace },
      status: r.status,
      events: r.events,
    })),
    ...skipped.map((o) => ({
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: { name: o.metadata.name, namespace: o.metadata.namespace },
      notScanned: { reason: o.reason, ...(o.source ? { file: shortPath(o.source.uri), line: o.source.range.start.line + 1 } : {}) },
    })),
  ];
}

export function formatJson(reports: (ScanReport | PolicyReport)[], skipped: readonly SkippedObject[] = []): string {
  return JSON.stringify(toDocuments(reports, skipped), null, 2) + '\n';
}

export function formatYaml(reports: (ScanReport | PolicyReport)[], skipped: readonly SkippedObject[] = []): string {
  return stringify(toDocuments(reports, skipped), { lineWidth: 0 });
}
