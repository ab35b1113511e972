// No startup flash: a file that a kustomize root reads is opened before the roots are first built (the module takes
// seconds to start). Its errors as a raw file (a base without `interval`, which every root patches in) are false, and
// must never be published — neither for a folder with a kustomization.yaml nor for a Flux Kustomization's plain
// folder (where Flux generates the kustomization). Its own findings (a tag in spec.image) still come at once, and
// the same holds for a file added after the first build, on disk or opened new.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { WorkspaceIndexParams } from '../../common/protocol';
import { brief, codes, TestServer } from './harness';

const FIXTURE = resolve(__dirname, '../fixtures/kustomize/flux-repo');
const root = mkdtempSync(join(tmpdir(), 'tagline-kustomize-startup-'));
cpSync(FIXTURE, root, { recursive: true });
const server = new TestServer({ rootUri: pathToFileURL(root).href });
after(async () => {
  await server.stop();
  rmSync(root, { recursive: true, force: true });
});

test('files that roots read get no raw-file errors before the first build, and their built findings after it', async () => {
  let builtAt = Infinity;
  const built = new Promise<void>((resolve) => {
    server.connection.onNotification('tagline/workspaceIndex', (params: WorkspaceIndexParams) => {
      if (params.imageRepositories.some((r) => r.metadata.name.startsWith('prod-'))) {
        builtAt = performance.now();
        resolve();
      }
    });
  });
  await server.initialize();
  const base = pathToFileURL(join(root, 'infrastructure/image-repos/base/podinfo.yaml')).href;
  const plain = pathToFileURL(join(root, 'apps/podinfo/repository.yaml')).href;
  const openedBase = await server.open(base, readFileSync(join(root, 'infrastructure/image-repos/base/podinfo.yaml'), 'utf8'));
  const openedPlain = await server.open(plain, readFileSync(join(root, 'apps/podinfo/repository.yaml'), 'utf8'));
  // backend.yaml, as edited: its tag is its own problem, the missing interval is not (the base's patch sets it).
  const backend = pathToFileURL(join(root, 'infrastructure/image-repos/base/backend.yaml')).href;
  const backendText = readFileSync(join(root, 'infrastructure/image-repos/base/backend.yaml'), 'utf8').replace('/backend\n', '/backend:1.0\n');
  const openedBackend = await server.open(backend, backendText);
  const firstPublished = Math.max(...[base, plain, backend].map((uri) => server.published.find((p) => p.uri === uri)!.at));
  assert.ok(firstPublished < builtAt, 'the files were opened before the first build finished');
  assert.deepEqual(brief(openedBase), []);
  assert.deepEqual(brief(openedPlain), []);
  assert.deepEqual(codes(openedBackend), ['image.tag']);
  await built;
  const afterBuild = server.nextDiagnostics(plain);
  await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri: plain, version: 2 }, contentChanges: [{ text: readFileSync(join(root, 'apps/podinfo/repository.yaml'), 'utf8') }] });
  await afterBuild;
  for (const published of server.published.filter((p) => p.uri === base || p.uri === plain || p.uri === backend)) {
    assert.deepEqual(brief(published.diagnostics).filter((d) => d.includes('Missing required field')), [], `published at ${published.at.toFixed(0)} ms for ${published.uri}`);
  }
});

const repository = (name: string) =>
  `apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: ${name}\nspec:\n  image: ghcr.io/acme/${name}:1.0\n`;
const BUILT_BY_APPS = '(Kustomization flux-system/apps in clusters/prod/apps.yaml)';

test('a file added after the first build, on disk or opened new, shows its own findings at once and never the errors its root fixes', async () => {
  const created = pathToFileURL(join(root, 'apps/podinfo/created.yaml')).href;
  const opened = pathToFileURL(join(root, 'apps/podinfo/opened.yaml')).href;
  const firstCreated = server.nextDiagnostics(created);
  const builtCreated = server.diagnosticsWhere(created, (d) => d.some((x) => String(x.message).endsWith(BUILT_BY_APPS)));
  const builtOpened = server.diagnosticsWhere(opened, (d) => d.some((x) => String(x.message).endsWith(BUILT_BY_APPS)));
  writeFileSync(join(root, 'apps/podinfo/created.yaml'), repository('created'));
  await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: created, type: 1 }] });
  assert.deepEqual(codes((await firstCreated).diagnostics), ['image.tag']);
  assert.deepEqual(codes(await server.open(opened, repository('opened'))), ['image.tag']);
  // The Flux Kustomization's patch sets interval (to a value its own line reports); the tags remain.
  assert.deepEqual(codes(await builtCreated), ['image.tag']);
  assert.deepEqual(codes(await builtOpened), ['image.tag']);
  for (const published of server.published.filter((p) => p.uri === created || p.uri === opened)) {
    assert.deepEqual(codes(published.diagnostics), ['image.tag'], `published at ${published.at.toFixed(0)} ms for ${published.uri}`);
  }
});

