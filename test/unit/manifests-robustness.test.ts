// Nothing may hang or crash on user content: mutated manifests must parse, validate and complete without
// throwing, and the fast path must agree with the yaml package whenever it accepts a mutation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import { goYamlProblems, KUBECTL_YAML } from '../../common/manifests/goYamlDocument';
import { parseManifestText, splitDocuments } from '../../common/manifests';
import { fastParse, fastTree } from '../../common/manifests/fastYaml';
import { ObjectIndex, validateManifest } from '../../server/src/validation';

const SOURCES = ['check/repos.yaml', 'mixed.yaml', 'workspace/apps/podinfo.yaml']
  .map((f) => readFileSync(resolve(__dirname, '../fixtures/lsp', f), 'utf8'));
const INSERTS = ['\uFEFF', '\r', '\t', ':', ' ', '-', '#', '"', "'", '[', ']', '{', '}', '\n', '&a ', '*a', '!', '|', '>', '\\', '\u00e9', '\r\n', '---\n', '? ', 'ENC[',
  // YAML 1.1 as kubectl reads it: booleans, octal, sexagesimal, underscores, exponents, merge keys and aliases.
  ' yes', ' on', 'Off', ' 0755', ' 0o17', ' 1:20', '1_0', '1e3', '<<: *a\n', '<<: [*a]\n', ' &a {x: 1}\n', 'y: '];

function shape(node: unknown): unknown {
  if (isMap(node)) return { map: node.range?.slice(0, 2), items: node.items.map((p) => (isPair(p) ? [shape(p.key), shape(p.value)] : '?')) };
  if (isSeq(node)) return { seq: node.range?.slice(0, 2), items: node.items.map(shape) };
  if (isScalar(node)) return { scalar: node.range?.slice(0, 2), type: node.type };
  return node;
}

/** A small deterministic generator, so a failure can be reproduced from the seed. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

test('mutated manifests never make parsing or validation throw, and the fast path stays exact', () => {
  const next = random(20260128);
  let fastAccepted = 0;
  for (let round = 0; round < 600; round++) {
    const source = SOURCES[round % SOURCES.length];
    let text = source;
    const edits = 1 + Math.floor(next() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * text.length);
      text = next() < 0.3 ? text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 4))
        : text.slice(0, at) + INSERTS[Math.floor(next() * INSERTS.length)] + text.slice(at);
    }
    const manifest = parseManifestText('file:///fuzz.yaml', text);
    validateManifest(manifest, new ObjectIndex(manifest.objects));
    void manifest.imageNames;
    for (const chunk of splitDocuments(text)) {
      const fast = fastTree(chunk.text);
      assert.equal(!!fast, !!fastParse(chunk.text), `the two fast modes disagree on giving up (round ${round})`);
      if (!fast) continue;
      assert.deepEqual(fastParse(chunk.text), { value: fast.value, imageRange: fast.imageRange });
      fastAccepted++;
      const doc = parseDocument(chunk.text, KUBECTL_YAML);
      assert.deepEqual([...doc.errors, ...goYamlProblems(doc, chunk.text)].map((e) => e.code), [], `fast path accepted what yaml rejects (seed round ${round}):\n${chunk.text}`);
      assert.deepEqual(fast.value, doc.toJS(), `values differ (round ${round}):\n${chunk.text}`);
      assert.deepEqual(shape(fast.contents), shape(doc.contents), `node ranges differ (round ${round}):\n${chunk.text}`);
    }
  }
  assert.ok(fastAccepted > 100, `fast path accepted only ${fastAccepted} mutated documents`);
});

test('pathological documents are reported or parsed quickly, never thrown', () => {
  const deep = Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ` x\n`;
  const deepFlow = `a: ${'['.repeat(20000)}${']'.repeat(20000)}\n`;
  const inputs = [
    deep,
    deepFlow,
    `a: ${':'.repeat(200_000)}\n`,
    `${'x'.repeat(300_000)}\n`,
    `${'- '.repeat(50_000)}x\n`,
    `key: "${'\\'.repeat(100_001)}"\n`,
    'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\n' + '---\n'.repeat(20_000),
  ];
  for (const text of inputs) {
    // CPU time, not wall time: other processes on a busy machine stretch the one, not the other.
    const started = process.cpuUsage();
    const manifest = parseManifestText('file:///big.yaml', text);
    validateManifest(manifest, new ObjectIndex(manifest.objects));
    const used = process.cpuUsage(started);
    const ms = (used.user + used.system) / 1000;
    assert.ok(ms < 5000, `took ${Math.round(ms)} ms of CPU on ${JSON.stringify(text.slice(0, 40))}…`);
  }
});
