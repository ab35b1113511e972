// `flux get image repository` (fluxcd/flux2 cmd/flux/get_image_repository.go):
// NAME, LAST SCAN, SUSPENDED, READY, MESSAGE, with NAMESPACE first when the objects span several namespaces.
import { getCondition } from './conditions';
import { localRfc3339, type PolicyReport, type ScanReport } from './report';

export function formatTable(reports: ScanReport[]): string {
  const namespaces = new Set(reports.map((r) => r.object.metadata.namespace));
  const withNamespace = namespaces.size > 1;
  const header = [...(withNamespace ? ['NAMESPACE'] : []), 'NAME', 'LAST SCAN', 'SUSPENDED', 'READY', 'MESSAGE'];
  const rows = reports.map((r) => {
    const ready = getCondition(r.status, 'Ready');
    const scanTime = r.status.lastScanResult?.scanTime;
    return [
      ...(withNamespace ? [r.object.metadata.namespace] : []),
      r.object.metadata.name,
      scanTime ? localRfc3339(scanTime) : '',
      r.object.spec.suspend ? 'True' : 'False',
      ready ? ready.status : 'False',
      ready ? ready.message : 'waiting to be reconciled',
    ];
  });
  return renderColumns([header, ...rows]);
}

/**
 * `flux get image policy` (fluxcd/flux2 v2.9 cmd/flux/get_image_policy.go): NAME, IMAGE, TAG, READY, MESSAGE from
 * status.latestRef and the Ready condition, with NAMESPACE first when the objects span several namespaces.
 */
export function formatPolicyTable(reports: PolicyReport[]): string {
  const withNamespace = new Set(reports.map((r) => r.object.metadata.namespace)).size > 1;
  const header = [...(withNamespace ? ['NAMESPACE'] : []), 'NAME', 'IMAGE', 'TAG', 'READY', 'MESSAGE'];
  const rows = reports.map((r) => {
    const ready = getCondition(r.status, 'Ready');
    return [
      ...(withNamespace ? [r.object.metadata.namespace] : []),
      r.object.metadata.name,
      r.status.latestRef?.name ?? '',
      r.status.latestRef?.tag ?? '',
      ready ? ready.status : 'False',
      ready ? ready.message : 'waiting to be reconciled',
    ];
  });
  return renderColumns([header, ...rows]);
}

/**
 * flux's table printer (olekukonko/tablewriter with no borders, NoWhiteSpace and TablePadding "\t"): every cell,
 * the last one too, is padded to its column's width and followed by a tab.
 */
function renderColumns(lines: string[][]): string {
  const cells = lines.map((line) => line.map(oneLine));
  const widths = cells[0].map((_, i) => Math.max(...cells.map((l) => l[i].length)));
  return cells.map((line) => line.map((c, i) => c.padEnd(widths[i]) + '\t').join('')).join('\n') + '\n';
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
