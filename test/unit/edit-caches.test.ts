// What an edit re-judges: results kept per document (marker reach, policy pitfalls) and the stored tags the
// language server remembers must be recomputed exactly when what they were computed from changes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { automationScopes } from '../../common/kustomize/automations';
import { mergeObjects, parseManifestText } from '../../common/manifests';
import type { ImagePolicyObject } from '../../common/model';
import { ObjectIndex } from '../../server/src/validation';
import { markerReachDiagnostics, type MarkerReachContext } from '../../server/src/validation/markerReach';
import { policyPitfallDiagnostics } from '../../server/src/validation/policyPitfalls';
import { StoredTagsCache } from '../../server/src/workspace/storedTags';

const automation = parseManifestText('file:///repo/clusters/prod/automation.yaml',
  'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageUpdateAutomation\nmetadata:\n  name: auto\n  namespace: apps\nspec:\n  update:\n    path: ./apps\n    strategy: Setters\n');
const deployment = parseManifestText('file:///repo/apps/web/deployment.yaml',
  'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - image: ghcr.io/example/web:1.0.0 # {"$imagepolicy": "apps:web"}\n');
const policy: ImagePolicyObject = {
  apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy',
  metadata: { name: 'web', namespace: 'apps' },
  spec: { imageRepositoryRef: { name: 'web' }, policy: { semver: { range: '1.x' } } },
  source: { uri: 'file:///repo/apps/web/policy.yaml', documentIndex: 0, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
} as ImagePolicyObject;

describe('marker reach kept per document', () => {
  const automations = automationScopes([automation, deployment], '/repo');
  const context = (applies: (uri: string) => boolean): MarkerReachContext => ({ automations, imagePolicies: () => [policy], applies });

  test('the same context gives the kept result; a new one (the policy no longer applied) is judged again', () => {
    const applied = context(() => true);
    const first = markerReachDiagnostics(deployment, applied);
    assert.deepEqual(first, []);
    assert.equal(markerReachDiagnostics(deployment, applied)[0], first[0]);
    const notApplied = context((uri) => !uri.endsWith('/policy.yaml'));
    assert.deepEqual(markerReachDiagnostics(deployment, notApplied).map((d) => d.code), ['marker.policyNotApplied']);
    assert.deepEqual(markerReachDiagnostics(deployment, applied), []);
  });
});

describe('policy pitfalls kept per document', () => {
  const manifest = parseManifestText('file:///repo/apps/app.yaml', [
    'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: app\n  namespace: apps\nspec:\n  image: ghcr.io/example/app\n  interval: 5m\n',
    "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata:\n  name: app-stable\n  namespace: apps\nspec:\n  imageRepositoryRef:\n    name: app\n  filterTags:\n    pattern: '^stable-'\n  policy:\n    semver:\n      range: 1.x\n",
  ].join('---\n'));
  const index = new ObjectIndex(mergeObjects([manifest]));

  test('other stored tags (another array) are judged again, the same array is not', () => {
    const before = ['v1.9.0', 'v1.2.3'];
    const codes = (tags: string[]) => policyPitfallDiagnostics(manifest, index, () => tags).map((d) => d.code);
    assert.deepEqual(codes(before), ['policy.patternMatchesNothing']);
    assert.deepEqual(codes(before), ['policy.patternMatchesNothing']);
    assert.deepEqual(codes([...before, 'stable-1.0.0']), []);
  });

  test('another index (the repository gone) is judged again', () => {
    const tags = ['v1.9.0'];
    assert.equal(policyPitfallDiagnostics(manifest, index, () => tags).length, 1);
    const withoutRepository = new ObjectIndex({ ...mergeObjects([manifest]), imageRepositories: [] });
    assert.deepEqual(policyPitfallDiagnostics(manifest, withoutRepository, () => tags), []);
  });
});

describe('stored tags remembered until a status', () => {
  function host(answers: (string[] | null)[]) {
    const asked: string[] = [];
    const cache = new StoredTagsCache((name) => {
      asked.push(name);
      return Promise.resolve(answers.shift());
    });
    return { cache, asked };
  }

  test('asks once per image, again after invalidate', async () => {
    const { cache, asked } = host([['1.0.0'], ['1.0.0', '1.1.0']]);
    assert.deepEqual(await cache.get('ghcr.io/example/app'), ['1.0.0']);
    assert.deepEqual(await cache.get('ghcr.io/example/app'), ['1.0.0']);
    assert.equal(asked.length, 1);
    cache.invalidate();
    assert.deepEqual(await cache.get('ghcr.io/example/app'), ['1.0.0', '1.1.0']);
    assert.equal(asked.length, 2);
  });

  test('an answer asked for before a status is not kept; nor is a non-answer (timeout)', async () => {
    let release: (tags: string[] | null | undefined) => void = () => undefined;
    const answers: Promise<string[] | null | undefined>[] = [
      new Promise((r) => { release = r; }), Promise.resolve(undefined), Promise.resolve(['2.0.0']),
    ];
    let asked = 0;
    const cache = new StoredTagsCache(() => { asked++; return answers.shift()!; });
    const early = cache.get('ghcr.io/example/app');
    cache.invalidate();
    release(['1.0.0']);
    assert.deepEqual(await early, ['1.0.0']);
    assert.equal(await cache.get('ghcr.io/example/app'), null);
    assert.deepEqual(await cache.get('ghcr.io/example/app'), ['2.0.0']);
    assert.deepEqual(await cache.get('ghcr.io/example/app'), ['2.0.0']);
    assert.equal(asked, 3);
  });
});
