// Starting the kustomize modules ahead of the first build (the language server does it while it indexes the
// workspace): start() really starts the worker and reports a module that cannot start
// (a started module building is covered by kustomize-module.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KustomizeModule } from '../../common/kustomize';

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
