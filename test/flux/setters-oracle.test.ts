// The setters' quoting against image-automation-controller v1.2.0's own libraries: test/oracle runs its Setters
// strategy with kyaml v0.21.1 and go-yaml v3 on one file, and Tagline's fileSetters edits must give the same
// marked line (the rest of the file is where kyaml re-serialises, reported separately by reformatReport).
// Every old value style × every new value shape, plus seeded random tags.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { ensureBinary } from '../../scripts/go-build.mjs';
import { applyEdits, fileSetters } from '../../common/flux/markers/setters';
import { reformatReport, type Reformat } from '../../common/flux/markers/reformat';
import { commentedYaml } from './commentedYaml';

let oracle: ChildProcessWithoutNullStreams;
let buffered = '';
const waiting: ((line: unknown) => void)[] = [];

function ask(input: string, setters: Record<string, string>): Promise<{ ok: boolean; output?: string; error?: string; changed?: boolean }> {
  return new Promise((resolve) => {
    waiting.push(resolve as (line: unknown) => void);
    oracle.stdin.write(JSON.stringify({ kind: 'setters', input, setters }) + '\n');
  });
}

before(() => {
  const { path } = ensureBinary('flux-oracle');
  oracle = spawn(path, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  oracle.stdout.setEncoding('utf8');
  oracle.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      waiting.shift()!(line);
    }
  });
});
after(() => oracle?.stdin.end());

const OLD = ['latest', '"1.0"', "'x'", '1.0', '5', '2023-12-31', 'true', 'yes', '~', 'null', '!!str 5', '&a v1', '0x1F', '.5', '1e3', 'v1.0.0', '2023-1-2', '"2023-12-31"'];
const NEW = ['', '2024-01-15', '2024-1-5', '2024-13-01', '1.1', '10', 'v2', 'yes', 'on', 'y', 'off', 'true', '0x1F', '0o17', '017', '08', '1_000', '1e3', '.5', '.inf', 'nan', 'NaN', '-1', '+1', '1.2.3', 'main-20240115', '20240115', '1:20', 'null', '~', '1e400', '99999999999999999999', '0b101', '-0b101'];

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

describe('setter quoting against kyaml and go-yaml v3', () => {
  it('writes every old style and new value as the automation does', async () => {
    const random = seeded(Number(process.env.TAGLINE_ORACLE_SEED ?? 11));
    const alphabet = '0123456789._-eEbBoOxXyYnN+';
    const extra = Array.from({ length: 300 }, () => {
      const n = 1 + Math.floor(random() * 6);
      let s = String(Math.floor(random() * 10));
      for (let i = 1; i < n; i++) s += alphabet[Math.floor(random() * alphabet.length)];
      return s;
    });
    const problems: string[] = [];
    for (const old of OLD) {
      for (const value of [...NEW, ...extra]) {
        for (const [shape, line] of [['map', `  tag: ${old} # {"$imagepolicy": "ns:p:tag"}`], ['seq', `  - ${old} # {"$imagepolicy": "ns:p:tag"}`]] as const) {
          const text = `spec:\n${shape === 'seq' ? 'args:\n' : ''}${line}\n`;
          const want = await ask(text, { 'ns:p:tag': value });
          const result = fileSetters(text, () => ({ latestRef: { name: 'r', tag: value } }));
          const ours = applyEdits(text, result.edits);
          // Compare the marked line only: kyaml may also re-indent the rest (reformatReport says so).
          const pick = (t: string) => t.split('\n').find((l) => l.includes('$imagepolicy'));
          if (!want.ok) { problems.push(`${old} -> ${value}: oracle error ${want.error}`); continue; }
          if (want.changed && pick(want.output!) !== pick(ours)) problems.push(`${JSON.stringify(old)} -> ${JSON.stringify(value)} (${shape}): kyaml ${pick(want.output!)} | tagline ${pick(ours)}`);
          if (!want.changed && result.edits.length > 0) problems.push(`${old} -> ${value}: kyaml changes nothing, tagline edits`);
        }
      }
    }
    assert.deepEqual(problems.slice(0, 15), []);
  });

  it('says when kyaml would reformat a file, and only then', async () => {
    const files = [
      'a: 1\n\nimage: x:1 # {"$imagepolicy": "ns:p"}\n',
      '---\nimage: x:1 # {"$imagepolicy": "ns:p"}\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nlist:\n- a\n- b\nother:\n  - c\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nlist:\n  - a\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nscript: |\n  echo hi  \n  done\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nmap:\n    deep: 1\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb: c\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\n---\nb: c\n\n---\nd: e\n',
      'image: x:1   # {"$imagepolicy": "ns:p"}\nb:    c\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb: c\n...\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nother:\n  - c\nlist:\n- a\n',
      '# head\nimage: x:1 # {"$imagepolicy": "ns:p"}\nb:\n  # about c\n  c: d\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb: {c: d}\ne: [f, g]\nh: "q"\ni: \'s\'\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\r\nb: c\r\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb: c',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb:\n- c: 1\n  d: 2\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb: >\n  folded\n  text\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb: |-\n  x\n\n  y\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb: &anc c\nd: *anc\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb: c # trailing\n\n# foot\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb: [a, # in flow\n  c]\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb:\n  - c\n  # trailing comment in list\nd: e\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb: # comment on key\n  c: d\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb:\n  c: d\n  # end of map\ne: f\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb:\n  c: d\n\n  # end of map after blank\ne: f\n',
      '# top\n\n# second\nimage: x:1 # {"$imagepolicy": "ns:p"}\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nlist:\n  - a # on a\n  # between\n  - b\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb: c\n# final\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb:\n  # before c\n\n  c: d\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\n---\n# doc2 head\nb: c\n',
      'image: | # {"$imagepolicy": "ns:p"}\n  x:1\nb: c\n',
      'image: >- # {"$imagepolicy": "ns:p"}\n  x:1\nb: c\n',
      'a:\n  image: |  # {"$imagepolicy": "ns:p"}\n    x:1\n  b: c\n',
      'image: !!str &a x:1 # {"$imagepolicy": "ns:p"}\n',
      'image: &a !!str x:1 # {"$imagepolicy": "ns:p"}\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nkey with spaces: v\n"quoted key": v\n? complex\n: v\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb:\n- a\n-   b\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\na: 1\n\n# about b\nb: 2\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nm:\n  a: 1\n\n  # about b\n  b: 2\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nm:\n  a: 1\n# col0 inside\n  b: 2\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\n\n\n# two blanks\nb: 2\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb: c\n\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nb: c\n\n# foot\n---\nd: e\n',
      'image: x:1 # {"$imagepolicy": "ns:p"}\nargs: [\n  a, b]\n',
      'apiVersion: v1\nkind: List\nitems:\n  - image: x:1 # {"$imagepolicy": "ns:p"}\n    args:\n    - a\n',
      ...COMMENT_SHAPES,
    ];
    const problems: string[] = [];
    for (const text of files) {
      const want = await ask(text, { 'ns:p': 'x:2' });
      assert.ok(want.ok, want.error);
      const ours = applyEdits(text, fileSetters(text, () => ({ latestRef: { name: 'x', tag: '2' } })).edits);
      const report = reformatReport(text);
      if ((want.output !== ours) !== (report.length > 0)) problems.push(`${JSON.stringify(text)}: kyaml writes ${JSON.stringify(want.output)}; report ${JSON.stringify(report)}`);
    }
    assert.deepEqual(problems, []);
  });

  it('agrees with kyaml on seeded random files full of comments', async () => {
    const seed = Number(process.env.TAGLINE_ORACLE_SEED ?? 11);
    const problems: string[] = [];
    let changed = 0;
    for (let i = 0; i < RANDOM_FILES; i++) {
      const text = commentedYaml(seed * 100_000 + i, { blanks: i % 4 === 0 });
      const want = await ask(text, { 'ns:p': 'x:2' });
      assert.ok(want.ok, want.error);
      const ours = applyEdits(text, fileSetters(text, () => ({ latestRef: { name: 'x', tag: '2' } })).edits);
      if (want.output !== ours) changed++;
      const report = reformatReport(text);
      if ((want.output !== ours) !== (report.length > 0)) problems.push(`${JSON.stringify(text)}: kyaml writes ${JSON.stringify(want.output)}; report ${JSON.stringify(report)}`);
    }
    assert.deepEqual(problems.slice(0, 3), []);
    // Both answers must be well represented for the agreement to mean something.
    assert.ok(changed > RANDOM_FILES / 10 && changed < RANDOM_FILES * 9 / 10, `kyaml changed ${changed} of ${RANDOM_FILES}`);
  });

  it('gives kyaml\'s own text where it names where a comment or a flow collection goes', async () => {
    const problems: string[] = [];
    for (const text of EXACT_SHAPES) {
      const want = await ask(text, { 'ns:p': 'x:2' });
      const report = reformatReport(text);
      const ours = applyEdits(text, fileSetters(text, () => ({ latestRef: { name: 'x', tag: '2' } })).edits);
      if (report.length === 0 || !report.every((e) => e.replace)) { problems.push(`${JSON.stringify(text)}: report ${JSON.stringify(report)}`); continue; }
      if (applyReplacements(ours, report) !== want.output) problems.push(`${JSON.stringify(text)}: kyaml ${JSON.stringify(want.output)} | predicted ${JSON.stringify(applyReplacements(ours, report))}`);
    }
    assert.deepEqual(problems, []);
  });

  it('sets block scalars marked on their header line as the automation does', async () => {
    const problems: string[] = [];
    for (const header of ['|', '|-', '>', '>-', '|2', '|+']) {
      for (const tag of ['2', '1.1', 'yes', '2024-01-15', 'v2']) {
        const text = `a:\n  image: ${header} # {"$imagepolicy": "ns:p:tag"}\n    1\n  b: c\n`;
        const want = await ask(text, { 'ns:p:tag': tag });
        const ours = applyEdits(text, fileSetters(text, () => ({ latestRef: { name: 'x', tag } })).edits);
        if (!want.ok || want.output !== ours) problems.push(`${header} -> ${tag}: kyaml ${JSON.stringify(want.output ?? want.error)} | tagline ${JSON.stringify(ours)}`);
      }
    }
    assert.deepEqual(problems, []);
  });
});

/** Random files for the agreement test: kyaml takes about 3 ms a file. */
const RANDOM_FILES = 600;

function applyReplacements(text: string, report: Reformat[]): string {
  const lines = text.split('\n');
  // From the bottom up; on one line, its replacement before an insertion above it.
  for (const entry of [...report].sort((a, b) => b.replace!.from - a.replace!.from || b.replace!.to - a.replace!.to)) {
    lines.splice(entry.replace!.from - 1, entry.replace!.to - entry.replace!.from + 1, entry.replace!.text);
  }
  return lines.join('\n');
}

const M = 'image: x:1 # {"$imagepolicy": "ns:p"}\n';

/** Shapes where the report gives kyaml's text for the lines it names; each is also in COMMENT_SHAPES. */
const EXACT_SHAPES = [
  // Multi-line flow collections with comments: head, line and foot comments kept on their items, items joined.
  `${M}b: [\n  # head\n  a,\n  b # tail\n]\n`,
  `${M}b: {\n  # head\n  c: 1,\n  d: 2\n  # foot\n}\n`,
  `${M}m:\n  b: [\n    a\n    # foot\n  ]\n`,
  `${M}b: [\n  a, # on a\n  b,\n  c\n]\n`,
  `${M}b: [ # after the bracket\n  a]\n`,
  `${M}b: [ a, b ]\nc: {d: 1,e: 2}\n`,
  // A head comment of a key at another indentation.
  `${M}m:\n    # deeper\n  b: 1\n`,
  `${M}m:\n# at the margin\n  b: 1\n`,
  `# top\n  # indented\n${M}`,
  // A comment between sequence items.
  `${M}l:\n  - a\n    # deeper\n  - b\n`,
  `${M}l:\n  - a\n # shallower\n  - b\n`,
  // A comment after the last item of a block: the foot of the last node.
  `${M}a:\n  b:\n    c: 1\n  # X\nd: 2\n`,
  `${M}a:\n  b:\n    c: 1\n# X\n  d: 2\n`,
  `${M}a:\n- s1\n  # X\nb: 1\n`,
  `${M}a:\n  - b: 1\n    c: 2\n # X\nd: 1\n`,
  // A foot comment followed by a head comment at its column: go-yaml v3 writes a blank line between.
  `${M}a:\n  - b: v\n    c: 1\n    # foot\n  # head\n    d: 2\n`,
  // A comment after a key whose value is on the next line, which kyaml writes on the key's line.
  `${M}a: # c\n  v\n`,
  `${M}a: # c\n  v # d\nb: 'q' # e\n---\nf:\n  g: 1\n`,
  `${M}a: # c\n  v # d\nb: [x]\nh: w\n`,
  // A comment on a document separator, and the foot of a one-pair document.
  `${M}--- # separator\nb: c\n`,
  'image: x:1 # {"$imagepolicy": "ns:p"}\n# the document\'s foot\n',
  "image: 'x:1' # {\"$imagepolicy\": \"ns:p\"}\n  # indented foot\n",
];

/** Comment shapes go-yaml v3 keeps or moves, beyond indentation: each alone, for the agreement test. */
const COMMENT_SHAPES = [
  ...EXACT_SHAPES,
  // Left as they are.
  `${M}a:\n  b:\n    c: 1\n    # X\n  # Y\nd: 2\n`,
  `${M}a:\n  - b: 1\n    c: 2\n  # X\n  - s2\n`,
  `${M}b: {c: 1, # t\n  d: 2}\n`,
  `${M}b: [a, b] # after\n`,
  `${M}l:\n  - a\n  # between\n  - b\n  # after the last\n`,
  `${M}a:\n  b: 1\n# c\n`,
  `k: v\n${M}# foot of a two-pair document\n`,
  // Lost: a key's comment no later key takes; a document of only comments.
  `${M}a: # c\n  v # d\n`,
  `# only comments\n---\n${M}`,
  `${M}---\n# only comments\n---\nb: 2\n`,
  // At the end of a document, a comment at an open node's column stays there.
  `${M}a:\n  b:\n    c: 1\n  # stays\n`,
];
