// The kustomize WebAssembly module (wasm/kustomize, built by `npm run build`): the generator, krusty and post-build
// substitution of kustomize-controller over files in memory.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { KustomizeModule } from '../../common/kustomize';

const module = new KustomizeModule();
after(() => module.dispose());

const repository = (name: string, extra = '') => `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: ${name}
spec:
  image: ghcr.io/acme/${name}
${extra}`;

describe('kustomize module', () => {
  test('generates a kustomization for a folder without one and applies the Flux Kustomization to it', async () => {
    await module.setFiles({ '/a/apps/one.yaml': repository('one'), '/a/apps/notes.txt': 'not yaml' });
    const result = await module.build({
      path: '/a/apps',
      kustomization: { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'apps', namespace: 'flux-system' }, spec: { path: './apps', targetNamespace: 'team', namePrefix: 'p-' } },
    });
    assert.equal(result.error, undefined);
    assert.equal(result.objects.length, 1);
    const [object] = result.objects;
    assert.equal(object.metadata?.name, 'p-one');
    assert.equal(object.metadata?.namespace, 'team');
    assert.equal(object.metadata?.annotations?.['config.kubernetes.io/origin'], 'path: one.yaml\n');
    assert.match(object.metadata?.annotations?.['alpha.config.kubernetes.io/transformations'] ?? '', /NamespaceTransformer/);
    assert.deepEqual(result.read, ['/a/apps/one.yaml']);
  });

  test('substitutes post-build variables, inline values winning over substituteFrom, defaults kept', async () => {
    await module.setFiles({ '/b/one.yaml': repository('one', '  interval: ${interval}\n  provider: ${provider:=generic}\n').replace('ghcr.io', '${registry}') });
    const result = await module.build({
      path: '/b',
      kustomization: { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'b' }, spec: { postBuild: { substitute: { interval: '5m' } } } },
      vars: { interval: '1h', registry: 'registry.example' },
    });
    assert.equal(result.error, undefined);
    const spec = result.objects[0].spec as Record<string, string>;
    assert.deepEqual([spec.image, spec.interval, spec.provider], ['registry.example/acme/one', '5m', 'generic']);
  });

  test('returns kustomize\'s own error text for a missing resource', async () => {
    await module.setFiles({ '/c/kustomization.yaml': 'resources:\n  - missing.yaml\n' });
    const result = await module.build({ path: '/c' });
    assert.match(result.error ?? '', /missing\.yaml/);
    assert.deepEqual(result.objects, []);
  });

  test('a build that stops in the generator still returns every list (Go writes a nil slice as null)', async () => {
    const result = await module.build({ path: '/nowhere' });
    assert.match(result.error ?? '', /'\/nowhere' doesn't exist/);
    assert.deepEqual([result.read, result.kustomizations, result.patches, result.unmatched], [[], [], [], []]);
  });

  test('builds without remote bases and Helm charts, and says so', async () => {
    await module.setFiles({
      '/d/kustomization.yaml': 'resources:\n  - https://github.com/fluxcd/flux2/manifests/install?ref=v2.0.0\n  - one.yaml\nhelmCharts:\n  - name: podinfo\n    repo: https://stefanprodan.github.io/podinfo\n',
      '/d/one.yaml': repository('one'),
    });
    const result = await module.build({ path: '/d' });
    assert.equal(result.error, undefined);
    assert.deepEqual(result.warnings, [
      'built without remote base https://github.com/fluxcd/flux2/manifests/install?ref=v2.0.0',
      'built without Helm chart podinfo (helmCharts are not run)',
    ]);
    assert.deepEqual(result.objects.map((o) => o.metadata?.name), ['one']);
  });

  test('reports a cycle between kustomizations instead of hanging', async () => {
    await module.setFiles({ '/e/x/kustomization.yaml': 'resources:\n  - ../y\n', '/e/y/kustomization.yaml': 'resources:\n  - ../x\n' });
    const result = await module.build({ path: '/e/x' });
    assert.match(result.error ?? '', /cycle/);
  });

  test('lists the files used as patches', async () => {
    await module.setFiles({
      '/f/kustomization.yaml': 'resources:\n  - one.yaml\npatches:\n  - path: interval.yaml\n    target:\n      kind: ImageRepository\n',
      '/f/one.yaml': repository('one'),
      '/f/interval.yaml': 'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: x\nspec:\n  interval: 5m\n',
    });
    const result = await module.build({ path: '/f' });
    assert.equal(result.error, undefined);
    assert.deepEqual(result.patches, ['/f/interval.yaml']);
    assert.equal((result.objects[0].spec as Record<string, string>).interval, '5m');
  });
});
