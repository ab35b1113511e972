// Roots that are themselves built objects (common/kustomize/builtRoots.ts), with the real kustomize module, on a
// workspace laid out like hmcts/sds-flux-config (test/fixtures/real/hmcts-clusters): each cluster folder builds its
// own flux-system Kustomization, whose variables come from the cluster's ConfigMap and complete the apps' paths.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { appliedFiles, isApplied, KustomizeBuilds, KustomizeModule, modulePath, type KustomizeBuilder, type WorkspaceBuild } from '../../common/kustomize';

const FIXTURE = join(__dirname, '..', 'fixtures', 'real', 'hmcts-clusters');
const module = new KustomizeModule();
after(() => module.dispose());

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesBelow(join(dir, name)) : [join(dir, name)]));
}

/** The module, counting the builds it is asked for. */
function counted(): KustomizeBuilder & { count: number } {
  const builder = {
    count: 0,
    setFiles: (files: Record<string, string | null>) => module.setFiles(files),
    build: (request: Parameters<KustomizeModule['build']>[0]) => {
      builder.count++;
      return module.build(request);
    },
  };
  return builder;
}

describe('roots from built Flux Kustomizations (hmcts/sds-flux-config shapes)', async () => {
  const limit = modulePath(FIXTURE);
  const files = filesBelow(FIXTURE).map((path) => ({ path: modulePath(path), text: readFileSync(path, 'utf8') }));
  const builder = counted();
  const builds = new KustomizeBuilds(builder, limit);
  builds.setFiles(Object.fromEntries(files.map((f) => [f.path, f.text])));
  const workspace: Promise<WorkspaceBuild> = builds.build();
  const label = (path: string) => path.slice(limit.length + 1);

  test("each cluster's flux-system Kustomization stands in for its folder, with the variables of the cluster's ConfigMap", async () => {
    const flux = (await workspace).builds.filter((b) => b.root.flux?.name === 'flux-system');
    assert.deepEqual(flux.map((b) => [b.root.label, label(b.root.path), b.vars?.vars]), [
      ['Kustomization flux-system/flux-system built by kustomization clusters/prod/00', 'clusters/prod/00', { ENVIRONMENT: 'prod', CLUSTER: '00' }],
      ['Kustomization flux-system/flux-system built by kustomization clusters/prod/01', 'clusters/prod/01', { ENVIRONMENT: 'prod', CLUSTER: '01' }],
    ]);
  });

  test('a Kustomization without sourceRef and with a ${ENVIRONMENT} path is built once its cluster substituted both', async () => {
    const shop = (await workspace).builds.filter((b) => b.root.flux?.name === 'shop');
    assert.deepEqual(shop.map((b) => [b.root.label, label(b.root.path)]), [
      ['Kustomization flux-system/shop built by Kustomization flux-system/flux-system built by kustomization clusters/prod/00', 'apps/shop/prod/base'],
      ['Kustomization flux-system/shop built by Kustomization flux-system/flux-system built by kustomization clusters/prod/01', 'apps/shop/prod/base'],
    ]);
    const policy = shop[0].response.objects.find((o) => o.kind === 'ImagePolicy') as { spec: { policy: { semver: { range: string } } } };
    assert.equal(policy.spec.policy.semver.range, 'not a range');
    assert.deepEqual((await workspace).unresolved, []);
  });

  test('the same app in two clusters, differing only in variables its files never name, is built once', async () => {
    const shop = (await workspace).builds.filter((b) => b.root.flux?.name === 'shop');
    const fullName = (b: (typeof shop)[number]) => (b.root.flux!.object.spec as { postBuild: { substitute: Record<string, string> } }).postBuild.substitute.CLUSTER_FULL_NAME;
    assert.deepEqual(shop.map(fullName), ['prod-00', 'prod-01']);
    assert.equal(shop[0].response, shop[1].response);
    // Written roots: two cluster folders, the orphan folder, the app folder and sample-kustomize's `./`; then
    // flux-system for each cluster, and shop once (its flux-system applying itself again is not built).
    assert.equal(builder.count, 8);
  });

  test('written roots Flux never applies as written are set aside: the defaults patch and the folders that Kustomizations build', async () => {
    const { builds: roots, dropped } = await workspace;
    assert.deepEqual(roots.filter((b) => !b.root.flux).map((b) => b.root.label), ['kustomization apps/shop/test/base']);
    assert.deepEqual(dropped?.map((k) => [k.name, label(k.file)]), [['sample-kustomize', 'apps/base/kustomize.yaml']]);
  });

  test('an orphan folder is not applied; the folders the built Kustomizations apply are', async () => {
    const applied = appliedFiles(files, limit, await workspace);
    const at = (path: string) => isApplied(applied, `${limit}/${path}`);
    assert.deepEqual(
      ['apps/shop/test/base/image-repo.yaml', 'apps/shop/base/image-repo.yaml', 'apps/shop/prod/base/interval.yaml', 'apps/shop/base/kustomize.yaml', 'clusters/prod/01/cluster-vars.yaml'].map(at),
      [false, true, true, true, true],
    );
    // Without the builds, sample-kustomize's `./` reaches every file.
    assert.equal(isApplied(appliedFiles(files, limit), `${limit}/apps/shop/test/base/image-repo.yaml`), true);
  });

  test('nothing changed: nothing is built again', async () => {
    await workspace;
    const before = builder.count;
    const again = await builds.build();
    assert.equal(builder.count, before);
    assert.equal(again.builds.length, (await workspace).builds.length);
  });
});

describe('a cycle between built Kustomizations', () => {
  test('A builds B builds A: each is built once, the chain named in the labels', async () => {
    const sourceRef = 'patches:\n  - target:\n      kind: Kustomization\n    patch: |\n      - op: add\n        path: /spec/sourceRef\n        value: {kind: GitRepository, name: flux-system}\n';
    const kustomization = (name: string, path: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  path: ${path}\n`;
    const files: Record<string, string> = {
      '/cycle/top/kustomization.yaml': `resources:\n  - ../defs/a.yaml\n${sourceRef}`,
      '/cycle/defs/a.yaml': kustomization('a', './loop/a'),
      '/cycle/defs/b.yaml': kustomization('b', './loop/b'),
      '/cycle/loop/a/kustomization.yaml': `resources:\n  - ../../defs/b.yaml\n${sourceRef}`,
      '/cycle/loop/b/kustomization.yaml': `resources:\n  - ../../defs/a.yaml\n${sourceRef}`,
    };
    const builder = counted();
    const builds = new KustomizeBuilds(builder, '/cycle');
    builds.setFiles(files);
    const { builds: roots } = await builds.build();
    assert.deepEqual(roots.map((b) => [b.root.label, b.response.error]), [
      ['kustomization top', undefined],
      ['Kustomization flux-system/a built by kustomization top', undefined],
      ['Kustomization flux-system/b built by Kustomization flux-system/a built by kustomization top', undefined],
    ]);
    // The three written folders, then a and b (a seen again from b is a's own input: not built).
    assert.equal(builder.count, 5);
  });
});
