// The fast path must give exactly what the `yaml` package gives (value, node ranges, scalar styles) or give up.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { splitDocuments } from '../../common/manifests';
import { fastParse, fastTree } from '../../common/manifests/fastYaml';
import { goYamlProblems, KUBECTL_YAML } from '../../common/manifests/goYamlDocument';
import { resolvePlainScalar } from '../../common/manifests/goYamlScalars';

function shape(node: unknown): unknown {
  if (isMap(node)) {
    return { map: node.range?.slice(0, 2), flow: !!node.flow, items: node.items.map((p) => (isPair(p) ? [shape(p.key), shape(p.value)] : '?')) };
  }
  if (isSeq(node)) return { seq: node.range?.slice(0, 2), flow: !!node.flow, items: node.items.map(shape) };
  if (isScalar(node)) return { scalar: node.range?.slice(0, 2), value: node.value, type: node.type };
  return node;
}

function same(text: string): void {
  const fast = fastTree(text);
  assert.ok(fast, `fast path gave up on:\n${text}`);
  // Without a tree: the same value and the same spec.image offsets.
  const light = fastParse(text);
  assert.deepEqual(light, { value: fast.value, imageRange: fast.imageRange });
  const doc = parseDocument(text, KUBECTL_YAML);
  assert.deepEqual([...doc.errors, ...goYamlProblems(doc, text)], []);
  assert.deepEqual(fast.value, doc.toJS());
  assert.deepEqual(shape(fast.contents), shape(doc.contents as Node));
}

const SAMPLES: Record<string, string> = {
  'nested mappings and sequences': `---
# leading comment
apiVersion: apps/v1   # trailing comment
kind: Deployment
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web

spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.0.0
          args:
            - --port=8080
            - "--verbose"
          ports:
            - containerPort: 8080
              protocol: TCP
      tolerations:
      - key: a
        operator: Exists
`,
  'scalars of every core type': `s: plain text with spaces
q: "double \\"quoted\\" \\u00e9 \\n"
sq: 'it''s'
i: 42
neg: -7
f: 1.5
e: 1e3
dot: .5
tr: true
fa: False
nul: null
tilde: ~
ver: 1.20
date: 2026-01-01
dur: 5m
octalish: 0755
colon: a:b
hash: a#b
url: http://example.com/x?y=z
empty_seq: []
empty_map: {}
quoted_key_value: "x"  # c
"quoted key": v
'single key': w
`,
  'sequences of scalars and empty flow collections': `exclusionList:
  - "^.*\\\\.sig$"
  - '^sha256-'
  - -rc
list: []
- not: here
`.replace('- not: here\n', ''),
  'YAML 1.1 scalars as kubectl reads them': `yesv: yes
b: [no, on, OFF, Y, n, True]
`.replace('b: [no, on, OFF, Y, n, True]\n', 'b1: no\nb2: on\nb3: OFF\nb4: Y\nb5: n\n') + `oct: 0755
o: 0o17
hex: 0x1F
bin: 0b101
sex: 1:20
under: 1_000
exp: 1e3
eight: 08
plus: +12
half: .5
inf: .inf
date: 2001-12-14
`,
  'CRLF line endings': 'a: 1\r\nb:\r\n  - x\r\n  - y\r\n',
  'no trailing newline': 'a:\n  b: c',
  'compact mapping in a sequence with nested blocks': `items:
  - matchLabels:
      team: a
    other: b
  -   spaced: 1
  -
    late: 2
`,
};

const GIVE_UPS: Record<string, string> = {
  anchor: 'a: &x 1\nb: *x\n',
  tag: 'a: !!str 1\n',
  'block scalar': 'a: |\n  text\n',
  'flow with content': 'a: [1, 2]\n',
  'multi-line plain scalar': 'a: one\n  two\n',
  'empty value': 'a:\nb: 1\n',
  'duplicate key': 'a: 1\na: 2\n',
  'bad indentation': 'a:\n    b: 1\n  c: 2\n',
  tab: 'a:\n\tb: 1\n',
  'multi-line quoted scalar': 'a: "one\n  two"\n',
  'merge key': 'a:\n  <<: {}\n',
  'two documents': 'a: 1\n---\nb: 2\n',
  directive: '%YAML 1.2\n---\na: 1\n',
  'nested sequence on one line': 'a:\n  - - x\n',
  'colon in a plain value': 'a: b: c\n',
  'only comments': '# nothing\n',
};

describe('plain scalars as go-yaml v2 resolves them (sigs.k8s.io/yaml, kubectl)', () => {
  const cases: [string, unknown][] = [
    ['yes', true], ['Yes', true], ['on', true], ['ON', true], ['y', true], ['true', true],
    ['no', false], ['off', false], ['N', false], ['FALSE', false], ['yEs', 'yEs'],
    ['', null], ['~', null], ['Null', null], ['0755', 493], ['0o17', 15], ['0x1F', 31], ['0b101', 5], ['-0b11', -3],
    ['1_000', 1000], ['08', 8], ['+12', 12], ['-7', -7], ['1e3', 1000], ['1.10', 1.1], ['.5', 0.5], ['.inf', Infinity],
    ['-.Inf', -Infinity], ['1:20', '1:20'], ['190:20:30', '190:20:30'], ['2001-12-14', '2001-12-14'], ['5m', '5m'],
    ['1.2.3', '1.2.3'], ['0x', '0x'], ['+', '+'], ['.', '.'], ['-', '-'],
  ];
  for (const [text, value] of cases) {
    test(`${JSON.stringify(text)} is ${String(value)}`, () => assert.deepEqual(resolvePlainScalar(text), value));
  }

  test('both parsers resolve YAML 1.1 booleans, octal and sexagesimal alike, in keys and values', () => {
    const text = 'suspend: yes\ninterval: 1:30\nmode: 0644\n';
    assert.deepEqual(fastParse(text)?.value, { suspend: true, interval: '1:30', mode: 420 });
    assert.deepEqual(parseDocument(text, KUBECTL_YAML).toJS(), { suspend: true, interval: '1:30', mode: 420 });
  });
});

describe('fast YAML path', () => {
  for (const [name, text] of Object.entries(SAMPLES)) {
    test(`matches the yaml package: ${name}`, () => same(text));
  }

  for (const [name, text] of Object.entries(GIVE_UPS)) {
    test(`gives up on ${name}`, () => {
      assert.equal(fastParse(text), undefined);
      assert.equal(fastTree(text), undefined);
    });
  }

  test('records the offsets of spec.image without building a tree', () => {
    const text = 'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nspec:\n  interval: 5m\n  image: "ghcr.io/a/b"  # c\n';
    const start = text.indexOf('"ghcr');
    assert.deepEqual(fastParse(text)?.imageRange, [start, start + '"ghcr.io/a/b"'.length]);
    assert.equal(fastParse('spec:\n  x:\n    image: nested\n')?.imageRange, undefined);
  });

  test('matches the yaml package on every document of the test fixtures it accepts', () => {
    const root = resolve(__dirname, '../fixtures/lsp');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (/\.ya?ml$/.test(entry.name)) files.push(join(dir, entry.name));
      }
    };
    walk(root);
    let accepted = 0;
    for (const file of files) {
      for (const chunk of splitDocuments(readFileSync(file, 'utf8'))) {
        if (fastTree(chunk.text)) {
          same(chunk.text);
          accepted++;
        }
      }
    }
    assert.ok(accepted >= 10, `only ${accepted} documents took the fast path`);
  });
});
