// No startup flash: a file that a kustomize root reads is opened before the roots are first built (the module takes
// seconds to start). Its errors as a raw file (a base without `interval`, which every root patches in) are false, and
// must never be published — neither for a folder with a kustomization.yaml nor for a Flux Kustomization's plain
// folder (where Flux generates the kustomization).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { WorkspaceIndexParams } from '../../common/protocol';
import { brief, TestServer } from './harness';

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
  const firstPublished = server.published.find((p) => p.uri === base)!.at;
  assert.ok(firstPublished < builtAt, 'the files were opened before the first build finished');
  assert.deepEqual(brief(openedBase), []);
  assert.deepEqual(brief(openedPlain), []);
  await built;
  const afterBuild = server.nextDiagnostics(plain);
  await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri: plain, version: 2 }, contentChanges: [{ text: readFileSync(join(root, 'apps/podinfo/repository.yaml'), 'utf8') }] });
  await afterBuild;
  for (const published of server.published.filter((p) => p.uri === base || p.uri === plain)) {
    assert.deepEqual(brief(published.diagnostics).filter((d) => d.includes('Missing required field')), [], `published at ${published.at.toFixed(0)} ms for ${published.uri}`);
  }
});
