// Policies that will silently stop advancing, judged on stored tags: from the tag database in `tagline check`,
// from the extension host's tagline/storedTags over stdio, with the quick fix where it is certain.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { TagStore } from '../../client/src/store';
import { StatusNotification } from '../../common/protocol';
import { CLI_TIMEOUT_MS, TestServer } from './harness';

const CLI = resolve(__dirname, '../../dist/cli.js');
const IMAGE = 'ghcr.io/example/app';
const TAGS = ['v1.9.0', 'v1.10.0', 'v1.2.3'];
const MANIFEST = [
  'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: app\n  namespace: apps\nspec:\n  image: ghcr.io/example/app\n  interval: 5m\n',
  'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata:\n  name: app\n  namespace: apps\nspec:\n  imageRepositoryRef:\n    name: app\n  policy:\n    alphabetical:\n      order: asc\n',
  'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata:\n  name: app-stable\n  namespace: apps\nspec:\n  imageRepositoryRef:\n    name: app\n  filterTags:\n    pattern: \'^stable-\'\n  policy:\n    semver:\n      range: 1.x\n',
].join('---\n');

describe('policy pitfalls in tagline check', () => {
  const folder = mkdtempSync(join(tmpdir(), 'tagline-pitfalls-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  test('judges ImagePolicies on the tags of the database tagline scan wrote, naming the tags', async () => {
    writeFileSync(join(folder, 'app.yaml'), MANIFEST);
    const db = join(folder, 'tags.sqlite');
    const store = await TagStore.open({ file: db });
    store.setImageTags(IMAGE, TAGS);
    await store.close();
    const run = spawnSync(process.execPath, [CLI, 'check', join(folder, 'app.yaml'), '--db', db], { encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    assert.deepEqual(run.stdout.split('\n').slice(1).filter(Boolean).map((l) => l.replace(/^.*app\.yaml:/, '')), [
      "19:5 warning policy.orderOverSemver alphabetical order selects 'v1.9.0' over 'v1.10.0': these tags carry semantic versions, which alphabetical order does not compare as versions; use policy.semver.",
      "31:14 warning policy.patternMatchesNothing filterTags.pattern '^stable-' matches none of the 3 stored tags (e.g. 'v1.9.0', 'v1.2.3', 'v1.10.0'); the policy selects nothing.",
    ]);
    const without = spawnSync(process.execPath, [CLI, 'check', join(folder, 'app.yaml'), '--db', join(folder, 'none.sqlite')], { encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
    assert.doesNotMatch(without.stdout, /policy\./);
  });
});

describe('policy pitfalls over stdio, with the stored tags the extension host answers', () => {
  const folder = mkdtempSync(join(tmpdir(), 'tagline-pitfalls-lsp-'));
  const server = new TestServer({ rootUri: pathToFileURL(folder).href, storedTags: (name) => (name === IMAGE ? TAGS : null) });
  after(async () => {
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  test('publishes the warnings once the tags are known, with semver as the quick fix', async () => {
    await server.initialize();
    const uri = pathToFileURL(join(folder, 'app.yaml')).href;
    const pitfalls = new Promise<Diagnostic[]>((done) => {
      const wait = () => void server.nextDiagnostics(uri).then((p) => (p.diagnostics.some((d) => String(d.code).startsWith('policy.')) ? done(p.diagnostics) : wait()));
      wait();
    });
    await server.open(uri, MANIFEST);
    const diagnostics = await pitfalls;
    assert.deepEqual(diagnostics.filter((d) => String(d.code).startsWith('policy.')).map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.severity} ${String(d.code)}`), [
      '18:4-18:16 2 policy.orderOverSemver', '30:13-30:23 2 policy.patternMatchesNothing',
    ]);
    const order = diagnostics.find((d) => d.code === 'policy.orderOverSemver')!;
    const actions = await server.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: order.range, context: { diagnostics: [order] } });
    const fix = actions.find((a) => a.title.startsWith('Select by semantic version'));
    assert.ok(fix, JSON.stringify(actions));
    assert.deepEqual(fix.edit?.changes?.[uri], [{ range: { start: { line: 18, character: 4 }, end: { line: 20, character: 0 } }, newText: "semver:\n      range: '>=0.0.0'\n" }]);
  });
});

describe('stored tags over stdio, asked once until the extension host reports a status', () => {
  const folder = mkdtempSync(join(tmpdir(), 'tagline-pitfalls-cache-'));
  let stored = TAGS;
  const asked: string[] = [];
  const server = new TestServer({ rootUri: pathToFileURL(folder).href, storedTags: (name) => {
    asked.push(name);
    return name === IMAGE ? stored : null;
  } });
  after(async () => {
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  const codes = (diagnostics: Diagnostic[]) => diagnostics.map((d) => String(d.code)).filter((c) => c.startsWith('policy.')).sort();
  /** The next publish of `uri` that is settled on pitfalls (the second of an edit, once the tags are in). */
  function pitfallsAfter(uri: string, version: number, want: (codes: string[]) => boolean): Promise<string[]> {
    return new Promise((done) => {
      const wait = () => void server.nextDiagnostics(uri, version).then((p) => (want(codes(p.diagnostics)) ? done(codes(p.diagnostics)) : wait()));
      wait();
    });
  }

  test('edits do not ask again; a status (a scan stored new tags) makes the next publish use the new tags', { timeout: 20_000 }, async () => {
    await server.initialize();
    const uri = pathToFileURL(join(folder, 'app.yaml')).href;
    const first = pitfallsAfter(uri, 1, (c) => c.length > 0);
    await server.open(uri, MANIFEST);
    assert.deepEqual(await first, ['policy.orderOverSemver', 'policy.patternMatchesNothing']);
    assert.deepEqual(asked, [IMAGE]);

    const edited = MANIFEST.replace('interval: 5m', 'interval: 6m');
    const second = pitfallsAfter(uri, 2, (c) => c.length > 0);
    await server.replace(uri, edited, 2);
    assert.deepEqual(await second, ['policy.orderOverSemver', 'policy.patternMatchesNothing']);
    assert.deepEqual(asked, [IMAGE], 'an edit asks the extension host for no tags it already answered');

    stored = [...TAGS, 'stable-1.0.0'];
    const third = pitfallsAfter(uri, 2, (c) => c.length > 0 && !c.includes('policy.patternMatchesNothing'));
    await server.connection.sendNotification(StatusNotification, {
      statuses: [{
        key: 'apps/app', uri, scanning: false,
        status: { observedGeneration: 1, canonicalImageName: IMAGE, conditions: [], lastScanResult: { revision: '2', tagCount: 4, scanTime: new Date().toISOString(), latestTags: stored } },
      }],
      removed: [],
    });
    assert.deepEqual(await third, ['policy.orderOverSemver']);
    assert.deepEqual(asked, [IMAGE, IMAGE]);
  });
});
