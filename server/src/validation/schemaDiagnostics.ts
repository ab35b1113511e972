// ajv errors against schemas/imagerepository-v1.json → diagnostics on the offending key or value, with wording
// that says what to write instead.
import { isMap, type Node } from 'yaml';
import type { ParsedChunk } from '../../../common/manifests';
import type { Range } from '../../../common/model';
import { isRecord } from '../../../common/manifests/objects';
import { closestName } from './suggest';
import { Severity, SOURCE, type QuickFix, type TaglineDiagnostic } from './types';
import { keyAt, nodeAt, nodeRange, pointerToPath, type PathSegment } from '../../../common/manifests/yamlPath';

const PATTERN_HINTS: Record<string, string> = {
  '/spec/interval': 'use a Go duration with the units ms, s, m or h, e.g. 5m or 1h30m',
  '/spec/timeout': 'use a Go duration with the units ms, s or m (the CRD allows no h), e.g. 30s or 90m',
  '/metadata/name': "use a DNS subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
  '/metadata/namespace': "use a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit",
};

/** Values written by the "add missing field" quick fix. */
const REQUIRED_DEFAULTS: Record<string, string> = {
  '/spec/interval': '5m',
  '/spec/image': '""',
  '/metadata/name': 'my-repository',
};

function dotted(path: PathSegment[]): string {
  return path.length === 0 ? 'the document' : path.map((s) => (typeof s === 'number' ? `[${s}]` : s)).join('.').replace(/\.\[/g, '[');
}

function documentStart(chunk: ParsedChunk): Range {
  const first = isMap(chunk.doc.contents) ? chunk.doc.contents.items[0]?.key as Node | undefined : undefined;
  return nodeRange(chunk.lines, first) ?? chunk.range;
}

/** Indentation of the items of the mapping at `path`, or one level deeper than its key when it is empty. */
function childIndent(chunk: ParsedChunk, path: PathSegment[]): string | undefined {
  const node = path.length === 0 ? chunk.doc.contents : nodeAt(chunk.doc, path);
  if (!isMap(node) || node.flow) return undefined;
  const first = node.items[0]?.key as Node | undefined;
  const range = nodeRange(chunk.lines, first);
  return range ? ' '.repeat(range.start.character) : undefined;
}

function addFieldFix(chunk: ParsedChunk, parent: PathSegment[], field: string): QuickFix | undefined {
  const pointer = `/${[...parent, field].join('/')}`;
  const inSecretRef = field === 'name' && /secretref$/i.test(String(parent[parent.length - 1]));
  const value = REQUIRED_DEFAULTS[pointer] ?? (inSecretRef ? '""' : undefined);
  const indent = childIndent(chunk, parent);
  const key = keyAt(chunk.doc, parent);
  const keyRange = nodeRange(chunk.lines, key);
  if (value === undefined || indent === undefined || !keyRange) return undefined;
  const at = { line: keyRange.start.line + 1, character: 0 };
  return {
    title: `Add missing field ${dotted([...parent, field])}`,
    edits: [{ range: { start: at, end: at }, newText: `${indent}${field}: ${value}\n` }],
    preferred: true,
  };
}

export function schemaDiagnostics(chunk: ParsedChunk): TaglineDiagnostic[] {
  const out: TaglineDiagnostic[] = [];
  const seen = new Set<string>();
  for (const error of chunk.schemaErrors) {
    // The apiVersion gets its own check with a migration fix (semantic.ts).
    if (error.instancePath === '/apiVersion') continue;
    const path = pointerToPath(error.instancePath);
    const value = nodeAt(chunk.doc, path);
    const key = keyAt(chunk.doc, path);
    const valueRange = nodeRange(chunk.lines, value) ?? nodeRange(chunk.lines, key) ?? documentStart(chunk);
    const keyRange = nodeRange(chunk.lines, key) ?? valueRange;
    const where = dotted(path);
    let diagnostic: TaglineDiagnostic | undefined;
    const make = (range: Range, code: string, message: string, fixes?: QuickFix[]): TaglineDiagnostic => ({
      range, severity: Severity.Error, code, source: SOURCE, message, ...(fixes?.length ? { data: { fixes } } : {}),
    });
    switch (error.keyword) {
      case 'required': {
        const field = String(error.params.missingProperty);
        const fix = addFieldFix(chunk, path, field);
        diagnostic = make(path.length === 0 ? documentStart(chunk) : keyRange, 'schema.required',
          `Missing required field ${dotted([...path, field])}.`, fix ? [fix] : undefined);
        break;
      }
      case 'additionalProperties': {
        const field = String(error.params.additionalProperty);
        const fieldKey = keyAt(chunk.doc, [...path, field]);
        const fieldRange = nodeRange(chunk.lines, fieldKey);
        const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        const meant = closestName(field, known.filter((name) => !Object.hasOwn(isRecord(error.data) ? error.data : {}, name)));
        const rename = meant && fieldRange ? [{ title: `Rename to ${meant}`, edits: [{ range: fieldRange, newText: meant }], preferred: true }] : undefined;
        diagnostic = make(fieldRange ?? valueRange, 'schema.unknownField',
          `Unknown field ${dotted([...path, field])}: the API server drops it (or rejects the object with strict field validation).${meant ? ` Did you mean ${dotted([...path, meant])}?` : ''}`, rename);
        break;
      }
      case 'type':
        diagnostic = make(valueRange, 'schema.type', `${where} must be ${article(String(error.params.type))}.`);
        break;
      case 'pattern': {
        const shown = typeof error.data === 'string' ? JSON.stringify(error.data) : where;
        const hint = PATTERN_HINTS[error.instancePath] ?? `it must match ${String(error.params.pattern)}`;
        diagnostic = make(valueRange, 'schema.pattern', `${shown} is not a valid ${path[path.length - 1]}: ${hint}.`);
        break;
      }
      case 'enum': {
        const allowed = (error.params.allowedValues as unknown[]).map(String).join(', ');
        diagnostic = make(valueRange, 'schema.enum', `${JSON.stringify(error.data)} is not allowed for ${where}; use one of: ${allowed}.`);
        break;
      }
      case 'maxItems':
        diagnostic = make(keyRange, 'schema.maxItems',
          `${where} has ${Array.isArray(error.data) ? error.data.length : 'too many'} entries; at most ${String(error.params.limit)} are allowed.`);
        break;
      case 'x-kubernetes-validations': {
        // A CRD CEL rule (ImagePolicy spec.interval / digestReflectionPolicy): the API server's message.
        const field = keyAt(chunk.doc, ['spec', 'interval']) ?? keyAt(chunk.doc, ['spec', 'digestReflectionPolicy']);
        diagnostic = make(nodeRange(chunk.lines, field) ?? keyRange, 'schema.cel', `spec: Invalid value: "object": ${error.message ?? ''}`);
        break;
      }
      case 'maxLength':
        diagnostic = make(valueRange, 'schema.maxLength', `${where} is longer than ${String(error.params.limit)} characters.`);
        break;
      default:
        diagnostic = make(valueRange, `schema.${error.keyword}`, `${where} ${error.message ?? 'is invalid'}.`);
    }
    const id = `${diagnostic.code}|${diagnostic.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(diagnostic);
    }
  }
  return out;
}

function article(type: string): string {
  if (type === 'object') return 'a mapping';
  if (type === 'array') return 'a list';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
