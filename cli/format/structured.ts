// `--format json|yaml`: a list of Flux-shaped objects, the way `kubectl get -o` shows them, plus their events.
import { stringify } from 'yaml';
import type { PolicyReport, ScanReport } from '../../common/flux/report';

function toDocuments(reports: (ScanReport | PolicyReport)[]) {
  return reports.map((r) => ({
    apiVersion: r.object.apiVersion,
    kind: r.object.kind,
    metadata: { name: r.object.metadata.name, namespace: r.object.metadata.namespace },
    status: r.status,
    events: r.events,
  }));
}

export function formatJson(reports: (ScanReport | PolicyReport)[]): string {
  return JSON.stringify(toDocuments(reports), null, 2) + '\n';
}

export function formatYaml(reports: (ScanReport | PolicyReport)[]): string {
  return stringify(toDocuments(reports), { lineWidth: 0 });
}
