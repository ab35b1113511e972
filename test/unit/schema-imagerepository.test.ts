// The JSON Schema written from the CRD (schemas/imagerepository-v1.json), checked with ajv.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkImageRepositorySchema } from '../../common/manifests/admission';

function repo(spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'podinfo' }) {
  return { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository', metadata, spec: { image: 'ghcr.io/a/b', interval: '5m', ...spec } };
}

function errors(value: unknown): string[] {
  return checkImageRepositorySchema(value).map((e) => `${e.instancePath} ${e.keyword}`);
}

describe('ImageRepository v1 schema', () => {
  test('accepts a minimal and a complete ImageRepository', () => {
    assert.deepEqual(errors(repo({})), []);
    assert.deepEqual(errors(repo({
      timeout: '90s', secretRef: { name: 'a' }, certSecretRef: { name: 'b' }, proxySecretRef: { name: 'c' },
      serviceAccountName: 'sa', suspend: false, exclusionList: ['^.*\\.sig$'], provider: 'aws', insecure: true,
      accessFrom: { namespaceSelectors: [{ matchLabels: { team: 'a' } }, {}] },
    }, { name: 'a.b-c', namespace: 'flux-system', labels: { a: 'b' }, annotations: { 'reconcile.fluxcd.io/requestedAt': 'now' } })), []);
  });

  test('requires image and interval', () => {
    const value = repo({});
    delete (value.spec as Record<string, unknown>).image;
    delete (value.spec as Record<string, unknown>).interval;
    assert.deepEqual(errors(value), ['/spec required', '/spec required']);
  });

  test('checks interval with the CRD pattern, which allows h and fractions', () => {
    for (const ok of ['5m', '1.5h', '1h30m', '500ms', '0s']) assert.deepEqual(errors(repo({ interval: ok })), [], ok);
    for (const bad of ['1d', '5', '1 m', '-1m', '10us', '']) assert.deepEqual(errors(repo({ interval: bad })), ['/spec/interval pattern'], bad);
  });

  test('checks timeout with its own pattern, which has no h', () => {
    assert.deepEqual(errors(repo({ timeout: '90m' })), []);
    assert.deepEqual(errors(repo({ timeout: '1h' })), ['/spec/timeout pattern']);
  });

  test('allows only the four providers', () => {
    assert.deepEqual(errors(repo({ provider: 'gcp' })), []);
    assert.deepEqual(errors(repo({ provider: 'oci' })), ['/spec/provider enum']);
  });

  test('allows at most 25 exclusion entries', () => {
    assert.deepEqual(errors(repo({ exclusionList: Array.from({ length: 25 }, (_, i) => `^${i}$`) })), []);
    assert.deepEqual(errors(repo({ exclusionList: Array.from({ length: 26 }, (_, i) => `^${i}$`) })), ['/spec/exclusionList maxItems']);
  });

  test('rejects unknown fields in spec and in secret references', () => {
    assert.deepEqual(errors(repo({ scanInterval: '5m' })), ['/spec additionalProperties']);
    assert.deepEqual(errors(repo({ secretRef: { name: 'a', namespace: 'b' } })), ['/spec/secretRef additionalProperties']);
  });

  test('requires name in every *SecretRef', () => {
    assert.deepEqual(errors(repo({ secretRef: {}, certSecretRef: {}, proxySecretRef: {} })),
      ['/spec/secretRef required', '/spec/certSecretRef required', '/spec/proxySecretRef required']);
  });

  test('checks types', () => {
    assert.deepEqual(errors(repo({ suspend: 'yes', insecure: 1, exclusionList: 'x' })),
      ['/spec/suspend type', '/spec/exclusionList type', '/spec/insecure type']);
  });

  test('requires metadata.name to be a DNS subdomain', () => {
    assert.deepEqual(errors(repo({}, { name: 'a.b-1' })), []);
    for (const bad of ['Podinfo', 'pod_info', '-a', 'a-', 'a'.repeat(254)]) {
      assert.notDeepEqual(errors(repo({}, { name: bad })), [], bad);
    }
    assert.deepEqual(errors(repo({}, {})), ['/metadata required']);
  });

  test('requires serviceAccountName to be at most 253 characters', () => {
    assert.deepEqual(errors(repo({ serviceAccountName: 'a'.repeat(254) })), ['/spec/serviceAccountName maxLength']);
  });
});
