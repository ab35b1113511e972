// What else the automation's commit changes in a file it updates. image-automation-controller v1.2.0 does not
// edit values in place: kyaml v0.21.1 reads the whole file into go-yaml v3 nodes (kio.ByteReader with
// PreserveSeqIndent) and kio.ByteWriter encodes them again, so everything the node tree does not keep is lost.
// Tagline changes only the marked values; this names, per file, what the automation's own commit would also
// change, so a reviewer is not surprised. Each rule is checked against kyaml itself in
// test/flux/setters-oracle.test.ts.
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, visit, type Node } from 'yaml';

/** One kind of change kyaml's re-serialisation makes, with the 1-based lines it concerns. */
export interface Reformat {
  message: string;
  lines: number[];
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
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
  const out: Reformat[] = [];
  const add = (message: string, lines: number[]) => { if (lines.length > 0) out.push({ message, lines: [...new Set(lines)].sort((a, b) => a - b) }); };
  const blockRanges: [number, number][] = [];
  const trailingSpaceBlocks: number[] = [];
  const folded: number[] = [];
  const seqMismatch: number[] = [];
  const mapIndent: number[] = [];
  const spacing: number[] = [];
  const flowSpans: number[] = [];
  for (const doc of docs) {
    let seqStyle: 'compact' | 'wide' | undefined;
    visit(doc, {
      Scalar(_, node) {
        if ((node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') && node.range) {
          blockRanges.push([node.range[0], node.range[1]]);
          const body = text.slice(node.range[0], node.range[1]).split('\n').slice(1);
          if (body.some((l) => /[ \t]\r?$/.test(l) && l.trim() !== '')) trailingSpaceBlocks.push(lineOf(text, node.range[0]));
          else if (node.type === 'BLOCK_FOLDED' && body.filter((l) => l.trim() !== '').length > 1) folded.push(lineOf(text, node.range[0]));
        }
      },
      // Without comments go-yaml v3 writes a flow collection on one line; with comments in it the layout may
      // stay or change, which this does not predict.
      Map(_, map) { if (map.flow && map.range && /\n/.test(text.slice(map.range[0], map.range[1])) && !/(^|\s)#/.test(text.slice(map.range[0], map.range[1]))) flowSpans.push(lineOf(text, map.range[0])); },
      Seq(_, seq) { if (seq.flow && seq.range && /\n/.test(text.slice(seq.range[0], seq.range[1])) && !/(^|\s)#/.test(text.slice(seq.range[0], seq.range[1]))) flowSpans.push(lineOf(text, seq.range[0])); },
      Pair(_, pair) {
        const key = pair.key as Node | null;
        const value = pair.value as Node | null;
        if (!key || !value || !('range' in key) || !key.range || !('range' in value) || !value.range) return;
        const keyColumn = columnOf(text, key.range[0]);
        if (isSeq(value) && !value.flow) {
          const style = columnOf(text, value.range[0]) === keyColumn ? 'compact' : 'wide';
          seqStyle ??= style;
          if (style !== seqStyle) seqMismatch.push(lineOf(text, value.range[0]));
        } else if (isMap(value) && !value.flow && lineOf(text, value.range[0]) !== lineOf(text, key.range[0])) {
          if (columnOf(text, value.range[0]) - keyColumn !== 2) mapIndent.push(lineOf(text, value.range[0]));
        }
        if (isScalar(value) && isPair(pair) && !(value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED')) {
          const between = text.slice(key.range[1], value.range[0]);
          if (/^:[ \t]{2,}[^\n]*$/.test(between) || /^[ \t]+:/.test(between)) spacing.push(lineOf(text, value.range[0]));
          const after = /^([ \t]*)#/.exec(text.slice(value.range[1], text.indexOf('\n', value.range[1]) === -1 ? undefined : text.indexOf('\n', value.range[1])));
          if (after && after[1] !== ' ') spacing.push(lineOf(text, value.range[1]));
        }
      },
    });
  }
  const inBlock = (offset: number) => blockRanges.some(([s, e]) => offset > s && offset < e);
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const starts: number[] = [];
  for (let i = 0, at = 0; i < lines.length; at += text.split('\n')[i].length + 1, i++) starts.push(at);
  const kind = (i: number): 'blank' | 'comment' | 'end' | 'content' => {
    const t = lines[i].trim();
    if (inBlock(starts[i])) return 'content';
    if (t === '') return 'blank';
    if (t.startsWith('#')) return 'comment';
    if (/^(---|\.\.\.)(\s|$)/.test(lines[i])) return 'end';
    return 'content';
  };
  const indentOf = (i: number) => /^[ \t]*/.exec(lines[i])![0].length;
  const nearest = (from: number, step: 1 | -1, want: (k: ReturnType<typeof kind>) => boolean) => {
    for (let j = from + step; j >= 0 && j < lines.length; j += step) if (want(kind(j))) return j;
    return -1;
  };
  const blank: number[] = [];
  const movedComments: number[] = [];
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
    if (k === 'comment') {
      const previous = nearest(i, -1, (x) => x === 'content');
      const next = nearest(i, 1, (x) => x === 'content');
      if (previous >= 0 && next >= 0 && indentOf(i) < indentOf(previous) && indentOf(i) < indentOf(next)) movedComments.push(i + 1);
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
  if (firstContent <= -2 && /^---[ \t]*$/.test(lines[-2 - firstContent])) add('the leading `---` is dropped', [-1 - firstContent]);
  add('comments are indented like the node they belong to', movedComments);
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
  if (text.includes('\r\n')) add('CRLF line ends become LF', [lineOf(text, text.indexOf('\r\n'))]);
  if (text.length > 0 && !text.endsWith('\n')) add('a final line break is added', [lines.length]);
  return out.sort((a, b) => a.lines[0] - b.lines[0]);
}

/** `blank lines are dropped (lines 3, 9)`: one report entry as text. */
export function describeReformat(entry: Reformat): string {
  const shown = entry.lines.slice(0, 5).join(', ') + (entry.lines.length > 5 ? ', …' : '');
  return `${entry.message} (line${entry.lines.length > 1 ? 's' : ''} ${shown})`;
}
