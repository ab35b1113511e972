// `--format describe`: like `kubectl describe imagerepository`, field names in Title Case, then Events.
import type { FluxEvent } from '../model';
import type { PolicyReport, ScanReport } from './report';

const CONTROLLER = 'image-reflector-controller';

export function formatDescribe(reports: (ScanReport | PolicyReport)[], now: number = Date.now()): string {
  return reports.map((r) => describeOne(r, now)).join('\n\n') + '\n';
}

function describeOne(r: ScanReport | PolicyReport, now: number): string {
  const { metadata } = r.object;
  const lines: string[] = [];
  section(lines, 0, [
    ['Name', metadata.name],
    ['Namespace', metadata.namespace],
    ['Labels', mapOrNone(metadata.labels)],
    ['Annotations', mapOrNone(metadata.annotations)],
    ['API Version', r.object.apiVersion],
    ['Kind', r.object.kind],
  ]);
  lines.push('Spec:');
  value(lines, 1, r.object.spec);
  lines.push('Status:');
  value(lines, 1, r.status);
  lines.push(`Events:${r.events.length === 0 ? '  <none>' : ''}`);
  if (r.events.length > 0) lines.push(...eventTable(r.events, now));
  return lines.join('\n');
}

function section(lines: string[], depth: number, pairs: [string, string][]): void {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 2;
  for (const [k, v] of pairs) lines.push(`${'  '.repeat(depth)}${(k + ':').padEnd(width)}${v}`);
}

function mapOrNone(map: Record<string, string> | undefined): string {
  const entries = Object.entries(map ?? {});
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}: ${v}`).join('\n              ');
}

/** kubectl's describe of unstructured objects: keys sorted, camelCase split into words, lists item by item. */
function value(lines: string[], depth: number, v: unknown): void {
  const indent = '  '.repeat(depth);
  if (Array.isArray(v)) {
    for (const item of v) {
      if (item && typeof item === 'object') value(lines, depth, item);
      else lines.push(`${indent}${String(item)}`);
    }
    return;
  }
  if (!v || typeof v !== 'object') {
    lines.push(`${indent}${String(v)}`);
    return;
  }
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const scalars = entries.filter(([, x]) => x === null || typeof x !== 'object');
  const width = Math.max(0, ...scalars.map(([k]) => titleCase(k).length)) + 3;
  for (const [k, x] of entries) {
    if (x !== null && typeof x === 'object') {
      lines.push(`${indent}${titleCase(k)}:`);
      value(lines, depth + 1, x);
    } else {
      lines.push(`${indent}${(titleCase(k) + ':').padEnd(width)}${String(x)}`);
    }
  }
}

function titleCase(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function eventTable(events: FluxEvent[], now: number): string[] {
  const rows = [['Type', 'Reason', 'Age', 'From', 'Message'], ['----', '------', '----', '----', '-------']];
  for (const e of events) {
    // The Flux recorder posts Trace events to Kubernetes as Normal ones.
    const type = e.type === 'Trace' ? 'Normal' : e.type;
    rows.push([type, e.reason, age(now - Date.parse(e.timestamp)), CONTROLLER, e.message]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => '  ' + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 2))).join(''));
}

/** kubectl's short ages: 5s, 3m, 2h, 4d. */
function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}
