// Where kyaml's round trip puts the comments of a file. go-yaml v3 keeps every comment on a node — a head
// comment above it, a line comment after it, a foot comment below it — and writes it again at that node's
// indentation, so a comment indented unlike the node it ends up on moves. Which node a run of comment lines
// lands on follows go-yaml v3 (go.yaml.in/yaml/v3 v3.0.4, as kyaml v0.21.1 links it) scannerc.go
// yaml_parser_scan_comments (a comment dedented below the current block, or after the first blank line, is
// no longer a foot of the prior token), parserc.go yaml_parser_unfold_comments and emitterc.go
// yaml_emitter_process_head_comment/_foot_comment. kyaml's kio.ByteReader (kyaml/kio/byteio_reader.go
// splitDocuments, decode) adds its own losses: it splits a file at every `\n---…\n` line, so a comment on
// such a line is lost, and it skips a document that holds no node, so a document of only comments is lost.
import { isMap, isPair, isScalar, isSeq, visit, type Document, type Node } from 'yaml';
import type { Reformat } from './reformat';

export type LineKind = 'blank' | 'comment' | 'end' | 'content';

/** What the comment rules need of a file: its lines, their kinds, and where each line's nodes sit. */
export interface LineFacts {
  lines: string[];
  kinds: LineKind[];
  /** 0-based column of the first character of each line. */
  lineStarts: number[];
}

function lineIndex(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
  }
  return lo;
}

/**
 * For each 0-based line, the columns at which go-yaml v3 writes the foot comments of the nodes open on it,
 * outermost first: the key column of each block mapping pair it lies in, the dash column of each block
 * sequence item that is not itself a block mapping. The last is where a comment kept below that line goes.
 */
export function ownerColumns(docs: Document.Parsed[], facts: LineFacts): (number[] | undefined)[] {
  const owners: (number[] | undefined)[] = new Array(facts.lines.length);
  const column = (offset: number) => offset - facts.lineStarts[lineIndex(facts.lineStarts, offset)];
  const mark = (from: number, to: number, chain: number[]) => {
    const last = lineIndex(facts.lineStarts, Math.max(from, to - 1));
    for (let i = lineIndex(facts.lineStarts, from); i <= last; i++) owners[i] = chain;
  };
  const chainOf = (path: readonly unknown[]): number[] => {
    const chain: number[] = [];
    for (let i = 0; i < path.length; i++) {
      const p = path[i];
      if (isPair(p) && isScalar(p.key) && p.key.range && isMap(path[i - 1]) && !(path[i - 1] as { flow?: boolean }).flow) chain.push(column(p.key.range[0]));
      if (isSeq(p) && !p.flow && p.range && i + 1 < path.length && !isMap(path[i + 1])) chain.push(column(p.range[0]));
    }
    return chain;
  };
  for (const doc of docs) {
    visit(doc, {
      Pair(_, pair, path) {
        const key = pair.key as Node | null;
        const value = pair.value as Node | null;
        const parent = path[path.length - 1];
        if (!isMap(parent) || parent.flow || !key || !isScalar(key) || !key.range) return;
        const end = value && 'range' in value && value.range ? value.range[1] : key.range[1];
        mark(key.range[0], end, [...chainOf(path), column(key.range[0])]);
      },
      Seq(_, seq, path) {
        if (seq.flow || !seq.range) return;
        for (const item of seq.items as Node[]) {
          if (!item || isMap(item) && !item.flow || !('range' in item) || !item.range) continue;
          mark(item.range[0], item.range[1], [...chainOf(path), column(seq.range[0])]);
        }
      },
    });
  }
  return owners;
}

interface Move { from: number; to: number; anchor: number; foot: boolean }

/**
 * The comments kyaml writes at another indentation than the file has, as report entries naming the lines,
 * the column they move to and the node they are kept with ("kyaml moves the comment on line 12 to column 5,
 * as the foot comment of line 10"). Comments inside flow collections are left to the flow layout.
 */
export function commentMoves(facts: LineFacts, owners: (number[] | undefined)[]): Reformat[] {
  const { lines, kinds } = facts;
  const indentOf = (i: number) => /^[ \t]*/.exec(lines[i])![0].length;
  const moves: Move[] = [];
  // go-yaml v3 writes a blank line when, right after a foot comment, it writes at the foot comment's column
  // again (emitterc.go yaml_emitter_write_indent, foot_indent).
  const blankAfter = new Map<number, number>();
  let previous = -1;
  for (let i = 0; i < lines.length; i++) {
    if (kinds[i] === 'content') { previous = i; continue; }
    if (kinds[i] === 'end') { previous = -1; continue; }
    if (kinds[i] !== 'comment') continue;
    let j = i;
    while (j < lines.length && (kinds[j] === 'comment' || kinds[j] === 'blank')) j++;
    const next = j < lines.length && kinds[j] === 'content' ? j : -1;
    const chain = previous >= 0 ? owners[previous] ?? [indentOf(previous)] : [];
    const p = chain.length > 0 ? chain[chain.length - 1] : -1;
    const n = next >= 0 ? indentOf(next) : 0;
    let head = n > p;
    // A next node at the last node's column takes the whole run as its head, unless a line dedented below that
    // column splits it: the part before is the last node's foot.
    let splitAt = -1;
    if (n === p) {
      for (let k = i; k < j && kinds[k] !== 'blank'; k++) if (indentOf(k) < p && indentOf(k) !== indentOf(i)) { splitAt = k; break; }
      head = splitAt === -1;
    }
    let groupColumn = -1;
    let groupTarget = p;
    let group = 0;
    let lastFoot: { line: number; target: number; group: number } | undefined;
    for (let k = i; k < j; k++) {
      if (kinds[k] === 'blank') { head = true; lastFoot = undefined; continue; }
      const c = indentOf(k);
      let target: number;
      let foot = false;
      if (k === splitAt) head = true;
      if (!head && c === n && splitAt === -1) head = true;
      if (head) target = n;
      else if (groupColumn === -1 || c >= groupColumn) {
        if (groupColumn === -1) {
          groupColumn = c;
          // At the end of a document a comment run that is not split by a dedent stays with the open node at
          // its column; split, its first part is the last node's foot.
          let split = false;
          for (let q = k + 1; q < j; q++) if (kinds[q] === 'comment' && indentOf(q) < c) split = true;
          if (next === -1 && !split) groupTarget = [...chain].reverse().find((l) => l <= c) ?? p;
        }
        target = groupTarget;
        foot = true;
      } else {
        const level = [...chain].reverse().find((l) => l <= c);
        if (level === undefined || level < n) { head = true; target = n; } else { groupColumn = c; groupTarget = level; target = level; foot = true; group++; }
      }
      if (lastFoot && !(foot && lastFoot.group === group) && lastFoot.target === target) blankAfter.set(lastFoot.line, k);
      lastFoot = foot ? { line: k, target, group } : undefined;
      if (target !== c) moves.push({ from: k, to: target, anchor: foot ? previous : next, foot });
    }
    if (lastFoot && next >= 0 && lastFoot.target === n) blankAfter.set(lastFoot.line, next);
    i = j - 1;
  }
  const groups: { move: Move; lines: number[] }[] = [];
  for (const m of moves) {
    const last = groups[groups.length - 1];
    if (last && last.move.to === m.to && last.move.anchor === m.anchor && last.lines[last.lines.length - 1] === m.from) last.lines.push(m.from + 1);
    else groups.push({ move: m, lines: [m.from + 1] });
  }
  const entries: Reformat[] = groups.map(({ move, lines: l }) => {
    const where = move.anchor < 0 ? 'at the end of its document' : `as the ${move.foot ? 'foot' : 'head'} comment of line ${move.anchor + 1}`;
    const which = l.length > 1 ? `comments on lines ${l[0]}–${l[l.length - 1]}` : `comment on line ${l[0]}`;
    const blank = blankAfter.has(l[l.length - 1] - 1);
    blankAfter.delete(l[l.length - 1] - 1);
    const text = l.map((n) => ' '.repeat(move.to) + lines[n - 1].trimStart()).join('\n') + (blank ? '\n' : '');
    return { message: `kyaml moves the ${which} to column ${move.to + 1}, ${where}${blank ? ', and writes a blank line after it' : ''}`, lines: l, named: true, replace: { from: l[0], to: l[l.length - 1], text } };
  });
  for (const [line, following] of blankAfter) {
    entries.push({ message: `kyaml writes a blank line after the comment on line ${line + 1}, a foot comment followed by line ${following + 1} at its column`, lines: [line + 1], named: true, replace: { from: line + 1, to: line + 1, text: `${lines[line]}\n` } });
  }
  return entries;
}

/**
 * What kyaml's kio.ByteReader loses at document boundaries: a comment on a `---` line after the first line,
 * and a document that holds only comments (kyaml/kio/byteio_reader.go splitDocuments and Read).
 */
export function documentLosses(facts: LineFacts): Reformat[] {
  const { lines, kinds } = facts;
  const out: Reformat[] = [];
  let chunkStart = 0;
  const closeChunk = (end: number) => {
    const range = Array.from({ length: end - chunkStart }, (_, k) => chunkStart + k);
    const comments = range.filter((i) => kinds[i] === 'comment');
    if (comments.length > 0 && !range.some((i) => kinds[i] === 'content')) {
      out.push({ message: `kyaml drops the document of only comments (it reads no node there)`, lines: comments.map((i) => i + 1) });
    }
  };
  for (let i = 1; i < lines.length - 1; i++) {
    if (!/^---/.test(lines[i])) continue;
    const rest = lines[i].slice(3).trim();
    if (rest.startsWith('#')) out.push({ message: `kyaml drops the comment \`${rest}\` on the document separator (line ${i + 1})`, lines: [i + 1], named: true, replace: { from: i + 1, to: i + 1, text: '---' } });
    closeChunk(i);
    chunkStart = i + 1;
  }
  closeChunk(lines.length);
  return out;
}

/**
 * A document whose root mapping has one pair, written on one line that ends in a line comment, a quoted scalar
 * or a flow collection (where go-yaml v3's scanner has not read past the line break, scannerc.go
 * yaml_parser_scan_comments foot_line), and followed by comment lines: go-yaml v3 keeps those as the
 * document's foot and writes a blank line before them. Observed with kyaml v0.21.1
 * (test/flux/setters-oracle.test.ts); after a plain scalar, with two pairs, a head comment above the pair, or a
 * blank line already there, nothing changes.
 */
export function insertedBlankLines(docs: Document.Parsed[], facts: LineFacts): Reformat[] {
  const { kinds } = facts;
  const out: Reformat[] = [];
  for (const doc of docs) {
    const root = doc.contents;
    if (!isMap(root) || root.flow || root.items.length !== 1) continue;
    const pair = root.items[0];
    const key = pair.key as Node | null;
    const value = pair.value as Node | null;
    if (!key || !isScalar(key) || !key.range) continue;
    const line = lineIndex(facts.lineStarts, key.range[0]);
    const end = value && 'range' in value && value.range ? value.range[1] : key.range[1];
    if (lineIndex(facts.lineStarts, Math.max(key.range[0], end - 1)) !== line) continue;
    const lineEnd = line + 1 < facts.lineStarts.length ? facts.lineStarts[line + 1] - 1 : Infinity;
    const commented = /^[ \t]*:?[ \t]*#/.test(facts.lines[line].slice(end - facts.lineStarts[line], lineEnd - facts.lineStarts[line]));
    const closed = (isScalar(value) && (value.type === 'QUOTE_DOUBLE' || value.type === 'QUOTE_SINGLE')) || ((isMap(value) || isSeq(value)) && value.flow);
    if (!commented && !closed) continue;
    if (kinds[line + 1] !== 'comment') continue;
    let h = line - 1;
    while (h >= 0 && kinds[h] === 'blank') h--;
    if (h >= 0 && kinds[h] === 'comment') continue;
    let j = line + 1;
    while (j < kinds.length && (kinds[j] === 'comment' || kinds[j] === 'blank')) j++;
    if (j < kinds.length && kinds[j] === 'content') continue;
    out.push({ message: `kyaml writes a blank line before the comment on line ${line + 2}, the foot of a one-pair document`, lines: [line + 2], named: true, replace: { from: line + 2, to: line + 1, text: '' } });
  }
  return out;
}
