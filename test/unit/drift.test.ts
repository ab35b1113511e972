import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeDrift, findDrift, specDifferences, withCrdDefaults, type DriftSubject } from '../../common/flux/drift';

const repo = (name: string, spec: Record<string, unknown>, extra: Partial<DriftSubject> = {}): DriftSubject =>
  ({ kind: 'ImageRepository', namespace: 'apps', name, spec, ...extra });

test('a manifest equal to the cluster object once the CRD defaults are applied is not drift', () => {
  const local = repo('podinfo', { image: 'ghcr.io/stefanprodan/podinfo', interval: '5m' });
  const remote = repo('podinfo', { image: 'ghcr.io/stefanprodan/podinfo', interval: '5m', exclusionList: ['^.*\\.sig$'], provider: 'generic' });
  assert.deepEqual(findDrift([local], [remote]), []);
});

test('an explicit empty exclusionList is not defaulted, so it differs from a cluster object with the default', () => {
  assert.deepEqual(withCrdDefaults('ImageRepository', { exclusionList: [] }).exclusionList, []);
  const fields = specDifferences('ImageRepository', { image: 'a', interval: '1m', exclusionList: [] }, { image: 'a', interval: '1m' });
  assert.deepEqual(fields, [{ path: 'spec.exclusionList', workspace: [], cluster: ['^.*\\.sig$'] }]);
});

test('reports each kind of drift, sorted by object', () => {
  const drift = findDrift(
    [repo('changed', { image: 'a', interval: '5m' }), repo('local-only', { image: 'b', interval: '1m' }),
      repo('auth', { image: 'c', interval: '1m' }, { ready: { status: 'True', reason: 'Succeeded', message: 'successful scan: found 3 tags' } })],
    [repo('changed', { image: 'a', interval: '10m', suspend: true }), repo('cluster-only', { image: 'd', interval: '1m' }),
      repo('auth', { image: 'c', interval: '1m' }, { ready: { status: 'False', reason: 'AuthenticationFailed', message: 'secrets "creds" not found' } })],
  );
  assert.deepEqual(drift.map((d) => [d.name, d.type]), [
    ['auth', 'OutcomeDiffers'], ['changed', 'SpecDiffers'], ['cluster-only', 'NotInWorkspace'], ['local-only', 'NotInCluster'],
  ]);
  const changed = drift.find((d) => d.type === 'SpecDiffers')!;
  assert.equal(describeDrift(changed, 'prod'),
    'ImageRepository/apps/changed: spec differs from cluster prod: spec.interval "5m" (cluster: "10m"), spec.suspend (unset) (cluster: true)');
  assert.equal(describeDrift(drift[0], 'prod'),
    'ImageRepository/apps/auth: Ready True Succeeded here, False AuthenticationFailed in cluster prod: secrets "creds" not found');
});

test('outcomes are not compared while either side is still reconciling', () => {
  const drift = findDrift(
    [repo('a', { image: 'a', interval: '1m' }, { ready: { status: 'Unknown', reason: 'Progressing', message: 'reconciliation in progress' } })],
    [repo('a', { image: 'a', interval: '1m' }, { ready: { status: 'False', reason: 'ReadOperationFailed', message: 'x' } })],
  );
  assert.deepEqual(drift, []);
});

test('a manifest in a namespace the cluster could not be read in is not reported missing', () => {
  const drift = findDrift([repo('a', { image: 'a', interval: '1m' }), { ...repo('b', { image: 'b', interval: '1m' }), namespace: 'team-b' }], [],
    { clusterNamespaces: new Set(['apps']) });
  assert.deepEqual(drift.map((d) => `${d.namespace}/${d.name} ${d.type}`), ['apps/a NotInCluster']);
});

test('cluster objects of kinds the workspace was not read for are left out', () => {
  const policy: DriftSubject = { kind: 'ImagePolicy', namespace: 'apps', name: 'p', spec: { imageRepositoryRef: { name: 'a' }, policy: { semver: { range: '1.x' } } } };
  assert.deepEqual(findDrift([], [policy], { kinds: ['ImageRepository'] }), []);
  assert.equal(findDrift([], [policy])[0].type, 'NotInWorkspace');
});

test('ImagePolicy defaults: digestReflectionPolicy Never and the order of alphabetical and numerical rules', () => {
  assert.deepEqual(withCrdDefaults('ImagePolicy', { policy: { numerical: {} } }), { policy: { numerical: { order: 'asc' } }, digestReflectionPolicy: 'Never' });
});
