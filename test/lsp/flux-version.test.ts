// Each workspace is judged by its own Flux: the version in gotk-components.yaml, a FluxInstance, or the
// tagline.fluxVersion setting decides which image.toolkit.fluxcd.io apiVersions are served; ImageRepositories the
// controller would not get are sent to the extension host as skipped, with the reason.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction, CompletionItem, Diagnostic, Hover } from 'vscode-languageserver-protocol';
import type { WorkspaceIndexParams } from '../../common/protocol';
import { brief, caret, TestServer } from './harness';

const FIXTURES = resolve(__dirname, '../fixtures/flux');
const APPS = 'clusters/production/apps/image-automation.yaml';

async function workspace(name: string, configuration?: unknown, apps = APPS): Promise<{ server: TestServer; index: WorkspaceIndexParams; uri: string; text: string }> {
  const root = join(FIXTURES, name);
  const text = readFileSync(join(root, apps), 'utf8');
  const server = new TestServer({ rootUri: pathToFileURL(root).href, ...(configuration ? { configuration } : {}) });
  const index = server.nextNotification<WorkspaceIndexParams>('tagline/workspaceIndex');
  await server.initialize();
  return { server, index: await index, uri: pathToFileURL(join(root, apps)).href, text };
}

describe('a repository pinned to Flux 2.6 with v1beta2 objects', () => {
  let ws: Awaited<ReturnType<typeof workspace>>;
  before(async () => { ws = await workspace('pinned-2.6'); });
  after(() => ws.server.stop());

  test('reports no error, only that Flux 2.9 removes v1beta2', async () => {
    const diagnostics = await ws.server.open(ws.uri, ws.text);
    assert.deepEqual(diagnostics.map((d) => `${d.range.start.line} ${d.severity} ${String(d.code)}`), [
      '0 3 apiVersion.removedLater', '9 3 apiVersion.removedLater', '21 3 apiVersion.removedLater',
    ]);
    assert.equal(diagnostics[0].message,
      'image.toolkit.fluxcd.io/v1beta2 ImageRepository is served by Flux 2.6.4, from the "# Flux Version" header in ' +
      'clusters/production/flux-system/gotk-components.yaml. Flux 2.9 (image-reflector-controller v1.2.5) no longer serves it.');
  });

  test('completes the apiVersions Flux 2.6 serves, its storage version first', async () => {
    const fixture = caret('apiVersion: image.toolkit.fluxcd.io/v1|\nkind: ImageRepository\nmetadata:\n  name: web\nspec:\n  image: ghcr.io/example/web\n  interval: 5m\n');
    const uri = ws.uri.replace('image-automation.yaml', 'web.yaml');
    await ws.server.open(uri, fixture.text);
    const items = await ws.server.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: fixture.position });
    assert.deepEqual(items.map((i) => `${i.label} (${i.detail})`), [
      'image.toolkit.fluxcd.io/v1beta2 (served by Flux 2.6.4)',
      'image.toolkit.fluxcd.io/v1beta1 (served by Flux 2.6.4)',
    ]);
  });

  test('sends the v1beta2 ImageRepository to the reconciler, and the Flux version', () => {
    assert.deepEqual(ws.index.imageRepositories.map((r) => `${r.apiVersion} ${r.metadata.name}`), ['image.toolkit.fluxcd.io/v1beta2 podinfo']);
    assert.equal(ws.index.skipped, undefined);
    assert.equal(ws.index.flux?.description,
      'Flux version: Flux 2.6.4 from the "# Flux Version" header in clusters/production/flux-system/gotk-components.yaml');
  });
});

describe('a repository at Flux 2.9 with v1beta2 objects', () => {
  let ws: Awaited<ReturnType<typeof workspace>>;
  let diagnostics: Diagnostic[];
  before(async () => {
    ws = await workspace('at-2.9');
    diagnostics = await ws.server.open(ws.uri, ws.text);
  });
  after(() => ws.server.stop());

  test('reports every v1beta2 document as not served, naming what Flux 2.9 serves', () => {
    assert.deepEqual(brief(diagnostics), [
      '0:12-0:43 1 apiVersion.unserved image.toolkit.fluxcd.io/v1beta2 ImageRepository is not served by Flux 2.9.5, from the "# Flux Version" header in clusters/production/flux-system/gotk-components.yaml (image-reflector-controller v1.2.5 serves v1).',
      '9:12-9:43 1 apiVersion.unserved image.toolkit.fluxcd.io/v1beta2 ImagePolicy is not served by Flux 2.9.5, from the "# Flux Version" header in clusters/production/flux-system/gotk-components.yaml (image-reflector-controller v1.2.5 serves v1).',
      '21:12-21:43 1 apiVersion.unserved image.toolkit.fluxcd.io/v1beta2 ImageUpdateAutomation is not served by Flux 2.9.5, from the "# Flux Version" header in clusters/production/flux-system/gotk-components.yaml (image-automation-controller v1.2.5 serves v1).',
    ]);
  });

  test('skips the ImageRepository for the reconciler, with the reason', () => {
    assert.deepEqual(ws.index.imageRepositories, []);
    assert.deepEqual(ws.index.skipped?.map((s) => `${s.metadata.namespace}/${s.metadata.name}: ${s.reason}`), [
      'flux-system/podinfo: apiVersion image.toolkit.fluxcd.io/v1beta2 is not served by Flux 2.9.5',
    ]);
  });

  test('offers "migrate to v1" for the document and for every document of the workspace', async () => {
    const actions = await ws.server.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: ws.uri }, range: diagnostics[1].range, context: { diagnostics: [diagnostics[1]] },
    });
    assert.deepEqual(actions.map((a) => a.title), [
      'Migrate to image.toolkit.fluxcd.io/v1',
      'Migrate every document in the workspace to the apiVersions its Flux serves (3 documents)',
    ]);
    const everywhere = actions[1].edit!.changes!;
    assert.deepEqual(Object.keys(everywhere), [ws.uri]);
    assert.deepEqual(everywhere[ws.uri].map((e) => `${e.range.start.line} ${e.newText}`), [
      '0 image.toolkit.fluxcd.io/v1', '9 image.toolkit.fluxcd.io/v1', '21 image.toolkit.fluxcd.io/v1',
    ]);
  });
});

describe('tagline.fluxVersion wins over the manifests', () => {
  test('at-2.9 judged as Flux 2.7: v1beta2 is deprecated, not an error, and scanned', async () => {
    const ws = await workspace('at-2.9', { fluxVersion: '2.7' });
    try {
      const diagnostics = await ws.server.open(ws.uri, ws.text);
      assert.deepEqual(diagnostics.map((d) => `${d.severity} ${String(d.code)}`), ['2 apiVersion.deprecated', '2 apiVersion.deprecated', '2 apiVersion.deprecated']);
      assert.equal(diagnostics[0].message,
        'v1beta2 ImageRepository is deprecated, upgrade to v1 (Flux 2.7, from tagline.fluxVersion). Flux 2.9 (image-reflector-controller v1.2.5) no longer serves it.');
      assert.deepEqual(ws.index.imageRepositories.map((r) => r.metadata.name), ['podinfo']);
    } finally {
      await ws.server.stop();
    }
  });
});

describe('a FluxInstance with distribution.version 2.x, and a workspace with no Flux at all', () => {
  test('FluxInstance 2.x means the newest Flux: v1 is fine, v1beta2 and a missing interval are skipped', async () => {
    const ws = await workspace('operator', undefined, 'clusters/home/apps/image-automation.yaml');
    try {
      assert.equal(ws.index.flux?.description,
        'Flux version: Flux 2.9.5 (2.x) from FluxInstance flux spec.distribution.version "2.x" in clusters/home/flux-system/flux-instance.yaml');
      assert.deepEqual(ws.index.imageRepositories.map((r) => r.metadata.name), ['podinfo']);
      assert.deepEqual(ws.index.skipped?.map((s) => `${s.metadata.name}: ${s.reason}`), [
        'no-interval: spec.interval is missing',
        'legacy: apiVersion image.toolkit.fluxcd.io/v1beta2 is not served by Flux 2.9.5 (2.x)',
      ]);
    } finally {
      await ws.server.stop();
    }
  });

  test('no Flux version found: v1beta2 is a warning that says how to tell Tagline', async () => {
    const root = join(FIXTURES, 'none-found');
    const server = new TestServer({ rootUri: pathToFileURL(root).href });
    const indexed = server.nextNotification<WorkspaceIndexParams>('tagline/workspaceIndex');
    await server.initialize();
    try {
      const index = await indexed;
      const file = join(root, 'apps/base/podinfo/image-automation.yaml');
      const diagnostics = await server.open(pathToFileURL(file).href, readFileSync(file, 'utf8'));
      assert.deepEqual(diagnostics.map((d) => `${d.severity} ${String(d.code)}`), ['2 apiVersion.unknownFlux', '2 apiVersion.unknownFlux', '2 apiVersion.unknownFlux']);
      assert.match(String(diagnostics[0].message), /no Flux version was found in this workspace .*set tagline\.fluxVersion/);
      assert.deepEqual(index.imageRepositories.map((r) => r.metadata.name), ['podinfo']);
      assert.equal(index.flux?.description,
        'Flux version: unknown (no gotk-components.yaml, Flux install manifest or FluxInstance found; set tagline.fluxVersion)');
    } finally {
      await server.stop();
    }
  });
});

describe('ImageUpdateAutomation', () => {
  const server = new TestServer();
  before(() => server.initialize());
  after(() => server.stop());
  const head = 'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageUpdateAutomation\nmetadata:\n  name: apps\n  namespace: flux-system\n';

  test('is validated against its CRD schema', async () => {
    const diagnostics = await server.open('file:///ws/iua.yaml', head +
      'spec:\n  interval: 30 minutes\n  git:\n    commit:\n      author:\n        name: bot\n    push:\n      branch: main\n  update:\n    path: ./apps\n    strategy: Regex\n  policySelektor: {}\n');
    assert.deepEqual(brief(diagnostics), [
      '5:0-5:4 1 schema.required Missing required field spec.sourceRef.',
      '6:12-6:22 1 schema.pattern "30 minutes" is not a valid interval: use a Go duration with the units ms, s, m or h, e.g. 5m or 1h30m.',
      '9:6-9:12 1 schema.required Missing required field spec.git.commit.author.email.',
      '15:14-15:19 1 schema.enum "Regex" is not allowed for spec.update.strategy; use one of: Setters.',
      '16:2-16:16 1 schema.unknownField Unknown field spec.policySelektor: the API server drops it (or rejects the object with strict field validation). Did you mean spec.policySelector?',
    ]);
  });

  test('completes its keys with their docs, and the Setters strategy', async () => {
    const keys = caret(head + 'spec:\n  git:\n    commit:\n      |\n');
    await server.open('file:///ws/iua-keys.yaml', keys.text);
    const items = await server.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: 'file:///ws/iua-keys.yaml' }, position: keys.position });
    assert.deepEqual(items.map((i) => i.label), ['author', 'signingKey', 'messageTemplate', 'messageTemplateValues']);
    assert.deepEqual(items[0].documentation, { kind: 'markdown', value: 'The commit author.' });
    const value = caret(head + 'spec:\n  update:\n    strategy: |\n');
    await server.open('file:///ws/iua-value.yaml', value.text);
    const values = await server.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: 'file:///ws/iua-value.yaml' }, position: value.position });
    assert.deepEqual(values.map((i) => i.label), ['Setters']);
  });

  test('explains a field on hover', async () => {
    const fixture = caret(head + 'spec:\n  update:\n    pa|th: ./apps\n');
    await server.open('file:///ws/iua-hover.yaml', fixture.text);
    const hover = await server.request<Hover>('textDocument/hover', { textDocument: { uri: 'file:///ws/iua-hover.yaml' }, position: fixture.position });
    assert.deepEqual(hover.contents, {
      kind: 'markdown',
      value: '**spec.update.path** — Folder (relative to the repository root) whose YAML files are updated; the whole repository when left out.',
    });
  });
});
