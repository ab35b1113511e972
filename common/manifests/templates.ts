// Go-template sources are not manifests. A Helm chart's `templates/` (beside its `Chart.yaml`) and any document
// with `{{ … }}` actions become YAML only after rendering; read as YAML they give a wall of false errors (and
// `{{ x }}` keys that are flow mappings). They are left out of validation and of the reconciler's index.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A Go template action (text/template's `{{ … }}`) outside quotes and comments on its line. Quoted actions are
 * plain strings to YAML and to the cluster (a HelmRelease's values for `tpl`, alert texts), so such documents
 * are real manifests.
 */
const UNQUOTED_ACTION = /^[^"'\n#]*\{\{/m;

/** True when `text` holds a Go template action where YAML would read it as text of the document itself. */
export function hasTemplateActions(text: string): boolean {
  return text.includes('{{') && text.includes('}}') && UNQUOTED_ACTION.test(text);
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
