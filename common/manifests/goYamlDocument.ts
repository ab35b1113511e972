// The `yaml` package set up to read a manifest as kubectl does (sigs.k8s.io/yaml → go-yaml v2, YAML 1.1), and
// the errors go-yaml raises where the `yaml` package is lenient: an alias to an anchor not defined before it in
// the same document, a merge (`<<`) of something that is not a mapping, a mapping key defined twice.
import { isAlias, isMap, isPair, isScalar, isSeq, Schema, visit, type Document, type DocumentOptions, type Node, type ParseOptions, type SchemaOptions } from 'yaml';
import { goYamlTags } from './goYamlScalars';

/** Options for `parseDocument`: YAML 1.1 with go-yaml v2's plain scalars and merge keys; no console output. */
export const KUBECTL_YAML: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  // Built once: a schema per document would cost more than parsing most manifests.
  schema: new Schema({ schema: 'yaml-1.1', customTags: goYamlTags as SchemaOptions['customTags'], merge: true, resolveKnownTags: false }),
  merge: true,
  uniqueKeys: true,
  prettyErrors: false,
  keepSourceTokens: false,
  // A collection used as a key (`{{ .Values.x }}: …` in a chart template) would make the package print a
  // warning on stderr; go-yaml rejects such a key anyway.
  logLevel: 'error',
};

export interface YamlProblem { pos: [number, number]; message: string; code: string }

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function keyText(node: unknown): string | undefined {
  return isScalar(node) ? String(node.value) : undefined;
}

/**
 * go-yaml v2's errors for a parsed document, with positions in the document's text:
 * `unknown anchor 'a' referenced` (decode.go `alias`), `map merge requires map or sequence of maps as the value`
 * (decode.go `merge`), and `mapping key "k" already defined at line N` for a duplicate key (go-yaml v3's words,
 * which name the first definition; the range is the second).
 */
export function goYamlProblems(doc: Document, text: string): YamlProblem[] {
  const problems: YamlProblem[] = [];
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  visit(doc, {
    Alias(_key, alias) {
      if (!alias.resolve(doc) && alias.range) {
        problems.push({ pos: [alias.range[0], alias.range[1]], message: `unknown anchor '${alias.source}' referenced`, code: 'UNKNOWN_ANCHOR' });
      }
    },
    Map(_key, map) {
      const seen = new Map<string, Node>();
      for (const pair of map.items) {
        if (!isPair(pair)) continue;
        const key = pair.key as Node | null;
        if (isScalar(key) && key.range && text.slice(key.range[0], key.range[1]) === '<<') {
          const value = resolve(pair.value);
          const sources = isSeq(value) ? value.items.map(resolve) : [value];
          const range = (pair.value as Node | null)?.range;
          if ((!value || !sources.every((item) => isMap(item))) && range && sources.every((item) => item !== undefined)) {
            problems.push({ pos: [range[0], range[1]], message: 'map merge requires map or sequence of maps as the value', code: 'BAD_MERGE' });
          }
          continue;
        }
        const name = keyText(key);
        if (name === undefined || !key) continue;
        const first = seen.get(name);
        if (first?.range && key.range) {
          problems.push({ pos: [key.range[0], key.range[1]], message: `mapping key "${name}" already defined at line ${lineOf(text, first.range[0])}`, code: 'DUPLICATE_KEY' });
        } else {
          seen.set(name, key);
        }
      }
    },
  });
  return problems;
}
