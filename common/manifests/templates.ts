// Go-template sources are not manifests. A Helm chart's `templates/` (beside its `Chart.yaml`) and any document
// with `{{ … }}` actions become YAML only after rendering; read as YAML they give a wall of false errors (and
// `{{ x }}` keys that are flow mappings). They are left out of validation and of the reconciler's index.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A Go template action: `{{`, optional `-`, anything, optional `-`, `}}` (text/template's delimiters). */
const ACTION = /\{\{[\s\S]*?\}\}/;

export function hasTemplateActions(text: string): boolean {
  return text.includes('{{') && ACTION.test(text);
}

const charts = new Map<string, boolean>();

function holdsChart(folder: string): boolean {
  let known = charts.get(folder);
  if (known === undefined) {
    known = existsSync(join(folder, 'Chart.yaml'));
    if (charts.size > 10_000) charts.clear();
    charts.set(folder, known);
  }
  return known;
}

/**
 * True for a file under a `templates/` folder whose parent holds `Chart.yaml` (Helm's chart layout, nested
 * `charts/*` included), given a `file:` URI or a path. Folder checks are remembered for the process's life.
 */
export function isHelmChartTemplate(uriOrPath: string): boolean {
  let path: string;
  try {
    path = uriOrPath.startsWith('file:') ? fileURLToPath(uriOrPath) : uriOrPath;
  } catch {
    return false;
  }
  if (uriOrPath.includes('://') && !uriOrPath.startsWith('file:')) return false;
  for (let folder = dirname(path); folder !== dirname(folder); folder = dirname(folder)) {
    if (basename(folder) === 'templates' && holdsChart(dirname(folder))) return true;
  }
  return false;
}
