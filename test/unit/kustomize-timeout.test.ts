// A kustomize build's budget is CPU time (common/kustomize/budget.ts): a build that uses it up is stopped, its root
// gets a clear error that says what to do, nothing hangs, and the files the root covers are not judged on their own
// in the meantime; a healthy build on a machine made busy by spinning threads finishes even when it takes several
// times its budget in wall time (the fixed wall budget it replaces failed such builds).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { KustomizeBuilds, KustomizeModule } from '../../common/kustomize';

// One module for both tests (each start costs seconds).
const module = new KustomizeModule({ timeoutMs: 1 });
after(() => module.dispose());

function repos(folder: string, count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    files[`${folder}/repo-${i}.yaml`] = `apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: repo-${i}\nspec:\n  image: ghcr.io/acme/repo-${i}\n`;
  }
  return files;
}

test('a build that uses up its CPU budget becomes its root\'s error, says what to do, and keeps its files covered', async () => {
  const files: Record<string, string> = {
    '/w/clusters/apps.yaml': 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  path: ./apps\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n',
    ...repos('/w/apps', 200),
  };
  const builds = new KustomizeBuilds(module, '/w');
  builds.setFiles(files);
  const { builds: [build] } = await builds.build();
  assert.equal(build.root.label, 'Kustomization flux-system/apps in clusters/apps.yaml');
  assert.equal(build.response.error, 'kustomize build did not finish within 0.001s of CPU time: if the root is just large, raise the budget (setting tagline.kustomize.buildTimeout, or tagline check --kustomize-timeout SECONDS)');
  assert.deepEqual(build.response.objects, []);
  assert.equal(build.response.read.length, 200);
  assert.ok(build.response.read.every((path) => path.startsWith('/w/apps/')));

  // Unchanged files do not build the root again, until the budget was raised (retryUnfinished).
  module.setTimeoutMs(120_000);
  assert.equal((await builds.build()).builds[0].response.error, build.response.error);
  builds.retryUnfinished();
  const again = (await builds.build()).builds[0].response;
  assert.equal(again.error, undefined);
  assert.equal(again.objects.length, 200);
  module.setTimeoutMs(1);
});

test('a healthy build on a machine loaded by busy threads finishes though its wall time exceeds its budget', async () => {
  module.setTimeoutMs(120_000);
  const spinners: Worker[] = [];
  try {
    await module.setFiles({ '/l/kustomization.yaml': `resources:\n${Array.from({ length: 100 }, (_, i) => `  - repo-${i}.yaml`).join('\n')}\n`, ...repos('/l', 100) });
    // Twice unloaded: the first build also pays V8's optimisation of the module's hot code.
    await module.build({ path: '/l' });
    await module.build({ path: '/l' });
    const budget = Math.max(300, 4 * module.lastRequest!.cpuMs);
    module.setTimeoutMs(budget);
    // Four spinning threads a core: the build gets a fifth of a core at most, and needs 5 times its CPU time in wall time.
    for (let i = 0; i < 8; i++) {
      const spinner = new Worker('for (;;);', { eval: true });
      spinners.push(spinner);
      await new Promise((resolve) => spinner.once('online', resolve));
    }
    const response = await module.build({ path: '/l' });
    assert.equal(response.error, undefined);
    assert.equal(response.objects.length, 100);
    const { cpuMs, wallMs } = module.lastRequest!;
    assert.ok(cpuMs < budget, `used ${cpuMs} ms of CPU, budget ${budget} ms`);
    assert.ok(wallMs > budget, `took ${wallMs} ms of wall time under load, no more than its budget ${budget} ms: the old wall-time rule would not have failed it`);
  } finally {
    await Promise.all(spinners.map((s) => s.terminate()));
  }
});
