// How go-yaml v3 writes a flow collection (`[a, b]`, `{a: 1}`) that kyaml re-serialises, so the reformat report
// can say when the layout in a file differs and show kyaml's. go-yaml keeps the comments of a flow collection
// on its items (a comment line before an item is the item's head comment, a comment after it on the same line
// its line comment, comment lines after the last item that item's foot comment) and drops a comment written on
// the line of the opening bracket. The emitter then writes items on one line, breaking only around comments.
// Follows go-yaml v3 (go.yaml.in/yaml/v3 v3.0.4, as kyaml v0.21.1 links it) emitterc.go
// yaml_emitter_emit_flow_sequence_item, yaml_emitter_emit_flow_mapping_key/_value, yaml_emitter_write_indent,
// yaml_emitter_process_head_comment/_line_comment/_foot_comment and yaml_emitter_write_comment.
import { isPair, isScalar, isSeq, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';

/** The comments go-yaml v3 attaches to one flow item; each is the comment text from `#` to the line end. */
interface FlowItem {
  text: string;
  head: string[];
  line?: string;
  foot: string[];
}

/** The flow collection as kyaml writes it, and the comments it drops. */
export interface FlowLayout {
  /** From the opening bracket to the closing one, as go-yaml v3 writes it. */
  text: string;
  /** 0-based offsets of comments go-yaml v3 does not keep. */
  dropped: number[];
}

function commentsIn(text: string, from: number, to: number): { offset: number; text: string; ownLine: boolean }[] {
  const found: { offset: number; text: string; ownLine: boolean }[] = [];
  for (let i = text.indexOf('#', from); i !== -1 && i < to; i = text.indexOf('#', i + 1)) {
    if (i > 0 && !/\s/.test(text[i - 1])) continue;
    const end = text.indexOf('\n', i);
    const lineStart = text.lastIndexOf('\n', i - 1) + 1;
    found.push({ offset: i, text: text.slice(i, end === -1 ? undefined : end).replace(/[ \t\r]+$/, ''), ownLine: text.slice(lineStart, i).trim() === '' });
    i = end === -1 ? text.length : end;
  }
  return found;
}

/**
 * go-yaml v3's text for the flow collection `node` of `text` (a sequence of scalars or a mapping of scalar
 * pairs), from its opening to its closing bracket, with `indent` the indentation of its items when the
 * emitter breaks a line (the enclosing block mapping's, plus 2) and `outer` the enclosing block's (where a
 * closing `]` written on a fresh line goes; go-yaml v3 writes a closing `}` at column 0), `lineOfOffset` the
 * line of an offset in `text`. Undefined when an
 * item is not a one-line scalar (nested collections, aliases, multi-line scalars): no prediction then.
 */
export function flowLayout(text: string, node: YAMLMap | YAMLSeq, indent: number, outer: number, lineOfOffset: (offset: number) => number): FlowLayout | undefined {
  if (!node.range) return undefined;
  const [start, end] = [node.range[0], node.range[1]];
  const seq = isSeq(node);
  const close = text.lastIndexOf(seq ? ']' : '}', end);
  if (close < start) return undefined;
  const spans: [number, number, string][] = [];
  for (const item of node.items as (Scalar | Pair)[]) {
    if (isScalar(item) && item.range && !/\n/.test(text.slice(item.range[0], item.range[1]))) {
      spans.push([item.range[0], item.range[1], text.slice(item.range[0], item.range[1])]);
    } else if (isPair(item) && isScalar(item.key) && isScalar(item.value) && item.key.range && item.value.range &&
      lineOfOffset(item.key.range[0]) === lineOfOffset(item.value.range[1])) {
      spans.push([item.key.range[0], item.value.range[1], `${text.slice(item.key.range[0], item.key.range[1])}: ${text.slice(item.value.range[0], item.value.range[1])}`]);
    } else return undefined;
  }
  const comments = commentsIn(text, start, close);
  const dropped: number[] = [];
  const items: FlowItem[] = spans.map(([, , t]) => ({ text: t, head: [], foot: [] }));
  for (const c of comments) {
    const before = spans.filter(([, e]) => e <= c.offset).length;
    const prevEnd = before > 0 ? spans[before - 1][1] : -1;
    if (before > 0 && !c.ownLine && lineOfOffset(prevEnd) === lineOfOffset(c.offset)) items[before - 1].line ??= c.text;
    else if (!c.ownLine) dropped.push(c.offset);
    else if (before < items.length) items[before].head.push(c.text);
    else if (before > 0) items[before - 1].foot.push(c.text);
    else dropped.push(c.offset);
  }
  let out = seq ? '[' : '{';
  let column = text.lastIndexOf('\n', start - 1) === -1 ? start + 1 : start - text.lastIndexOf('\n', start - 1);
  let whitespace = true;
  let indention = false;
  let footIndent = -1;
  const put = (s: string) => { out += s; column += s.length; };
  const putBreak = () => { out += '\n'; column = 0; indention = true; };
  const writeIndent = (at: number) => {
    if (!indention || column > at || (column === at && !whitespace)) putBreak();
    if (footIndent === at) putBreak();
    while (column < at) put(' ');
    whitespace = true;
    footIndent = -1;
  };
  const writeComment = (lines: string[]) => {
    lines.forEach((l, i) => { if (i > 0) { putBreak(); writeIndent(indent); } put(l); indention = false; });
    putBreak();
    whitespace = true;
  };
  let trail = false;
  items.forEach((item, i) => {
    if (i > 0 && !trail) { put(','); whitespace = false; indention = false; }
    if (item.head.length > 0) { writeIndent(indent); writeComment(item.head); }
    if (column === 0) writeIndent(indent);
    if (!whitespace) put(' ');
    put(item.text);
    whitespace = false;
    indention = false;
    trail = item.line !== undefined || item.foot.length > 0;
    if (trail) { put(','); }
    if (item.line !== undefined) { if (!whitespace) put(' '); writeComment([item.line]); }
    if (item.foot.length > 0) { writeIndent(indent); writeComment(item.foot); footIndent = indent; }
  });
  if (seq && column === 0) writeIndent(outer);
  put(seq ? ']' : '}');
  return { text: out, dropped };
}

