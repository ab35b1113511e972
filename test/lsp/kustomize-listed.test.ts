// A file newly listed in a kustomization's `resources:` is read by its root only once the build under way finishes:
// until then it must not show the findings its root changes (a missing `interval` that the base's patch sets),
// only its own (a tag in spec.image), and after the build its findings as built.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { WorkspaceIndexParams } from '../../common/protocol';
import { codes, TestServer } from './harness';

const FIXTURE = resolve(__dirname, '../fixtures/kustomize/flux-repo');
const root = mkdtempSync(join(tmpdir(), 'tagline-kustomize-listed-'));
cpSync(FIXTURE, root, { recursive: true });
const server = new TestServer({ rootUri: pathToFileURL(root).href });
after(async () => {
  await server.stop();
  rmSync(root, { recursive: true, force: true });
});

const BASE = 'infrastructure/image-repos/base';
// Like backend.yaml: the base's patch (annotationSelector tagline.dev/scan=registry) sets its interval.
const EXTRA = 'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: extra\n  annotations:\n    tagline.dev/scan: registry\nspec:\n  image: ghcr.io/acme/extra:1.0\n';


test('a file newly listed in resources shows no finding its root changes until the build has read it', async () => {
  let extraBuiltAt = Infinity;
  let firstBuild!: () => void;
  const firstBuilt = new Promise<void>((resolve) => { firstBuild = resolve; });
  const extraBuilt = new Promise<void>((resolve) => {
    server.connection.onNotification('tagline/workspaceIndex', (params: WorkspaceIndexParams) => {
      if (params.imageRepositories.some((r) => r.metadata.name.startsWith('prod-'))) firstBuild();
      if (params.imageRepositories.some((r) => r.metadata.name === 'prod-extra')) {
        extraBuiltAt = Math.min(extraBuiltAt, performance.now());
        resolve();
      }
    });
  });
  // Unlisted, the file is checked as written once the first build has seen it: no Flux Kustomization applies it.
  const extra = pathToFileURL(join(root, BASE, 'extra.yaml')).href;
  writeFileSync(join(root, BASE, 'extra.yaml'), EXTRA);
  await server.initialize();
  await firstBuilt;
  assert.deepEqual(codes(await server.open(extra, EXTRA)), ['kustomize.notApplied']);

  const kustomization = pathToFileURL(join(root, BASE, 'kustomization.yaml')).href;
  const listed = readFileSync(join(root, BASE, 'kustomization.yaml'), 'utf8').replace('  - backend.yaml\n', '  - backend.yaml\n  - extra.yaml\n');
  const changedAt = performance.now();
  // The first publish that sees the file listed (so applied by Flux) comes before the build that reads it.
  const next = server.diagnosticsWhere(extra, (d) => !codes(d).includes('kustomize.notApplied'));
  writeFileSync(join(root, BASE, 'kustomization.yaml'), listed);
  await server.open(kustomization, listed);
  const pending = await next;
  assert.ok(performance.now() < extraBuiltAt, 'republished before the build read the file');
  assert.deepEqual(codes(pending), ['image.tag']);

  // The build that reads it: its findings are the built object's, named after the roots.
  const built = server.diagnosticsWhere(extra, (d) => d.some((x) => String(x.message).includes('(Kustomization flux-system/image-repos')));
  await extraBuilt;
  assert.deepEqual(codes(await built), ['image.tag']);
  for (const published of server.published.filter((p) => p.uri === extra && p.at > changedAt)) {
    assert.deepEqual(codes(published.diagnostics).filter((c) => c !== 'image.tag'), [], `published at ${published.at.toFixed(0)} ms`);
  }
});
