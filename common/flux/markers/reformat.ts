// What else the automation's commit changes in a file it updates. image-automation-controller v1.2.0 does not
// edit values in place: kyaml v0.21.1 reads the whole file into go-yaml v3 nodes (kio.ByteReader with
// PreserveSeqIndent) and kio.ByteWriter encodes them again, so everything the node tree does not keep is lost.
// Tagline changes only the marked values; this names, per file, what the automation's own commit would also
// change, so a reviewer is not surprised. Each rule is checked against kyaml itself in
// test/flux/setters-oracle.test.ts.
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, visit, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { commentMoves, documentLosses, insertedBlankLines, ownerColumns, type LineKind } from './reformatComments';
import { flowLayout } from './reformatFlow';

/** One kind of change kyaml's re-serialisation makes, with the 1-based lines it concerns. */
export interface Reformat {
  message: string;
  lines: number[];
  /** The message already names its lines ("kyaml moves the comment on line 12 …"). */
  named?: boolean;
  /**
   * kyaml's text for lines `from`–`to` (1-based, inclusive; lines joined by `\n`), when the rule knows it;
   * `to` = `from` - 1 inserts the text as lines before `from`.
   */
  replace?: { from: number; to: number; text: string };
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/**
 * The changes kyaml's round trip makes to `text` besides the marked values, in file order of their first line:
 * blank lines dropped (go-yaml v3 keeps only those before a comment), a leading `---` and a closing `...`
 * dropped, one list indentation per document (the first block sequence's: `-` under its key, or indented),
 * nested mappings indented by 2, one space after `:` and before a line comment, literal and folded blocks with
 * trailing spaces turned into double-quoted lines, folded blocks re-folded, multi-line flow collections put
 * on one line, CRLF line ends turned into LF, a
 * final line break added. Empty when the file would come back unchanged apart from its values, or when it does
 * not parse (the automation skips such a file).
 */
export function reformatReport(text: string): Reformat[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return [];
  const lineStarts = lineStartsOf(text);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return lo + 1;
  };
  const out: Reformat[] = [];
  const add = (message: string, lines: number[]) => { if (lines.length > 0) out.push({ message, lines: [...new Set(lines)].sort((a, b) => a - b) }); };
  const blockRanges: [number, number][] = [];
  // Lines inside these (block scalar bodies, flow collections) are content, whatever they look like.
  const opaqueRanges: [number, number][] = [];
  const trailingSpaceBlocks: number[] = [];
  const folded: number[] = [];
  const seqMismatch: number[] = [];
  const mapIndent: number[] = [];
  const spacing: number[] = [];
  const flowSpans: number[] = [];
  const flowRewrites: Reformat[] = [];
  // A comment after a key whose value starts on a later line is the key's line comment. go-yaml v3's emitter
  // writes it after a scalar value that has no line comment of its own, or after the `key:` of a block collection;
  // when the value has its own, the key's comment stays pending and goes to the next block mapping pair, in
  // any later document, that can take it (emitterc.go yaml_emitter_emit_block_mapping_key/_value,
  // key_line_comment). A later key's own comment replaces a pending one.
  let pending: { comment: string; line: number } | undefined;
  const carryKeyComment = (pair: Pair) => {
    const key = pair.key as Node | null;
    const value = pair.value as Node | null;
    if (!key || !isScalar(key) || !key.range) return;
    const valueRange = value && 'range' in value && value.range ? value.range : undefined;
    const keyLine = lineOf(key.range[1]);
    const afterKey = text.slice(key.range[1], valueRange && lineOf(valueRange[0]) !== keyLine ? valueRange[0] : lineEndOf(key.range[1]));
    const own = valueRange && lineOf(valueRange[0]) === keyLine ? undefined : /#.*/.exec(afterKey)?.[0].trim();
    if (own !== undefined) {
      if (pending) lostKeyComment(pending);
      pending = { comment: own, line: keyLine };
    }
    if (!pending) return;
    const carried = pending.line !== keyLine;
    if (!value || (isScalar(value) && text.slice(valueRange?.[0] ?? 0, valueRange?.[1] ?? 0).trim() === '')) {
      if (carried) flowRewrites.push({ message: `kyaml writes the comment \`${pending.comment}\` from line ${pending.line} after the key on line ${keyLine}`, lines: [keyLine], named: true, replace: { from: keyLine, to: keyLine, text: `${lines0(keyLine).replace(/[ \t]+$/, '')} ${pending.comment}` } });
      pending = undefined;
    } else if (isScalar(value) && valueRange && !(value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED')) {
      if (/^[ \t]+#/.test(text.slice(valueRange[1], lineEndOf(valueRange[1])))) return;
      const valueLine = lineOf(valueRange[0]);
      if (carried && lineOf(Math.max(valueRange[0], valueRange[1] - 1)) === valueLine && valueLine === keyLine) {
        flowRewrites.push({ message: `kyaml writes the comment \`${pending.comment}\` from line ${pending.line} after the value on line ${valueLine}`, lines: [valueLine], named: true, replace: { from: valueLine, to: valueLine, text: `${lines0(valueLine).replace(/[ \t]+$/, '')} ${pending.comment}` } });
      }
      pending = undefined;
    } else if ((isMap(value) || isSeq(value)) && !value.flow) {
      if (carried) flowRewrites.push({ message: `kyaml writes the comment \`${pending.comment}\` from line ${pending.line} after the key on line ${keyLine}`, lines: [keyLine], named: true, replace: { from: keyLine, to: keyLine, text: `${lines0(keyLine).replace(/[ \t]+$/, '')} ${pending.comment}` } });
      pending = undefined;
    }
  };
  const lostKeyComment = (p: { comment: string; line: number }) =>
    flowRewrites.push({ message: `kyaml drops the comment \`${p.comment}\` from line ${p.line}: no later key takes it`, lines: [p.line], named: true });
  const lines0 = (line: number) => text.slice(lineStarts[line - 1], lineEndOf(lineStarts[line - 1])).replace(/\r$/, '');
  const lineEndOf = (offset: number) => { const e = text.indexOf('\n', offset); return e === -1 ? text.length : e; };
  // go-yaml v3 writes a flow scalar on its key's line and on one line (its encoder's width is unlimited); a
  // comment after the key then follows the value, unless the value has its own, which wins.
  const joinedValue = (keyRange: [number, number, number], valueRange: [number, number, number]) => {
    const keyLine = lineOf(keyRange[1]);
    const valueLine = lineOf(valueRange[0]);
    const lastLine = lineOf(Math.max(valueRange[0], valueRange[1] - 1));
    if (keyLine === lastLine || /^[ \t]*\?/.test(text.slice(lineStarts[keyLine - 1], keyRange[0]))) return;
    const keyComment = /#.*/.exec(text.slice(keyRange[1], valueRange[0]))?.[0].trim();
    const valueComment = /^[ \t]+(#.*)/.exec(text.slice(valueRange[1], lineEndOf(valueRange[1])))?.[1].trim();
    const what = valueLine === lastLine ? `the value on line ${valueLine} on its key's line ${keyLine}` : `the value on lines ${valueLine}–${lastLine} on one line`;
    const comment = keyComment === undefined ? '' : valueComment === undefined ? `, with the comment \`${keyComment}\` after it` : `; the comment \`${keyComment}\` on line ${keyLine} does not stay with it`;
    const entry: Reformat = { message: `kyaml writes ${what}${comment}`, lines: Array.from({ length: lastLine - keyLine + 1 }, (_, i) => keyLine + i), named: true };
    if (valueLine === lastLine) {
      const written = `${text.slice(lineStarts[keyLine - 1], keyRange[1])}: ${text.slice(valueRange[0], valueRange[1])}`;
      entry.replace = { from: keyLine, to: lastLine, text: `${written}${valueComment ?? keyComment ? ` ${valueComment ?? keyComment}` : ''}`.replace(/\r$/, '') };
    }
    flowRewrites.push(entry);
  };
  // A flow collection inside another is laid out with its parent.
  const flowCollection = (node: YAMLMap | YAMLSeq, path: readonly unknown[]) => {
    if (!node.flow || !node.range || path.some((p) => (isMap(p) || isSeq(p)) && p.flow)) return;
    opaqueRanges.push([node.range[0], node.range[1]]);
    const source = text.slice(node.range[0], node.range[1]).replace(/\s+$/, '');
    const parent = path[path.length - 1];
    const owner = isPair(parent) && isScalar(parent.key) && parent.key.range ? columnOf(text, parent.key.range[0]) : columnOf(text, node.range[0]);
    const layout = flowLayout(text, node, 2 * Math.floor((owner + 2) / 2), owner, lineOf);
    const first = lineOf(node.range[0]);
    if (!layout) {
      if (/\n/.test(source) && !/(^|\s)#/.test(source)) flowSpans.push(first);
      return;
    }
    const dropped = layout.dropped.map((offset) => `\`${text.slice(offset, text.indexOf('\n', offset) === -1 ? undefined : text.indexOf('\n', offset)).trim()}\``);
    if (layout.text !== source) {
      const last = lineOf(node.range[0] + source.length);
      const shown = layout.text.split('\n').map((l) => `\`${l}\``).join(' / ');
      const lineEnd = text.indexOf('\n', node.range[0] + source.length);
      const replace = {
        from: first,
        to: last,
        text: (text.slice(lineStarts[first - 1], node.range[0]) + layout.text + text.slice(node.range[0] + source.length, lineEnd === -1 ? undefined : lineEnd)).replace(/\r$/, ''),
      };
      const losing = dropped.length > 0 ? `, dropping the comment${dropped.length > 1 ? 's' : ''} ${dropped.join(', ')} after the opening bracket` : '';
      flowRewrites.push({ message: `kyaml writes the flow ${isSeq(node) ? 'list' : 'mapping'} as ${shown}${losing}`, lines: Array.from({ length: last - first + 1 }, (_, i) => first + i), replace });
    }
  };
  for (const doc of docs) {
    let seqStyle: 'compact' | 'wide' | undefined;
    visit(doc, {
      Scalar(_, node) {
        if ((node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') && node.range) {
          blockRanges.push([node.range[0], node.range[1]]);
          opaqueRanges.push([node.range[0], node.range[1]]);
          const body = text.slice(node.range[0], node.range[1]).split('\n').slice(1);
          if (body.some((l) => /[ \t]\r?$/.test(l) && l.trim() !== '')) trailingSpaceBlocks.push(lineOf(node.range[0]));
          else if (node.type === 'BLOCK_FOLDED' && body.filter((l) => l.trim() !== '').length > 1) folded.push(lineOf(node.range[0]));
        }
      },
      Map(_, map, path) { flowCollection(map, path); },
      Seq(_, seq, path) { flowCollection(seq, path); },
      Pair(_, pair, path) {
        const parent = path[path.length - 1];
        if (isMap(parent) && !parent.flow) carryKeyComment(pair as Pair);
        const key = pair.key as Node | null;
        const value = pair.value as Node | null;
        if (!key || !value || !('range' in key) || !key.range || !('range' in value) || !value.range) return;
        const keyColumn = columnOf(text, key.range[0]);
        if (isSeq(value) && !value.flow) {
          const style = columnOf(text, value.range[0]) === keyColumn ? 'compact' : 'wide';
          seqStyle ??= style;
          if (style !== seqStyle) seqMismatch.push(lineOf(value.range[0]));
        } else if (isMap(value) && !value.flow && lineOf(value.range[0]) !== lineOf(key.range[0])) {
          if (columnOf(text, value.range[0]) - keyColumn !== 2) mapIndent.push(lineOf(value.range[0]));
        }
        if (isScalar(value) && isPair(pair) && !(value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED')) {
          const between = text.slice(key.range[1], value.range[0]);
          if (/^:[ \t]{2,}[^\n]*$/.test(between) || /^[ \t]+:/.test(between)) spacing.push(lineOf(value.range[0]));
          const after = /^([ \t]*)#/.exec(text.slice(value.range[1], text.indexOf('\n', value.range[1]) === -1 ? undefined : text.indexOf('\n', value.range[1])));
          if (after && after[1] !== ' ') spacing.push(lineOf(value.range[1]));
          if (text.slice(value.range[0], value.range[1]).trim() !== '') joinedValue(key.range, value.range);
        }
        if ((isMap(value) || isSeq(value)) && !value.flow && /^:[ \t]{2,}#/.test(text.slice(key.range[1], value.range[0]))) spacing.push(lineOf(key.range[1]));
      },
    });
  }
  if (pending) lostKeyComment(pending);
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const opaqueLine = new Uint8Array(lines.length);
  for (const [from, to] of opaqueRanges) for (let i = lineOf(from); i < lineOf(Math.max(from, to - 1)); i++) opaqueLine[i] = 1;
  const inBlock = (offset: number) => opaqueLine[lineOf(offset) - 1] === 1;
  const kinds: LineKind[] = lines.map((line, i) => {
    const t = line.trim();
    if (opaqueLine[i] === 1) return 'content';
    if (t === '') return 'blank';
    if (t.startsWith('#')) return 'comment';
    if (/^(---|\.\.\.)(\s|$)/.test(line)) return 'end';
    return 'content';
  });
  const kind = (i: number) => kinds[i];
  const starts = lineStarts;
  const indentOf = (i: number) => /^[ \t]*/.exec(lines[i])![0].length;
  const nearest = (from: number, step: 1 | -1, want: (k: ReturnType<typeof kind>) => boolean) => {
    for (let j = from + step; j >= 0 && j < lines.length; j += step) if (want(kind(j))) return j;
    return -1;
  };
  const blank: number[] = [];
  const dashSpacing: number[] = [];
  const tagThenAnchor: number[] = [];
  const explicitKeys: number[] = [];
  let firstContent = -1;
  for (let i = 0; i < lines.length; i++) {
    const k = kind(i);
    if (k === 'blank' && i < lines.length - 1) {
      // go-yaml v3 keeps a blank line only between two comments at the margin, or before the comments that end
      // a document (its foot comment).
      const next = nearest(i, 1, (x) => x !== 'blank');
      const previous = nearest(i, -1, (x) => x !== 'blank');
      const marginComment = (j: number) => j >= 0 && kind(j) === 'comment' && indentOf(j) === 0;
      const footFollows = next >= 0 && marginComment(next) && (() => {
        const after = nearest(next, 1, (x) => x !== 'blank' && x !== 'comment');
        return after === -1 || kind(after) === 'end';
      })();
      if (next === -1 || !(marginComment(next) && (marginComment(previous) || footFollows))) blank.push(i + 1);
    }
    if (k === 'content' && !inBlock(starts[i])) {
      if (firstContent === -1) firstContent = i;
      if (/^[ \t]*(- )*-[ \t]{2,}\S/.test(lines[i])) dashSpacing.push(i + 1);
      if (/(^|[\s:[{,-])!\S*[ \t]+&\S/.test(lines[i])) tagThenAnchor.push(i + 1);
      if (/^[ \t]*\?[ \t]/.test(lines[i])) explicitKeys.push(i + 1);
      if (/[|>][0-9+-]*[ \t]{2,}#/.test(lines[i])) spacing.push(i + 1);
    }
    if (k === 'end' && firstContent === -1 && /^---/.test(lines[i])) firstContent = -2 - i;
  }
  add('blank lines are dropped', blank);
  if (firstContent <= -2 && /^---[ \t]*(#.*)?$/.test(lines[-2 - firstContent])) {
    const comment = /#.*$/.exec(lines[-2 - firstContent]);
    add(comment ? `the leading \`---\` is dropped (its comment \`${comment[0].trim()}\` stays, on a line of its own)` : 'the leading `---` is dropped', [-1 - firstContent]);
  }
  const facts = { lines, kinds, lineStarts };
  out.push(...commentMoves(facts, ownerColumns(docs, facts)), ...documentLosses(facts), ...insertedBlankLines(docs, facts));
  add('one space after `-` in lists', dashSpacing);
  add('an explicit tag written before an anchor is written after it', tagThenAnchor);
  add('explicit `? ` keys are written as plain keys', explicitKeys);
  add('`...` document ends are dropped', lines.map((l, i) => (/^\.\.\.[ \t]*$/.test(l) ? i + 1 : 0)).filter((n) => n > 0));
  add('lists are indented like the first list of their document', seqMismatch);
  add('nested mappings are re-indented by 2 spaces', mapIndent);
  add('spacing is normalised (one space after `:` and before a comment)', spacing);
  add('block scalars with trailing spaces become double-quoted strings', trailingSpaceBlocks);
  add('folded block scalars (`>`) are re-folded', folded);
  add('flow mappings and lists spanning several lines are written on one line', flowSpans);
  out.push(...flowRewrites);
  if (text.includes('\r\n')) add('CRLF line ends become LF', [lineOf(text.indexOf('\r\n'))]);
  if (text.length > 0 && !text.endsWith('\n')) add('a final line break is added', [lines.length]);
  return out.sort((a, b) => a.lines[0] - b.lines[0]);
}

/** `blank lines are dropped (lines 3, 9)`: one report entry as text. */
export function describeReformat(entry: Reformat): string {
  if (entry.named) return entry.message;
  const shown = entry.lines.slice(0, 5).join(', ') + (entry.lines.length > 5 ? ', …' : '');
  return `${entry.message} (line${entry.lines.length > 1 ? 's' : ''} ${shown})`;
}

/**
 * The report as one sentence list for a hover: the first `most` entries described, then how many more
 * `tagline update` names (it lists all of them).
 */
export function describeReformats(entries: Reformat[], most = Infinity): string {
  const shown = entries.slice(0, most).map(describeReformat);
  if (entries.length > most) shown.push(`${entries.length - most} more (tagline update lists them all)`);
  return shown.join('; ');
}
