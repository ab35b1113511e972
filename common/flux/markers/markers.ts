// Image-update markers as image-automation-controller v1.2.0 finds them (internal/update/setters.go with
// sigs.k8s.io/kustomize/kyaml v0.21.1 fieldmeta FieldMeta.Read/processShortHand on go-yaml v3 nodes):
// - only files containing the literal `"$imagepolicy"` are read (ScreeningLocalReader);
// - only scalar values are set; the marker is the value's line comment, or, when the line has none, its head
//   comment, which go-yaml v3 gives to sequence items (a comment above `key: value` belongs to the key, so it
//   marks nothing);
// - the comment, with its leading `#`s removed, must be a JSON object of string values (Go's
//   json.Unmarshal into map[string]string) whose `$imagepolicy` names a setter `<ns>:<name>` (whole image),
//   `<ns>:<name>:tag`, `<ns>:<name>:name` or `<ns>:<name>:digest`.
import { isCollection, isScalar, parseAllDocuments, visit, type Node, type Scalar } from 'yaml';
import type { ImageRef } from '../../model';
import type { OldScalar, ScalarStyle } from './quoting';
import { markedNodesByLines, type MarkedNode } from './lineMarkers';

export const SETTER_SHORT_HAND = '$imagepolicy';
/** The screening token: `fmt.Sprintf("%q", "$imagepolicy")`. */
export const SCREENING_TOKEN = '"$imagepolicy"';

export type SetterField = 'image' | 'tag' | 'name' | 'digest';

export interface ImagePolicyMarker {
  /** The setter name as written (`ns:name:tag`). */
  setter: string;
  policy: { namespace: string; name: string };
  field: SetterField;
  /** The scalar's current value. */
  value: string;
  /** Offsets of the scalar (with its quotes) in the text. */
  valueRange: [number, number];
  /** Offsets of the comment text, from its `#`. */
  commentRange: [number, number];
  /** How the value is written (style, explicit tag, flow context): what the automation's encoder starts from. */
  scalar: OldScalar;
}

/** A comment that names `$imagepolicy` but is no marker the automation would use, and why. */
export interface MarkerProblem {
  message: string;
  range: [number, number];
  kind: 'malformed' | 'notScalar' | 'unknownField';
}

/** The setter a marker names, split as the automation defines setters (`ns:name` plus `:tag|:name|:digest`). */
export function parseSetterName(setter: string): { namespace: string; name: string; field: SetterField } | undefined {
  const parts = setter.split(':');
  if (parts.length === 2 && parts[0] && parts[1]) return { namespace: parts[0], name: parts[1], field: 'image' };
  if (parts.length === 3 && parts[0] && parts[1] && (parts[2] === 'tag' || parts[2] === 'name' || parts[2] === 'digest')) {
    return { namespace: parts[0], name: parts[1], field: parts[2] };
  }
  return undefined;
}

/**
 * The value the automation writes for a setter: `ImageRef.String()` (`name:tag`, `name:tag@digest`) for the
 * whole image, else the tag, the name or the digest of status.latestRef.
 */
export function setterValue(field: SetterField, latestRef: ImageRef): string {
  switch (field) {
    case 'tag':
      return latestRef.tag;
    case 'name':
      return latestRef.name;
    case 'digest':
      return latestRef.digest ?? '';
    default:
      return latestRef.digest ? `${latestRef.name}:${latestRef.tag}@${latestRef.digest}` : `${latestRef.name}:${latestRef.tag}`;
  }
}

/** processShortHand's JSON: the `$imagepolicy` value, or why the comment is not a marker. */
function shortHand(comment: string): { setter: string } | { problem: string } | undefined {
  const text = comment.replace(/^#+/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text.includes(SETTER_SHORT_HAND) ? { problem: 'the comment is not valid JSON' } : undefined;
  }
  if (parsed === null) return undefined;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) return text.includes(SETTER_SHORT_HAND) ? { problem: 'the comment is not a JSON object' } : undefined;
  const values = Object.values(parsed as Record<string, unknown>);
  const setter = (parsed as Record<string, unknown>)[SETTER_SHORT_HAND];
  if (values.some((v) => typeof v !== 'string')) return setter === undefined ? undefined : { problem: 'every value of the JSON object must be a string' };
  return typeof setter === 'string' && setter !== '' ? { setter } : undefined;
}

const LINE_COMMENT = /^[ \t]+(#.*?)[ \t]*$/;
const COMMENT_LINE = /^[ \t]*(#.*?)[ \t]*\r?$/;

function lineBounds(text: string, offset: number): [number, number] {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const nl = text.indexOf('\n', offset);
  return [start, nl === -1 ? text.length : nl];
}

/** The comment after the scalar on its own line, with its offset. */
function lineComment(text: string, valueEnd: number): { text: string; start: number } | undefined {
  const [, end] = lineBounds(text, valueEnd);
  const rest = text.slice(valueEnd, end).replace(/\r$/, '');
  const m = LINE_COMMENT.exec(rest);
  return m ? { text: m[1], start: valueEnd + rest.indexOf('#') } : undefined;
}

/** A block scalar's comment is on its header line (`image: |- # {…}`), which go-yaml v3 makes its line comment. */
function blockHeaderComment(text: string, valueStart: number): { text: string; start: number } | undefined {
  const [, end] = lineBounds(text, valueStart);
  const header = text.slice(valueStart, end).replace(/\r$/, '');
  const m = /^[|>][0-9+-]*([ \t]+)(#.*?)[ \t]*$/.exec(header);
  return m ? { text: m[2], start: valueStart + header.indexOf('#') } : undefined;
}

/** The line comment of a scalar or flow collection that ends at `end` (a block scalar: its header's). */
function valueComment(text: string, node: Node): { text: string; start: number } | undefined {
  const range = (node as { range?: [number, number, number] }).range!;
  if (isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED')) return blockHeaderComment(text, range[0]);
  return lineComment(text, range[1]);
}

/** go-yaml v3's head comment of a block sequence item: the comment lines directly above its `-` line. */
function headComment(text: string, valueStart: number): { text: string; start: number } | undefined {
  let [lineStart] = lineBounds(text, valueStart);
  const lines: { text: string; start: number }[] = [];
  while (lineStart > 0) {
    const [prevStart] = lineBounds(text, lineStart - 1);
    const m = COMMENT_LINE.exec(text.slice(prevStart, lineStart - 1));
    if (!m) break;
    lines.unshift({ text: m[1], start: prevStart + text.slice(prevStart, lineStart - 1).indexOf('#') });
    lineStart = prevStart;
  }
  if (lines.length === 0) return undefined;
  return { text: lines.map((l) => l.text).join('\n'), start: lines[0].start };
}

const STYLES: Record<string, ScalarStyle> = {
  PLAIN: 'plain', QUOTE_SINGLE: 'single', QUOTE_DOUBLE: 'double', BLOCK_LITERAL: 'literal', BLOCK_FOLDED: 'folded',
};

function oldScalar(node: Scalar, flow: boolean): OldScalar {
  const style = STYLES[node.type ?? 'PLAIN'] ?? 'plain';
  const value = style === 'plain' ? (node.source ?? '') : String(node.value ?? '');
  const explicitTag = node.tag ? node.tag.replace(/^tag:yaml\.org,2002:/, '!!') : undefined;
  return { style, value, flow, ...(explicitTag ? { explicitTag } : {}) };
}

/**
 * Markers of a YAML text, one document or a whole file (as the automation reads a file, after the
 * `"$imagepolicy"` screen), in the order of their place in the text. A text with a document that does not parse
 * gives no markers and its first error: the automation's ScreeningLocalReader (image-automation-controller
 * internal/update/filereader.go) records such a file as a problem file and leaves it alone; the caller names it.
 *
 * `trustSyntax`: the caller does not need a syntax error elsewhere in the document to hide its markers — it
 * parsed this very text without errors, or does not report syntax for it. Then the markers are found line by line
 * (lineMarkers.ts) and the document is parsed only when its shape needs it; for a document that parses, the
 * answer is the same (test/unit/markers-lines.test.ts).
 */
export function findMarkers(text: string, options: { trustSyntax?: boolean } = {}): { markers: ImagePolicyMarker[]; problems: MarkerProblem[]; syntaxError?: string } {
  const markers: ImagePolicyMarker[] = [];
  const problems: MarkerProblem[] = [];
  if (!text.includes(SCREENING_TOKEN)) return { markers, problems };
  const byLines = options.trustSyntax ? markedNodesByLines(text, SETTER_SHORT_HAND) : undefined;
  if (byLines) {
    for (const node of byLines) {
      const line = lineComment(text, node.range[1]);
      consider(node, lineScalar(text, node), line ?? (node.sequenceItem && node.scalar ? headComment(text, node.range[0]) : undefined), markers, problems);
    }
    return sorted(markers, problems);
  }
  const docs = parseAllDocuments(text, { keepSourceTokens: false });
  if (!Array.isArray(docs)) return { markers, problems };
  const broken = docs.find((d) => d.errors.length > 0);
  if (broken) return { markers, problems, syntaxError: broken.errors[0].message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '') };
  const marked = (node: Node, flow: boolean, sequenceItem: boolean): [MarkedNode, OldScalar | undefined] => {
    const scalar = isScalar(node) ? oldScalar(node, flow) : undefined;
    return [{ scalar: scalar !== undefined, value: scalar?.value ?? '', range: [node.range![0], node.range![1]], sequenceItem }, scalar];
  };
  const inFlow = (path: readonly unknown[]) => path.some((p) => isCollection(p) && p.flow === true);
  for (const doc of docs) {
    visit(doc, {
      Pair(_, pair, path) {
        const value = pair.value as Node | null;
        if (!value || !('range' in value) || !value.range) return;
        if (!isCollection(value) || value.flow) consider(...marked(value, inFlow(path), false), valueComment(text, value), markers, problems);
      },
      Seq(_, seq) {
        if (seq.flow) return;
        for (const item of seq.items as Node[]) {
          if (!item || !('range' in item) || !item.range) continue;
          const line = isCollection(item) && !item.flow ? undefined : valueComment(text, item);
          consider(...marked(item, false, true), line ?? (isScalar(item) ? headComment(text, item.range[0]) : undefined), markers, problems);
        }
      },
    });
  }
  return sorted(markers, problems);
}

/** How a value the line path read is written: its quotes; lines give up on tags, block and flow scalars. */
function lineScalar(text: string, node: MarkedNode): OldScalar | undefined {
  if (!node.scalar) return undefined;
  const first = text[node.range[0]];
  const style: ScalarStyle = first === "'" ? 'single' : first === '"' ? 'double' : 'plain';
  return { style, value: node.value, flow: false };
}

function sorted(markers: ImagePolicyMarker[], problems: MarkerProblem[]): { markers: ImagePolicyMarker[]; problems: MarkerProblem[] } {
  markers.sort((a, b) => a.commentRange[0] - b.commentRange[0] || a.valueRange[0] - b.valueRange[0]);
  problems.sort((a, b) => a.range[0] - b.range[0]);
  return { markers, problems };
}

/** processShortHand on the comment of `node`: a marker, a problem, or nothing. */
function consider(node: MarkedNode, scalar: OldScalar | undefined, comment: { text: string; start: number } | undefined, markers: ImagePolicyMarker[], problems: MarkerProblem[]): void {
  if (!comment || !comment.text.includes(SETTER_SHORT_HAND)) return;
  const commentRange: [number, number] = [comment.start, comment.start + comment.text.length];
  const found = shortHand(comment.text);
  if (!found) return;
  if ('problem' in found) {
    problems.push({ kind: 'malformed', range: commentRange, message: `not an image policy marker: ${found.problem}; write {"$imagepolicy": "<namespace>:<name>"} (optionally with :tag, :name or :digest)` });
    return;
  }
  if (!scalar) {
    problems.push({ kind: 'notScalar', range: commentRange, message: 'image policy markers set only scalar values; this one marks a mapping or list and is ignored' });
    return;
  }
  const setter = parseSetterName(found.setter);
  if (!setter) {
    problems.push({ kind: 'unknownField', range: commentRange, message: `'${found.setter}' names no setter: use <namespace>:<name>, or add :tag, :name or :digest` });
    return;
  }
  markers.push({
    setter: found.setter,
    policy: { namespace: setter.namespace, name: setter.name },
    field: setter.field,
    value: scalar.value,
    valueRange: node.range,
    commentRange,
    scalar,
  });
}
