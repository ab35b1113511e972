// findMarkers' line-by-line fast path (common/flux/markers/lineMarkers.ts) against the parse it stands in for:
// on seeded random documents that parse — block mappings and sequences of every scalar style, flow collections,
// anchors and aliases, block and multi-line scalars, comment lines, CRLF, markers well and badly written, then
// lines deleted, repeated or re-indented — both must give the same markers and problems, field for field.
// A failure prints the seed; TAGLINE_MARKER_SEED=<seed> replays it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'yaml';
import { findMarkers } from '../../common/flux/markers/markers';
import { markedNodesByLines } from '../../common/flux/markers/lineMarkers';

const SEED = Number(process.env.TAGLINE_MARKER_SEED ?? Math.floor(Math.random() * 2 ** 31));
const COUNT = 4000;

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALARS = [
  'ghcr.io/acme/app:1.2.3', 'ghcr.io/acme/app', '"1.0.0"', "'v1.2.0'", '1.0', '1.0.0', 'true', '~', 'null', '0x1F', '1e3', '.inf', 'x#y',
  '"a # b"', "'it''s'", '"esc\\"q"', '"tab\\tx"', 'a: b', 'v1:tag', 'a[1]', '-1', '- x', '"unclosed', '[a, b]', '{cpu: 500m}', '["--port", "8080"]',
  '[]', '{}', '&anc value', '*anc', '!!str 5', '&a', '|\n  block # not a comment\n  text', '>-\n  folded', 'multi\n  line', '"multi\n  line"',
  '[a,\n  b]', '{a: 1,\n  b: 2}', '', '2026-01-01', 'ünïcode',
];
const COMMENTS = [
  ' # {"$imagepolicy": "ns:p"}', ' # {"$imagepolicy": "ns:p:tag"}', ' # {"$imagepolicy": "ns:p:version"}', ' # {"$imagepolicy": 1}',
  ' # {"$imagepolicy": "ns:p"} trailing', ' #{"$imagepolicy":"ns:p:name"}', ' ## {"$imagepolicy": "ns:p:digest"}', ' # $imagepolicy',
  ' # plain comment', ' # {"other": "x", "$imagepolicy": "ns:q"}', ' # {"$imagepolicy": ""}', ' # null', '',
];
const KEYS = ['image', 'tag', '"quoted key"', "'single'", 'name', 'a#b', 'newTag', 'value', 'k'];

class Gen {
  constructor(readonly next: () => number) {}
  int(n: number): number { return Math.floor(this.next() * n); }
  pick<T>(items: readonly T[]): T { return items[this.int(items.length)]!; }
  chance(p: number): boolean { return this.next() < p; }
}

function comment(gen: Gen): string {
  return gen.chance(0.5) ? gen.pick(COMMENTS) : '';
}

function scalar(gen: Gen, indent: string): string {
  return gen.pick(SCALARS).replace(/\n/g, `\n${indent}  `);
}

function commentLines(gen: Gen, indent: string): string {
  if (!gen.chance(0.3)) return '';
  return Array.from({ length: 1 + gen.int(2) }, () => `${indent}#${gen.pick(COMMENTS.filter((c) => c !== '')).replace(/^ #/, '')}\n`).join('');
}

function mapping(gen: Gen, indent: string, depth: number): string {
  let out = '';
  for (let i = 0, n = 1 + gen.int(4); i < n; i++) {
    out += commentLines(gen, indent);
    const key = `${gen.pick(KEYS)}${i}`;
    if (depth < 3 && gen.chance(0.3)) {
      out += `${indent}${key}:${gen.chance(0.2) ? ' &m' : ''}${comment(gen)}\n${gen.chance(0.5) ? mapping(gen, `${indent}  `, depth + 1) : sequence(gen, gen.chance(0.5) ? indent : `${indent}  `, depth + 1)}`;
    } else {
      const value = scalar(gen, indent);
      out += `${indent}${key}:${value === '' ? '' : ' '}${value}${comment(gen)}\n`;
    }
    if (gen.chance(0.1)) out += '\n';
  }
  return out;
}

function sequence(gen: Gen, indent: string, depth: number): string {
  let out = '';
  for (let i = 0, n = 1 + gen.int(3); i < n; i++) {
    out += commentLines(gen, indent);
    const roll = gen.int(10);
    if (depth < 3 && roll < 3) {
      const inner = mapping(gen, `${indent}  `, depth + 1);
      out += `${indent}- ${inner.slice(indent.length + 2)}`;
    } else if (depth < 3 && roll < 4) {
      out += `${indent}- - ${scalar(gen, indent)}${comment(gen)}\n`;
    } else {
      const value = scalar(gen, indent);
      out += `${indent}-${value === '' ? '' : ' '}${value}${comment(gen)}\n`;
    }
  }
  return out;
}

function mutate(gen: Gen, text: string): string {
  const lines = text.split('\n');
  for (let n = gen.int(3); n > 0; n--) {
    const at = gen.int(lines.length);
    switch (gen.int(4)) {
      case 0: lines.splice(at, 1); break;
      case 1: lines.splice(at, 0, lines[at] ?? ''); break;
      case 2: lines[at] = `  ${lines[at]}`; break;
      default: lines[at] = (lines[at] ?? '').replace(/^ {2}/, '');
    }
  }
  return lines.join('\n');
}

function documents(seed: number): string[] {
  const gen = new Gen(random(seed));
  const docs: string[] = [];
  while (docs.length < COUNT) {
    let text = (gen.chance(0.2) ? '---\n' : '') + (gen.chance(0.15) ? sequence(gen, '', 0) : mapping(gen, '', 0));
    if (gen.chance(0.3)) text = mutate(gen, text);
    if (gen.chance(0.1)) text = text.replace(/\n/g, '\r\n');
    if (!text.includes('"$imagepolicy"')) continue;
    if (parseDocument(text).errors.length > 0) continue;
    docs.push(text);
  }
  return docs;
}

describe('image-update markers found by lines', () => {
  it(`agree with the parse on ${COUNT} seeded documents that parse (TAGLINE_MARKER_SEED=${SEED})`, () => {
    const problems: string[] = [];
    let fast = 0;
    for (const text of documents(SEED)) {
      if (markedNodesByLines(text, '$imagepolicy')) fast++;
      const byLines = findMarkers(text, { trustSyntax: true });
      const parsed = findMarkers(text);
      try {
        assert.deepEqual(byLines, parsed);
      } catch {
        problems.push(`${JSON.stringify(text)}\n  lines: ${JSON.stringify(byLines)}\n  parse: ${JSON.stringify(parsed)}`);
      }
    }
    assert.deepEqual(problems.slice(0, 5), [], `${problems.length} documents disagree (TAGLINE_MARKER_SEED=${SEED})`);
    // The fast path must carry real weight, not give up on everything.
    assert.ok(fast > COUNT / 4, `lines answered only ${fast} of ${COUNT} documents`);
  });

  it('read the benchmark\'s Deployment (flow values, anchors and aliases, markers on a line and above) without a parse', () => {
    const deployment = [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: web', 'spec:', '  template:', '    spec:', '      containers:',
      '        - name: web', '          image: ghcr.io/acme/web:1.0.1 # {"$imagepolicy": "team:app"}', '          args: ["--port", "8080"]',
      '          resources:', '            limits: {cpu: 500m, memory: 256Mi}', '          env: &env', '            - name: TAG',
      '              # {"$imagepolicy": "team:app:tag"}', '              value: "1.0.1"', '          args2:', '            # {"$imagepolicy": "team:app:tag"}',
      '            - "1.0.1"', '        - name: sidecar', '          env: *env', '',
    ].join('\n');
    assert.equal(markedNodesByLines(deployment, '$imagepolicy')?.length, 2);
    assert.deepEqual(findMarkers(deployment, { trustSyntax: true }), findMarkers(deployment));
    assert.deepEqual(findMarkers(deployment).markers.map((m) => `${m.setter}=${m.value}`), ['team:app=ghcr.io/acme/web:1.0.1', 'team:app:tag=1.0.1']);
  });

  it('leave to the parse what lines cannot read', () => {
    const unread = [
      'a: |\n  # {"$imagepolicy": "ns:p"}\n  - x\n',
      'a: "multi\n  - b # {"$imagepolicy": "ns:p"}"\n',
      'a: foo\n  - b # {"$imagepolicy": "ns:p"}\n',
      'image:\n  foo\n  bar # {"$imagepolicy": "ns:p"}\n',
      'a: {x: 1,\n  b: 2} # {"$imagepolicy": "ns:p"}\n',
      'tag: 1.0 # {"$imagepolicy": "ns:p:tag"}\n',
      'tag: &t v1 # {"$imagepolicy": "ns:p:tag"}\n',
      'tag: "\\x41" # {"$imagepolicy": "ns:p:tag"}\n',
      'tag: # {"$imagepolicy": "ns:p:tag"}\n',
    ];
    for (const text of unread) {
      assert.equal(markedNodesByLines(text, '$imagepolicy'), undefined, text);
      assert.deepEqual(findMarkers(text, { trustSyntax: true }), findMarkers(text), text);
    }
  });
});
