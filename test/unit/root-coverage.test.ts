// The rule that keeps the open file's own findings first without a startup flash: how a file is validated while
// kustomize roots build (rootCoverage.coverage) and which findings wait for the build (dependsOnRoots), the latter
// judged on the real findings of raw documents.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseManifestText } from '../../common/manifests';
import { ObjectIndex, validateManifest } from '../../server/src/validation';
import { coverage, dependsOnRoots, isListed, listedEntries, type RootsState } from '../../server/src/workspace/rootCoverage';

const BASE = '/w/infrastructure/base';
const base = (over: Partial<RootsState> = {}): RootsState => ({ isRootFolder: (folder) => folder === BASE, building: true, ...over });

describe('coverage', () => {
  test('before the first build, a file below a root folder is pending and one elsewhere is raw', () => {
    assert.equal(coverage(`${BASE}/podinfo.yaml`, base()), 'pending');
    assert.equal(coverage(`${BASE}/deep/podinfo.yaml`, base()), 'pending');
    assert.equal(coverage('/w/infrastructure/podinfo.yaml', base()), 'raw');
    assert.equal(coverage('/w/open.yaml', base()), 'raw');
  });

  test('a file a root read at the latest build is built, whether or not a build is under way', () => {
    const latest = { files: new Set([`${BASE}/podinfo.yaml`]), rootFolders: new Set([BASE]), read: new Set([`${BASE}/podinfo.yaml`]) };
    assert.equal(coverage(`${BASE}/podinfo.yaml`, base({ latest })), 'built');
    assert.equal(coverage(`${BASE}/podinfo.yaml`, base({ latest, building: false })), 'built');
  });

  test('a file the latest build saw but no root read is raw: the answer is exact once its root has built', () => {
    const latest = { files: new Set([`${BASE}/unlisted.yaml`]), rootFolders: new Set([BASE]), read: new Set<string>() };
    assert.equal(coverage(`${BASE}/unlisted.yaml`, base({ latest })), 'raw');
  });

  test('a file added since the latest build is pending until a build has seen it', () => {
    const latest = { files: new Set([`${BASE}/podinfo.yaml`]), rootFolders: new Set([BASE]), read: new Set([`${BASE}/podinfo.yaml`]) };
    assert.equal(coverage(`${BASE}/added.yaml`, base({ latest })), 'pending');
    assert.equal(coverage(`${BASE}/added.yaml`, base({ latest, building: false })), 'raw');
  });

  test('a root folder that appeared since the latest build (a Flux Kustomization whose spec.path changed) makes its files pending', () => {
    const latest = { files: new Set(['/w/tests/assert.yaml']), rootFolders: new Set([BASE]), read: new Set<string>() };
    const roots = base({ latest, isRootFolder: (folder) => folder === BASE || folder === '/w/tests' });
    assert.equal(coverage('/w/tests/assert.yaml', roots), 'pending');
  });

  test('a file a changed kustomization file now lists (itself or its folder) is pending until the build reads it', () => {
    const latest = { files: new Set([`${BASE}/extra.yaml`, `${BASE}/more/a.yaml`]), rootFolders: new Set([BASE]), read: new Set<string>() };
    const listed = new Set(listedEntries(`${BASE}/kustomization.yaml`, { resources: ['extra.yaml', 'more', 'https://example.com/x.yaml'], patches: [{ path: 'patch.yaml' }] }));
    assert.deepEqual([...listed], [`${BASE}/extra.yaml`, `${BASE}/more`, `${BASE}/patch.yaml`]);
    const roots = base({ latest, listedSince: (path) => isListed(path, listed) });
    assert.equal(coverage(`${BASE}/extra.yaml`, roots), 'pending');
    assert.equal(coverage(`${BASE}/more/a.yaml`, roots), 'pending');
    assert.equal(coverage(`${BASE}/extra.yaml`, { ...roots, building: false }), 'raw');
  });

  test('nothing is pending without a build under way (no module, the wait ran out, the build failed)', () => {
    assert.equal(coverage(`${BASE}/podinfo.yaml`, base({ building: false })), 'raw');
  });

  test('a Flux Kustomization at the source root (spec.path ./) covers every file of the workspace folder', () => {
    assert.equal(coverage('/w/a/b/c.yaml', base({ isRootFolder: (folder) => folder === '/w' })), 'pending');
  });
});

describe('dependsOnRoots, on the findings of raw documents', () => {
  const index = new ObjectIndex({ secrets: [], serviceAccounts: [], imageRepositories: [], imagePolicies: [], namespaces: [] });
  const findings = (text: string) => {
    const lines = text.split('\n');
    return validateManifest(parseManifestText('file:///w/x.yaml', text), index).map((d) => {
      const covered = d.range.start.line === d.range.end.line ? lines[d.range.start.line]!.slice(d.range.start.character, d.range.end.character) : '';
      return `${d.code} ${dependsOnRoots(d.code, covered)}`;
    });
  };

  test('a missing field and a reference wait for the roots; a bad value, a tag and the YAML do not', () => {
    assert.deepEqual(findings([
      'apiVersion: image.toolkit.fluxcd.io/v1',
      'kind: ImageRepository',
      'metadata:',
      '  name: podinfo',
      'spec:',
      '  image: ghcr.io/acme/podinfo:1.0',
      '  secretRef:',
      '    name: regcred',
      '  exclusionList: ["(unclosed"]',
      '',
    ].join('\n')).sort(), ['exclusionList.invalidRegex false', 'image.tag false', 'schema.required true', 'secretRef.notFound true']);
  });

  test('a malformed duration is the file\'s own', () => {
    assert.deepEqual(findings('apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: p\nspec:\n  image: ghcr.io/acme/p\n  interval: 1 minute\n'),
      ['schema.pattern false']);
  });

  test('an ImagePolicy\'s repository reference waits; its unknown field does not', () => {
    assert.deepEqual(findings([
      'apiVersion: image.toolkit.fluxcd.io/v1',
      'kind: ImagePolicy',
      'metadata:',
      '  name: podinfo',
      'spec:',
      '  imageRepositoryRef:',
      '    name: podinfo',
      '  policy:',
      '    semver:',
      '      range: ">=1.0.0"',
      '  colour: blue',
      '',
    ].join('\n')).sort(), ['imageRepositoryRef.notFound true', 'schema.unknownField false']);
  });

  test('a value holding a Flux variable waits for post-build substitution', () => {
    assert.deepEqual(findings('apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: p\nspec:\n  image: ${registry:=docker.io}/acme/p\n  interval: 5m\n'),
      ['image.invalid true']);
  });

  test('broken YAML is the file\'s own', () => {
    assert.ok(findings('apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nspec: [\n').every((f) => f.startsWith('yaml.') && f.endsWith(' false')));
  });

  test('a marker naming a policy the workspace lacks waits for the roots', () => {
    assert.deepEqual(findings('apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - image: nginx:1.27 # {"$imagepolicy": "flux-system:nginx"}\n'),
      ['marker.policyNotFound true']);
  });
});
