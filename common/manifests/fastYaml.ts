// A fast path for the YAML that Kubernetes manifests are almost always written in: block mappings and
// sequences of one-line plain or quoted scalars, `[]`/`{}`, and comments. It builds the same AST nodes (with
// the same ranges) and the same plain value as the `yaml` package, about ten times faster, and gives up
// (returns undefined) on anything else: anchors, tags, flow collections with content, block or multi-line
// scalars, empty values, duplicate keys, odd indentation. The caller then parses with `yaml`, which also
// reports the errors. test/unit/manifests-fast-yaml.test.ts compares both on every construct.
import { Pair, Scalar, YAMLMap, YAMLSeq, type ParsedNode } from 'yaml';
import { resolvePlainScalar } from './goYamlScalars';

export interface FastValue { value: unknown; imageRange: [number, number] | undefined }
export interface FastTree extends FastValue { contents: ParsedNode | null }

interface Line {
  start: number;
  /** Offset just after the line's `\n` (or the end of text). */
  next: number;
  /** Column of the first non-space character. */
  indent: number;
  text: string;
  /** Blank or comment-only. */
  empty: boolean;
}

class GiveUp extends Error {}
const MAX_DEPTH = 100;
const GIVE_UP = new GiveUp();

// Starts a plain scalar only in ways this fast path does not handle.
const BAD_PLAIN_START = /^[\[\]{},#&*!|>'"%@`]|^[-?:](?:[ \t]|$)/;
// Characters where YAML and JavaScript disagree about spaces and line breaks (a byte-order mark, NBSP, a lone
// CR, NEL, LS/PS, VT/FF): documents with them go to the real parser.
const UNSURE_CHARACTERS = /[\uFEFF\u00A0\u0085\u2028\u2029\v\f]|\r(?!\n)/;
/** Escapes YAML and JSON share; any other (\x41, \e, \N, …) is left to the real parser. */
const JSON_ESCAPE = /^(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/;

function onlyJsonEscapes(body: string): boolean {
  for (let i = body.indexOf('\\'); i !== -1; i = body.indexOf('\\', i)) {
    const escape = JSON_ESCAPE.exec(body.slice(i + 1, i + 6));
    if (!escape) return false;
    i += 1 + escape[0].length;
  }
  return true;
}

function plainValue(text: string): unknown {
  const c = text.charCodeAt(0);
  // Most keys and values start with a letter that no null, boolean or number starts with.
  const special = c === 126 /* ~ */ || c === 110 || c === 78 /* n N */ || c === 116 || c === 84 /* t T */ ||
    c === 102 || c === 70 /* f F */ || c === 121 || c === 89 /* y Y */ || c === 111 || c === 79 /* o O */ ||
    (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 /* + - . */;
  return special ? resolvePlainScalar(text) : text;
}

/** `-` alone or `- ` at `col`: a sequence entry. */
function isEntry(text: string, col: number): boolean {
  if (text.charCodeAt(col) !== 45) return false;
  const next = text.charCodeAt(col + 1);
  return Number.isNaN(next) || next === 32;
}

/** Only spaces/tabs and maybe a comment from `from` to the end of the line. */
function restIsEmpty(text: string, from: number): boolean {
  let j = from;
  while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9) j++;
  return j >= text.length || (text.charCodeAt(j) === 35 && (j === from ? j === 0 || text.charCodeAt(j - 1) === 32 || text.charCodeAt(j - 1) === 9 : true));
}

function splitLines(text: string): Line[] {
  if (UNSURE_CHARACTERS.test(text)) throw GIVE_UP;
  const lines: Line[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const next = newline === -1 ? text.length : newline + 1;
    let lineText = text.slice(start, end);
    if (lineText.endsWith('\r')) lineText = lineText.slice(0, -1);
    let indent = 0;
    while (lineText.charCodeAt(indent) === 32) indent++;
    const first = lineText.charCodeAt(indent);
    if (first === 9) throw GIVE_UP;
    lines.push({ start, next, indent, text: lineText, empty: Number.isNaN(first) || first === 35 });
    start = next;
  }
  return lines;
}

/** A parsed value with its offsets; `node` only when the parser builds the tree. */
interface Parsed<N> { node: N | undefined; value: unknown; start: number; end: number; nodeEnd: number }

class FastParser {
  private i = 0;
  private depth = 0;
  /** Offsets of the `spec.image` value, recorded on the way (every indexed ImageRepository needs them). */
  imageRange: [number, number] | undefined;

  constructor(private readonly lines: Line[], private readonly nodes: boolean) {}

  parse(): { contents: ParsedNode | null; value: unknown } {
    this.skipEmpty();
    if (this.i < this.lines.length && /^---(?:[ \t]|$)/.test(this.lines[this.i].text)) {
      if (!/^---[ \t]*(?:#.*)?$/.test(this.lines[this.i].text)) throw GIVE_UP;
      this.i++;
      this.skipEmpty();
    }
    if (this.i >= this.lines.length) throw GIVE_UP;
    const first = this.lines[this.i];
    if (first.indent !== 0 || first.text.startsWith('%') || first.text.startsWith('...')) throw GIVE_UP;
    const root = this.block(0, 0, '');
    this.skipEmpty();
    if (this.i < this.lines.length) throw GIVE_UP;
    return { contents: (root.node as ParsedNode | undefined) ?? null, value: root.value };
  }

  private skipEmpty(): void {
    while (this.i < this.lines.length && this.lines[this.i].empty) this.i++;
  }

  /**
   * A block collection whose first entry is on the current line at column `column`. `path` is `''` for the
   * root, the key for a child of the root, and `*` deeper (only `spec` → `image` is looked for).
   */
  private block(indent: number, column: number, path: string): Parsed<YAMLMap | YAMLSeq> {
    // Real manifests nest a dozen levels; deeper input goes to the real parser (and never blows the stack here).
    if (++this.depth > MAX_DEPTH) throw GIVE_UP;
    try {
      return this.blockAt(indent, column, path);
    } finally {
      this.depth--;
    }
  }

  private blockAt(indent: number, column: number, path: string): Parsed<YAMLMap | YAMLSeq> {
    return isEntry(this.lines[this.i].text, column) ? this.sequence(indent, column) : this.mapping(indent, column, path);
  }

  /**
   * Entries at `indent`; the first one may start further right (`- key: v` puts a mapping at the column after
   * the dash), so `column` says where on the current line it starts.
   */
  private mapping(indent: number, column: number, path: string): Parsed<YAMLMap> {
    const map = this.nodes ? new YAMLMap() : undefined;
    const value: Record<string, unknown> = {};
    let start = 0;
    let end = 0;
    let first = true;
    for (;;) {
      this.skipEmpty();
      if (this.i >= this.lines.length) break;
      const line = this.lines[this.i];
      const col = first ? column : line.indent;
      if (!first && line.indent < indent) break;
      if (!first && line.indent > indent) throw GIVE_UP;
      if (isEntry(line.text, col)) {
        if (first) throw GIVE_UP;
        break;
      }
      const { key, name, keyEnd } = this.key(line, col);
      if (Object.prototype.hasOwnProperty.call(value, name)) throw GIVE_UP;
      let entry: Parsed<ParsedNode>;
      if (restIsEmpty(line.text, keyEnd + 1)) {
        this.i++;
        this.skipEmpty();
        const child = this.lines[this.i];
        if (!child) throw GIVE_UP;
        const isSeq = isEntry(child.text, child.indent);
        // A sequence may sit at the key's own indentation (`key:\n- a`); anything else must be deeper.
        if (child.indent > col || (child.indent === col && isSeq)) {
          entry = this.block(child.indent, child.indent, path === '' ? name : '*') as Parsed<ParsedNode>;
        } else {
          throw GIVE_UP; // an empty value: left to the real parser, which decides its range
        }
      } else {
        entry = this.inlineValue(line, keyEnd + 1) as Parsed<ParsedNode>;
        this.i++;
        if (path === 'spec' && name === 'image' && typeof entry.value === 'string') this.imageRange = [entry.start, entry.end];
      }
      if (map) map.items.push(new Pair(key, entry.node));
      value[name] = entry.value;
      end = entry.nodeEnd;
      if (first) start = line.start + col;
      first = false;
    }
    if (map) map.range = [start, end, end];
    return { node: map, value, start, end, nodeEnd: end };
  }

  private sequence(indent: number, column: number): Parsed<YAMLSeq> {
    const seq = this.nodes ? new YAMLSeq() : undefined;
    const value: unknown[] = [];
    let start = 0;
    let end = 0;
    let first = true;
    for (;;) {
      this.skipEmpty();
      if (this.i >= this.lines.length) break;
      const line = this.lines[this.i];
      const col = first ? column : line.indent;
      if (!first && line.indent !== indent) {
        if (line.indent > indent) throw GIVE_UP;
        break;
      }
      if (!isEntry(line.text, col)) {
        if (first) throw GIVE_UP;
        break;
      }
      if (first) start = line.start + col;
      first = false;
      let contentCol = col + 1;
      while (line.text.charCodeAt(contentCol) === 32) contentCol++;
      const content = line.text.slice(contentCol);
      let item: Parsed<unknown>;
      if (content === '' || content.startsWith('#')) {
        this.i++;
        this.skipEmpty();
        const child = this.lines[this.i];
        if (!child || child.indent <= col) throw GIVE_UP;
        item = this.block(child.indent, child.indent, '*');
      } else if (content.startsWith('- ') || content === '-') {
        throw GIVE_UP;
      } else if (this.looksLikeKey(content)) {
        item = this.block(contentCol, contentCol, '*');
      } else {
        item = this.inlineValue(line, contentCol);
        this.i++;
      }
      if (seq) seq.items.push(item.node);
      value.push(item.value);
      end = item.nodeEnd;
    }
    if (seq) seq.range = [start, end, end];
    return { node: seq, value, start, end, nodeEnd: end };
  }

  private looksLikeKey(text: string): boolean {
    if (text.startsWith('"') || text.startsWith("'")) return /^(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')[ \t]*:(?:[ \t]|$)/.test(text);
    return /^[^ \t#][^#]*?:(?:[ \t]|$)/.test(text) && !BAD_PLAIN_START.test(text);
  }

  /** The key starting at `col`; `keyEnd` is the offset in the line of its `:`. */
  private key(line: Line, col: number): { key: Scalar | undefined; name: string; keyEnd: number } {
    const text = line.text;
    const c = text[col];
    if (c === '"' || c === "'") {
      const quoted = this.quoted(text, col);
      if (!quoted || text[quoted.end] !== ':' || (quoted.end + 1 < text.length && text[quoted.end + 1] !== ' ' && text[quoted.end + 1] !== '\t')) throw GIVE_UP;
      if (quoted.value === '__proto__') throw GIVE_UP;
      let key: Scalar | undefined;
      if (this.nodes) {
        key = new Scalar(quoted.value);
        key.type = c === '"' ? Scalar.QUOTE_DOUBLE : Scalar.QUOTE_SINGLE;
        key.range = [line.start + col, line.start + quoted.end, line.start + quoted.end];
      }
      return { key, name: quoted.value, keyEnd: quoted.end };
    }
    let colon = -1;
    for (let j = col; j < text.length; j++) {
      const ch = text.charCodeAt(j);
      if (ch === 58 /* : */) {
        const next = text.charCodeAt(j + 1);
        if (Number.isNaN(next) || next === 32 || next === 9) { colon = j; break; }
      } else if (ch === 35 /* # */ && (text.charCodeAt(j - 1) === 32 || text.charCodeAt(j - 1) === 9)) {
        break;
      }
    }
    if (colon <= col) throw GIVE_UP;
    const raw = text.slice(col, colon).replace(/[ \t]+$/, '');
    if (BAD_PLAIN_START.test(raw) || raw === '<<' || raw === '__proto__' || raw.includes(' #')) throw GIVE_UP;
    // Mapping keys that resolve to non-strings would become non-string JS keys in `yaml`; stay on strings.
    if (typeof plainValue(raw) !== 'string') throw GIVE_UP;
    let key: Scalar | undefined;
    if (this.nodes) {
      key = new Scalar(raw);
      key.type = Scalar.PLAIN;
      const keyEndOffset = line.start + col + raw.length;
      key.range = [line.start + col, keyEndOffset, keyEndOffset];
    }
    return { key, name: raw, keyEnd: colon };
  }

  private quoted(text: string, col: number): { value: string; end: number } | undefined {
    if (text[col] === '"') {
      let j = col + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) return undefined;
      const body = text.slice(col + 1, j);
      if (!onlyJsonEscapes(body)) throw GIVE_UP;
      if (!body.includes('\\')) return { value: body, end: j + 1 };
      try {
        return { value: JSON.parse(`"${body}"`) as string, end: j + 1 };
      } catch {
        throw GIVE_UP; // raw control characters and the like: the real parser decides
      }
    }
    let j = col + 1;
    for (;;) {
      const q = text.indexOf("'", j);
      if (q === -1) return undefined;
      if (text[q + 1] === "'") { j = q + 2; continue; }
      return { value: text.slice(col + 1, q).replace(/''/g, "'"), end: q + 1 };
    }
  }

  /** A scalar (or `[]`/`{}`) that fills the rest of the line after `from` (which is just past `:` or `-`). */
  private inlineValue(line: Line, from: number): Parsed<Scalar | YAMLMap | YAMLSeq> {
    const text = line.text;
    let col = from;
    while (text.charCodeAt(col) === 32 || text.charCodeAt(col) === 9) col++;
    const lineEnd = line.next;
    const start = line.start + col;
    const first = text[col];
    const trailing = (end: number) => {
      const after = text.slice(end);
      if (!/^(?:[ \t]+(?:#.*)?)?$/.test(after)) throw GIVE_UP;
    };
    if ((first === '[' && text[col + 1] === ']') || (first === '{' && text[col + 1] === '}')) {
      trailing(col + 2);
      let node: YAMLMap | YAMLSeq | undefined;
      if (this.nodes) {
        node = first === '[' ? new YAMLSeq() : new YAMLMap();
        node.flow = true;
        node.range = [start, start + 2, lineEnd];
      }
      return { node, value: first === '[' ? [] : {}, start, end: start + 2, nodeEnd: lineEnd };
    }
    if (first === '"' || first === "'") {
      const quoted = this.quoted(text, col);
      if (!quoted) throw GIVE_UP;
      trailing(quoted.end);
      const end = line.start + quoted.end;
      let node: Scalar | undefined;
      if (this.nodes) {
        node = new Scalar(quoted.value);
        node.type = first === '"' ? Scalar.QUOTE_DOUBLE : Scalar.QUOTE_SINGLE;
        node.range = [start, end, lineEnd];
      }
      return { node, value: quoted.value, start, end, nodeEnd: lineEnd };
    }
    if (BAD_PLAIN_START.test(text.slice(col, col + 2))) throw GIVE_UP;
    let stop = text.length;
    for (let j = col; j < text.length; j++) {
      const ch = text.charCodeAt(j);
      if (ch === 35 /* # */ && (text.charCodeAt(j - 1) === 32 || text.charCodeAt(j - 1) === 9)) { stop = j; break; }
      if (ch === 58 /* : */) {
        const next = text.charCodeAt(j + 1);
        if (Number.isNaN(next) || next === 32 || next === 9) throw GIVE_UP;
      }
    }
    const raw = text.slice(col, stop).replace(/[ \t]+$/, '');
    if (raw === '') throw GIVE_UP;
    const value = plainValue(raw);
    const end = start + raw.length;
    let node: Scalar | undefined;
    if (this.nodes) {
      node = new Scalar(value);
      node.type = Scalar.PLAIN;
      node.range = [start, end, lineEnd];
    }
    return { node, value, start, end, nodeEnd: lineEnd };
  }
}

/**
 * The document's plain value (and `spec.image` offsets) without building a tree, or undefined when the text
 * needs the full `yaml` parser. `fastTree` builds the tree for the same text on demand.
 */
export function fastParse(text: string): FastValue | undefined {
  try {
    const parser = new FastParser(splitLines(text), false);
    const { value } = parser.parse();
    return { value, imageRange: parser.imageRange };
  } catch (err) {
    if (err instanceof GiveUp) return undefined;
    throw err;
  }
}

/** The tree, with the same nodes and ranges as the `yaml` package would build. */
export function fastTree(text: string): FastTree | undefined {
  try {
    const parser = new FastParser(splitLines(text), true);
    const { contents, value } = parser.parse();
    return { contents, value, imageRange: parser.imageRange };
  } catch (err) {
    if (err instanceof GiveUp) return undefined;
    throw err;
  }
}
