import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterSummary, kubernetesError, latestImage, slimObject } from '../../client/src/kubernetes';

const raw = {
  apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository',
  metadata: {
    namespace: 'apps', name: 'podinfo', uid: 'u1', resourceVersion: '42', generation: 3,
    annotations: { 'reconcile.fluxcd.io/requestedAt': '2026-11-29T19:00:00Z', 'kubectl.kubernetes.io/last-applied-configuration': 'x'.repeat(10_000) },
    managedFields: [{ manager: 'kubectl', fieldsV1: { big: 'x'.repeat(10_000) } }],
  },
  spec: { image: 'ghcr.io/stefanprodan/podinfo', interval: '5m' },
  status: {
    observedGeneration: 3, canonicalImageName: 'ghcr.io/stefanprodan/podinfo',
    conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: 'successful scan: found 211 tags', lastTransitionTime: '2026-11-29T19:00:00Z', observedGeneration: 3 }],
    lastScanResult: { revision: 'r', tagCount: 211, scanTime: '2026-11-29T19:00:00Z', latestTags: ['6.2.0', '6.1.0'] },
    somethingNew: 'dropped',
  },
};

test('keeps identity, spec, Flux status fields and the reconcile request; drops managedFields and other annotations', () => {
  const slim = slimObject('ImageRepository', raw);
  assert.deepEqual(Object.keys(slim).sort(), ['apiVersion', 'generation', 'kind', 'name', 'namespace', 'requestedAt', 'resourceVersion', 'spec', 'status', 'uid']);
  assert.equal(slim.requestedAt, '2026-11-29T19:00:00Z');
  assert.equal('somethingNew' in slim.status, false);
  assert.ok(JSON.stringify(slim).length < 1000);
});

test('summarises the cluster view in one line, as the hover shows it', () => {
  const slim = slimObject('ImageRepository', raw);
  assert.equal(clusterSummary(slim, Date.parse('2026-11-29T19:03:00Z')), 'Ready · 211 tags · scanned 3m ago · latest 6.2.0');
  const policy = slimObject('ImagePolicy', { metadata: { namespace: 'apps', name: 'p' }, status: {
    conditions: [{ type: 'Ready', status: 'False', reason: 'DependencyNotReady', message: 'x' }],
    latestRef: { name: 'ghcr.io/stefanprodan/podinfo', tag: '6.2.0' },
  } });
  assert.equal(latestImage(policy), 'ghcr.io/stefanprodan/podinfo:6.2.0');
  assert.equal(clusterSummary(policy), 'not Ready: DependencyNotReady · latest ghcr.io/stefanprodan/podinfo:6.2.0');
});

test('an API error reads as the API server\'s Status message; a refused connection as client-go prints it', () => {
  const forbidden = kubernetesError({ code: 403, body: JSON.stringify({ kind: 'Status', reason: 'Forbidden', message: 'imagerepositories.image.toolkit.fluxcd.io is forbidden: User "jane" cannot list resource "imagerepositories" in API group "image.toolkit.fluxcd.io" at the cluster scope' }) }, undefined);
  assert.equal(forbidden.forbidden, true);
  assert.match(forbidden.message, /cannot list resource "imagerepositories"/);
  const gone = kubernetesError({ code: 410, body: '{"kind":"Status","reason":"Expired","message":"too old resource version: 1 (42)"}' }, undefined);
  assert.equal(gone.expired, true);
  const refused = kubernetesError(Object.assign(new Error('request to https://127.0.0.1:6443/apis failed, reason: connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }), undefined, 'GET', 'https://127.0.0.1:6443/apis');
  assert.equal(refused.message, 'Get "https://127.0.0.1:6443/apis": dial tcp 127.0.0.1:6443: connect: connection refused');
});
