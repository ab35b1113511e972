// Plain scalars as kubectl reads them. kubectl and Flux's kustomize-controller decode manifests with
// sigs.k8s.io/yaml, which uses go-yaml v2 (its fork sigs.k8s.io/yaml/goyaml.v2, resolve.go `resolve`): YAML 1.1
// booleans (`yes`, `on`, `off`, `n`, …), integers as Go's `strconv.ParseInt(s, 0, 64)` reads them after removing
// `_` (so `0755` is octal, `0o17`, `0x1F` and `0b101` too), floats only in the YAML style (no sexagesimal
// `1:20`, which stays a string). Both parsers of this project (the fast path and the `yaml` package through
// `goYamlTags`) resolve plain scalars with this one function, so they cannot disagree.
import { Scalar, type ScalarTag } from 'yaml';

const TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const NULL = new Set(['', '~', 'null', 'Null', 'NULL']);
const SPECIAL_FLOATS: Record<string, number> = {
  '.nan': NaN, '.NaN': NaN, '.NAN': NaN,
  '.inf': Infinity, '.Inf': Infinity, '.INF': Infinity, '+.inf': Infinity, '+.Inf': Infinity, '+.INF': Infinity,
  '-.inf': -Infinity, '-.Inf': -Infinity, '-.INF': -Infinity,
};
/** go-yaml's `yamlStyleFloat`. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What Go's `strconv.ParseInt(s, 0, 64)` accepts (underscores already removed); `0b…` included. */
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
/** Go's ParseFloat for a value starting with `.` (go-yaml's '.' hint). */
const DOT_FLOAT = /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/;

function goInt(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[-+]/, '');
  if (/^0[xX]/.test(body)) return sign * parseInt(body.slice(2), 16);
  if (/^0[oO]/.test(body)) return sign * parseInt(body.slice(2), 8);
  if (/^0[bB]/.test(body)) return sign * parseInt(body.slice(2), 2);
  if (body.length > 1 && body.startsWith('0')) return sign * parseInt(body.slice(1), 8);
  return sign * Number(body);
}

/**
 * The value go-yaml v2 gives a plain (unquoted, untagged) scalar: boolean, null, number, or the text itself.
 * Timestamps stay text (sigs.k8s.io/yaml turns them back into strings).
 */
export function resolvePlainScalar(text: string): string | number | boolean | null {
  if (NULL.has(text)) return null;
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  if (text in SPECIAL_FLOATS) return SPECIAL_FLOATS[text]!;
  const first = text.charCodeAt(0);
  if (first === 46 /* . */) return DOT_FLOAT.test(text) ? Number(text) : text;
  const digitOrSign = (first >= 48 && first <= 57) || first === 43 || first === 45;
  if (!digitOrSign) return text;
  const plain = text.replace(/_/g, '');
  if (GO_INT.test(plain)) return goInt(plain);
  if (YAML_STYLE_FLOAT.test(plain)) return Number(plain);
  if (/^-0[bB][01]+$/.test(plain)) return -parseInt(plain.slice(3), 2);
  return text;
}

const resolvesTo = (type: string) => (text: string) => {
  const value = resolvePlainScalar(text);
  return value === null ? type === 'null' : typeof value === type;
};

function tag(name: string, type: string): ScalarTag {
  const test = resolvesTo(type);
  return {
    tag: `tag:yaml.org,2002:${name}`,
    default: true,
    // The `yaml` package only needs `.test(source)` from a tag's pattern.
    test: { test } as unknown as RegExp,
    resolve: (text: string) => new Scalar(resolvePlainScalar(text)),
  } as ScalarTag;
}

/**
 * `customTags` for the `yaml` package's `yaml-1.1` schema: its own null, bool, int, float and timestamp
 * resolution (which differs from go-yaml v2 on sexagesimal, `0o17`, `1e3` and dates) replaced by
 * `resolvePlainScalar`; maps, sequences, strings, merge keys and explicit tags are kept.
 */
export function goYamlTags(tags: unknown[]): unknown[] {
  const replaced = new Set(['tag:yaml.org,2002:null', 'tag:yaml.org,2002:bool', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:timestamp']);
  const kept = tags.filter((t) => !(typeof t === 'object' && t !== null && replaced.has((t as ScalarTag).tag) && 'test' in t));
  return [...kept, tag('null', 'null'), tag('bool', 'boolean'), tag('int', 'number'), tag('float', 'number')];
}
