// A kustomize build that does not finish in time: the worker is stopped, the root gets a clear error, nothing hangs,
// and the files the root covers are not judged on their own in the meantime. The timeout is injected (1 ms) so that
// any real build overruns it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { KustomizeBuilds, KustomizePool } from '../../common/kustomize';

const pool = new KustomizePool({ instances: 1, timeoutMs: 1 });
after(() => pool.dispose());

test('a build that does not finish within the timeout becomes its root\'s error and keeps its files covered', async () => {
  const files: Record<string, string> = {
    '/w/clusters/apps.yaml': 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  path: ./apps\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n',
  };
  for (let i = 0; i < 200; i++) {
    files[`/w/apps/repo-${i}.yaml`] = `apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: repo-${i}\nspec:\n  image: ghcr.io/acme/repo-${i}\n`;
  }
  const builds = new KustomizeBuilds(pool, '/w');
  builds.setFiles(files);
  const { builds: [build] } = await builds.build();
  assert.equal(build.root.label, 'Kustomization flux-system/apps in clusters/apps.yaml');
  assert.equal(build.response.error, 'kustomize build did not finish within 0.001s');
  assert.deepEqual(build.response.objects, []);
  assert.equal(build.response.read.length, 200);
  assert.ok(build.response.read.every((path) => path.startsWith('/w/apps/')));
});
