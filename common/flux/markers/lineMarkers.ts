// The values a marker comment can mark, found line by line without parsing the document: the fast path of
// findMarkers (markers.ts). Kubernetes manifests are almost always block mappings and sequences of one-line
// scalars, where the value a line comment follows is simply the rest of its line. This module reads each line
// (`key: value # comment`, `- value # comment`, `- key: value`, one-line flow collections, comment lines) and
// gives up — returns undefined, and the caller parses the document — on anything whose reading needs a parser:
// block scalars, multi-line plain, quoted or flow values, explicit keys, directives, tabs in indentation, and
// near a marker comment: anchors, tags, aliases, empty values, values on their own line, plain values the YAML
// 1.2 core schema reads as something other than a string, and double-quoted values with escapes.
// The caller must know that the text parses (the language server parsed every document already): a syntax
// error is the one thing lines cannot tell. test/unit/markers-lines.test.ts compares this with the parse.

/** A node a marker comment may mark, as markers.ts considers it. */
export interface MarkedNode {
  /** A scalar (only these are set); otherwise a flow collection. */
  scalar: boolean;
  /** The scalar's value as the `yaml` package gives it (quotes removed, escapes applied). */
  value: string;
  /** Offsets of the value (with its quotes) in the text. */
  range: [number, number];
  /** A block sequence item (which may also be marked by the comment lines above it). */
  sequenceItem: boolean;
}

const GIVE_UP = undefined;
// Characters where YAML and JavaScript disagree about spaces and line breaks: leave those documents to the parser.
const UNSURE_CHARACTERS = /[\uFEFF\u00A0\u0085\u2028\u2029\v\f\t]|\r(?!\n)/;
/** Plain scalars the YAML 1.2 core schema (the `yaml` package's default) reads as null, a boolean or a number. */
const CORE_NOT_STRING =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
/** Anchors and tags with no value after them: the value is on the lines below. */
const PROPERTIES_ONLY = /^[&!][^ ]*(?: +[&!][^ ]*)*$/;
/** A plain scalar may not start with an indicator (or `-`, `?`, `:` followed by a space). */
const PLAIN_START = /^(?![\[\]{},#&*!|>'"%@`]|[-?:](?:[ \t]|$))/;

/** One value on a line: where it is and what it is. */
interface LineValue {
  kind: 'empty' | 'plain' | 'quoted' | 'flow' | 'unusual';
  start: number;
  end: number;
  value: string;
}

interface ReadLine {
  /** Column of the first character. */
  indent: number;
  /** Column where the content after the `- ` indicators starts. */
  contentColumn: number;
  dashes: number;
  hasKey: boolean;
  value: LineValue;
  /** Offset of the line comment's `#`, or -1. */
  comment: number;
}

/** The end (exclusive, relative to `s`) of the quoted scalar starting at `at`, or -1 when it does not close on the line. */
function quotedEnd(s: string, at: number): number {
  const quote = s[at];
  for (let i = at + 1; i < s.length; i++) {
    if (quote === '"' && s[i] === '\\') {
      i++;
      continue;
    }
    if (s[i] === quote) {
      if (quote === "'" && s[i + 1] === "'") {
        i++;
        continue;
      }
      return i + 1;
    }
  }
  return -1;
}

/** The end of the one-line flow collection starting at `at`, or -1 (unbalanced, or a quote that does not close). */
function flowEnd(s: string, at: number): number {
  let depth = 0;
  for (let i = at; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === "'") {
      const end = quotedEnd(s, i);
      if (end < 0) return -1;
      i = end - 1;
    } else if (c === '[' || c === '{') {
      depth++;
    } else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i + 1;
    } else if (c === '#' && (s[i - 1] === ' ' || s[i - 1] === '\t')) {
      return -1;
    }
  }
  return -1;
}

/** Where the line's comment starts (a `#` after a space), from `at` on, for plain text; -1 when none. */
function plainCommentAt(s: string, at: number): number {
  for (let i = s.indexOf('#', at); i !== -1; i = s.indexOf('#', i + 1)) {
    if (i === at || s[i - 1] === ' ') return i;
  }
  return -1;
}

/**
 * A value starting at `at` of line `s` (after a key's `:` or a `- `): its kind and extent, and where the
 * comment after it starts. undefined when the line cannot be read without a parser.
 */
function readValue(s: string, at: number): { value: LineValue; comment: number } | undefined {
  while (s[at] === ' ') at++;
  if (at >= s.length || s[at] === '#') return { value: { kind: 'empty', start: at, end: at, value: '' }, comment: at < s.length ? at : -1 };
  const c = s[at];
  let end: number;
  let kind: LineValue['kind'];
  if (c === '"' || c === "'") {
    end = quotedEnd(s, at);
    kind = 'quoted';
  } else if (c === '[' || c === '{') {
    end = flowEnd(s, at);
    kind = 'flow';
  } else if (c === '|' || c === '>' || c === '%' || c === '@' || c === '`') {
    return undefined;
  } else if (c === '&' || c === '!' || c === '*') {
    // Properties or an alias: fine where no marker looks at them (an anchored opener such as `env: &env`).
    const comment = plainCommentAt(s, at);
    const text = (comment < 0 ? s.slice(at) : s.slice(at, comment)).trimEnd();
    if (/[|>]/.test(text)) return undefined;
    return { value: { kind: 'unusual', start: at, end: at + text.length, value: text }, comment };
  } else {
    const comment = plainCommentAt(s, at);
    const text = (comment < 0 ? s.slice(at) : s.slice(at, comment)).trimEnd();
    if (!PLAIN_START.test(text) || /: |:$/.test(text)) return undefined;
    return { value: { kind: 'plain', start: at, end: at + text.length, value: text }, comment };
  }
  if (end < 0) return undefined;
  const rest = s.slice(end);
  const trimmed = rest.trimStart();
  if (trimmed === '') return { value: { kind, start: at, end, value: s.slice(at, end) }, comment: -1 };
  if (trimmed[0] !== '#' || trimmed.length === rest.length) return undefined;
  return { value: { kind, start: at, end, value: s.slice(at, end) }, comment: end + rest.length - trimmed.length };
}

/** One content line (no comment-only or blank lines), or undefined when lines cannot read it. */
function readLine(s: string): ReadLine | undefined {
  let at = 0;
  while (s[at] === ' ') at++;
  const indent = at;
  let dashes = 0;
  while (s[at] === '-' && (at + 1 === s.length || s[at + 1] === ' ')) {
    dashes++;
    at++;
    while (s[at] === ' ') at++;
  }
  const contentColumn = at;
  if (at >= s.length || s[at] === '#') {
    return { indent, contentColumn, dashes, hasKey: false, value: { kind: 'empty', start: at, end: at, value: '' }, comment: at < s.length ? at : -1 };
  }
  if (s[at] === '?' && (at + 1 === s.length || s[at + 1] === ' ')) return undefined;
  // A key: quoted, or plain up to `: ` / a final `:`.
  let keyEnd = -1;
  if (s[at] === '"' || s[at] === "'") {
    const end = quotedEnd(s, at);
    if (end < 0) return undefined;
    let after = end;
    while (s[after] === ' ') after++;
    if (s[after] === ':' && (after + 1 === s.length || s[after + 1] === ' ')) keyEnd = after;
  } else if (PLAIN_START.test(s.slice(at, at + 2)) && s[at] !== '[' && s[at] !== '{') {
    const comment = plainCommentAt(s, at);
    const limit = comment < 0 ? s.length : comment;
    for (let i = s.indexOf(':', at); i !== -1 && i < limit; i = s.indexOf(':', i + 1)) {
      if (i + 1 === s.length || s[i + 1] === ' ') {
        keyEnd = i;
        break;
      }
    }
  }
  if (keyEnd >= 0) {
    const read = readValue(s, keyEnd + 1);
    return read && { indent, contentColumn, dashes, hasKey: true, ...read };
  }
  const read = readValue(s, at);
  return read && { indent, contentColumn, dashes, hasKey: false, ...read };
}

/** The node a value stands for, or undefined when lines cannot say what the parser would make of it. */
function markedNode(value: LineValue, offset: number, sequenceItem: boolean): MarkedNode | undefined {
  const range: [number, number] = [offset + value.start, offset + value.end];
  switch (value.kind) {
    case 'plain':
      return CORE_NOT_STRING.test(value.value) ? GIVE_UP : { scalar: true, value: value.value, range, sequenceItem };
    case 'quoted':
      if (value.value[0] === "'") return { scalar: true, value: value.value.slice(1, -1).replace(/''/g, "'"), range, sequenceItem };
      return value.value.includes('\\') ? GIVE_UP : { scalar: true, value: value.value.slice(1, -1), range, sequenceItem };
    case 'flow':
      return { scalar: false, value: '', range, sequenceItem };
    default:
      return GIVE_UP;
  }
}

/**
 * The nodes of `text` (one YAML document that parses) that a marker comment may mark: every block-mapping value
 * and block-sequence item on a line whose comment contains `token`, and every block-sequence item with no line
 * comment under comment lines containing it. undefined when lines cannot answer (see the module comment).
 */
export function markedNodesByLines(text: string, token: string): MarkedNode[] | undefined {
  if (UNSURE_CHARACTERS.test(text)) return GIVE_UP;
  const nodes: MarkedNode[] = [];
  let previous: ReadLine | undefined;
  /** Whether the comment lines right above the current line mention the token. */
  let tokenAbove = false;
  let offset = 0;
  while (offset <= text.length) {
    const nl = text.indexOf('\n', offset);
    const lineEnd = nl < 0 ? text.length : nl;
    const s = text.charCodeAt(lineEnd - 1) === 13 ? text.slice(offset, lineEnd - 1) : text.slice(offset, lineEnd);
    const next = nl < 0 ? text.length + 1 : nl + 1;
    const trimmed = s.trimStart();
    if (trimmed === '') {
      tokenAbove = false;
    } else if (trimmed[0] === '#') {
      if (s.includes(token)) tokenAbove = true;
    } else if (s.startsWith('---') || s.startsWith('...') || s.startsWith('%')) {
      if (!/^---[ ]*$/.test(s) || previous) return GIVE_UP;
      tokenAbove = false;
    } else {
      const line = readLine(s);
      if (!line) return GIVE_UP;
      // A deeper line continues the value above unless that value opens a collection (`key:`, `-`, properties
      // only), or it is the next key of a mapping that started after `- `.
      // A line that is only a value must be the value of the key or `-` right above it.
      const opens = previous !== undefined && (previous.value.kind === 'empty' || (previous.value.kind === 'unusual' && PROPERTIES_ONLY.test(previous.value.value)));
      if (previous && line.indent > previous.indent) {
        const siblingKey = previous.dashes > 0 && previous.hasKey && line.indent === previous.contentColumn;
        if (!opens && !siblingKey) return GIVE_UP;
      }
      if (line.dashes === 0 && !line.hasKey && !(opens && line.indent > previous!.indent)) return GIVE_UP;
      const commented = line.comment >= 0 && s.includes(token, line.comment);
      // Comment lines above count for a scalar item without a line comment (markers.ts decides which applies).
      const sequenceScalar = line.dashes > 0 && !line.hasKey;
      if (commented || (tokenAbove && sequenceScalar)) {
        const node = markedNode(line.value, offset, sequenceScalar);
        if (!node) return GIVE_UP;
        nodes.push(node);
      }
      previous = line;
      tokenAbove = false;
    }
    offset = next;
  }
  return nodes;
}
