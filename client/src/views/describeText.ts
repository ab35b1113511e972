// The `kubectl describe` layout for an ImageRepository: object fields, Spec, Status, then an Events table
// with kubectl's columns (Type, Reason, Age, From, Message).
import type { FluxEvent } from '../../../common/model';
import type { RepositoryView } from '../host/state';

export function describeText(view: RepositoryView, events: FluxEvent[], now = Date.now()): string {
  const o = view.object;
  const out: string[] = [];
  const field = (indent: number, name: string, value: string | number | boolean | undefined) => {
    if (value === undefined || value === '') return;
    out.push(`${' '.repeat(indent)}${(name + ':').padEnd(Math.max(14 - indent, name.length + 2))}${value}`);
  };
  field(0, 'Name', o.metadata.name);
  field(0, 'Namespace', o.metadata.namespace);
  out.push('Labels:       ' + labelLines(o.metadata.labels));
  out.push('Annotations:  ' + labelLines(o.metadata.annotations));
  field(0, 'API Version', o.apiVersion);
  field(0, 'Kind', o.kind);
  out.push('Spec:');
  const s = o.spec;
  field(2, 'Image', s.image);
  field(2, 'Interval', s.interval);
  field(2, 'Timeout', s.timeout);
  field(2, 'Provider', s.provider);
  field(2, 'Insecure', s.insecure);
  field(2, 'Suspend', s.suspend);
  field(2, 'Service Account Name', s.serviceAccountName);
  if (s.secretRef) out.push(`  Secret Ref:\n    Name:  ${s.secretRef.name}`);
  if (s.certSecretRef) out.push(`  Cert Secret Ref:\n    Name:  ${s.certSecretRef.name}`);
  if (s.proxySecretRef) out.push(`  Proxy Secret Ref:\n    Name:  ${s.proxySecretRef.name}`);
  if (s.exclusionList) out.push('  Exclusion List:', ...s.exclusionList.map((e) => `    ${e}`));
  const st = view.status;
  if (st) {
    out.push('Status:');
    field(2, 'Canonical Image Name', st.canonicalImageName);
    if (st.conditions.length) out.push('  Conditions:');
    for (const c of st.conditions) {
      out.push(`    Last Transition Time:  ${c.lastTransitionTime}`);
      out.push(`    Message:               ${c.message}`);
      out.push(`    Observed Generation:   ${c.observedGeneration}`);
      out.push(`    Reason:                ${c.reason}`);
      out.push(`    Status:                ${c.status}`);
      out.push(`    Type:                  ${c.type}`);
    }
    field(2, 'Last Handled Reconcile At', st.lastHandledReconcileAt);
    if (st.lastScanResult) {
      out.push('  Last Scan Result:');
      if (st.lastScanResult.latestTags?.length) out.push('    Latest Tags:', ...st.lastScanResult.latestTags.map((t) => `      ${t}`));
      out.push(`    Revision:   ${st.lastScanResult.revision}`);
      out.push(`    Scan Time:  ${st.lastScanResult.scanTime}`);
      out.push(`    Tag Count:  ${st.lastScanResult.tagCount}`);
    }
    if (st.observedExclusionList) out.push('  Observed Exclusion List:', ...st.observedExclusionList.map((e) => `    ${e}`));
    out.push(`  Observed Generation:  ${st.observedGeneration}`);
  }
  out.push(...eventsTable(events, now));
  return out.join('\n') + '\n';
}

function labelLines(m: Record<string, string> | undefined): string {
  const entries = Object.entries(m ?? {});
  if (entries.length === 0) return '<none>';
  return entries.map(([k, v], i) => (i === 0 ? '' : '              ') + `${k}: ${v}`).join('\n');
}

/** kubectl shows Trace events as Normal (the Flux recorder posts them that way, flux-behaviour.md §4.4). */
export function eventsTable(events: FluxEvent[], now = Date.now()): string[] {
  if (events.length === 0) return ['Events:  <none>'];
  const rows = events.map((e) => [e.type === 'Trace' ? 'Normal' : e.type, e.reason, age(now - Date.parse(e.timestamp)), 'image-reflector-controller', e.message]);
  const head = ['Type', 'Reason', 'Age', 'From', 'Message'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '  ' + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return ['Events:', line(head), line(head.map((_, i) => '-'.repeat(head[i].length))), ...rows.map(line)];
}

/** kubectl's short age: 45s, 3m12s, 5h, 2d. */
function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h` : `${Math.floor(h / 24)}d`;
}
