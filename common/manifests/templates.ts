// Go-template sources are not manifests. A Helm chart's `templates/` (beside its `Chart.yaml`) and any document
// with `{{ … }}` actions become YAML only after rendering; read as YAML they give a wall of false errors (and
// `{{ x }}` keys that are flow mappings). They are left out of validation and of the reconciler's index.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A Go template action (text/template's `{{ … }}`) outside quotes and comments on its line. */
const UNQUOTED_ACTION = /^[^"'#]*\{\{/;

/** A line whose value is a block scalar (`key: |`, `- >-`, `key: |2 # note`): the lines below it are text. */
const BLOCK_SCALAR = /(?:^|:|-)\s*[|>][-+1-9]{0,2}\s*(?:#.*)?$/;

/**
 * True when `text` holds a Go template action where YAML would read it as text of the document itself. Actions
 * in quotes or in a block scalar are plain strings to YAML and to the cluster (an ImageUpdateAutomation's
 * `messageTemplate`, a HelmRelease's values for `tpl`, alert texts), so such documents are real manifests.
 */
export function hasTemplateActions(text: string): boolean {
  if (!text.includes('{{') || !text.includes('}}')) return false;
  let blockIndent = -1;
  for (const line of text.split('\n')) {
    const indent = line.search(/\S/);
    if (blockIndent >= 0) {
      if (indent === -1 || indent > blockIndent) continue;
      blockIndent = -1;
    }
    if (UNQUOTED_ACTION.test(line)) return true;
    if (BLOCK_SCALAR.test(line)) blockIndent = indent;
  }
  return false;
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
