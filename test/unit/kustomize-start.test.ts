// Starting the kustomize modules ahead of the first build (the language server does it while it indexes the
// workspace): start() really starts the worker and reports a module that cannot start, and
// every module of a process shares one compile
// (a started module building is covered by kustomize-module.test.ts).
import assert from 'node:assert/strict';
import { linkSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultModuleDirectory, KustomizeModule } from '../../common/kustomize';

test('start() starts the worker before any request, within the start timeout', async () => {
  const module = new KustomizeModule({ startTimeoutMs: 1 });
  try {
    await assert.rejects(module.start(), { message: 'kustomize module did not start within 0.001s' });
  } finally {
    module.dispose();
  }
});

test('start() of a module that was not built fails with the path it looked for', async () => {
  const module = new KustomizeModule({ directory: '/nonexistent' });
  await assert.rejects(module.start(), { message: 'kustomize module not built: /nonexistent/kustomize.wasm' });
});

test('every module of a process runs the module compiled once (a changed file on disk is not read again)', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'tagline-kustomize-once-'));
  for (const name of ['kustomize.wasm', 'wasm_exec.js', 'kustomize-worker.js']) linkSync(join(defaultModuleDirectory(), name), join(directory, name));
  const first = new KustomizeModule({ directory });
  const second = new KustomizeModule({ directory });
  try {
    await first.start();
    rmSync(join(directory, 'kustomize.wasm'));
    writeFileSync(join(directory, 'kustomize.wasm'), 'not WebAssembly');
    await second.start();
    await second.setFiles({ '/o/kustomization.yaml': 'resources:\n  - repo.yaml\n', '/o/repo.yaml': 'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: repo\nspec:\n  image: ghcr.io/acme/repo\n' });
    assert.equal((await second.build({ path: '/o' })).objects[0]?.metadata?.name, 'repo');
  } finally {
    first.dispose();
    second.dispose();
    rmSync(directory, { recursive: true, force: true });
  }
});
