// imagepolicy_controller.go reconcile() as common/flux/policy/reconcile.ts ports it: the controller's statuses,
// reasons, messages (TestComposeImagePolicyReadyMessage) and events.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { composeImagePolicyReadyMessage, reconcileImagePolicy, type PolicyReconcileInput } from '../../common/flux/policy/reconcile';
import type { ImagePolicyObject, ImagePolicyStatus, ImageRepositoryObject } from '../../common/model';

const EMPTY: ImagePolicyStatus = { observedGeneration: -1, conditions: [] };

function repository(spec: Partial<ImageRepositoryObject['spec']> = {}, namespace = 'shop'): ImageRepositoryObject {
  return {
    apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository', metadata: { name: 'storefront', namespace },
    spec: { image: 'ghcr.io/acme/storefront', interval: '5m', ...spec }, specHash: 'x',
  };
}

function policy(spec: Partial<ImagePolicyObject['spec']> = {}, namespace = 'shop'): ImagePolicyObject {
  return {
    apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy', metadata: { name: 'storefront', namespace },
    spec: { imageRepositoryRef: { name: 'storefront' }, policy: { semver: { range: '>=1.0.0' } }, ...spec }, specHash: 'y',
  };
}

function input(over: Partial<PolicyReconcileInput> = {}): PolicyReconcileInput {
  return {
    policy: policy(), generation: 1, repository: repository(), policyNamespaceLabels: { 'kubernetes.io/metadata.name': 'shop' },
    tags: ['1.2.0', '1.10.0', 'latest'], now: Date.parse('2026-11-29T19:00:00Z'), ...over,
  };
}

const brief = (s: ImagePolicyStatus) => s.conditions.map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`);

describe('composeImagePolicyReadyMessage (TestComposeImagePolicyReadyMessage)', () => {
  it('writes the controller\'s exact strings', () => {
    assert.equal(composeImagePolicyReadyMessage({ latestRef: { name: 'foo/bar', tag: '1.0.0' } }), 'Latest image tag for foo/bar resolved to 1.0.0');
    assert.equal(composeImagePolicyReadyMessage({ latestRef: { name: 'foo/bar', tag: '1.0.0' }, observedPreviousRef: { name: 'foo/bar', tag: '1.0.0' } }), 'Latest image tag for foo/bar resolved to 1.0.0');
    assert.equal(composeImagePolicyReadyMessage({ latestRef: { name: 'foo/bar', tag: '1.1.0' }, observedPreviousRef: { name: 'foo/bar', tag: '1.0.0' } }), 'Latest image tag for foo/bar resolved to 1.1.0 (previously foo/bar:1.0.0)');
    assert.equal(composeImagePolicyReadyMessage({ latestRef: { name: 'foo/bar', tag: '1.0.0', digest: 'sha256:1234567890abcdef' }, observedPreviousRef: { name: 'baz/qux', tag: '1.0.0' } }),
      'Latest image tag for foo/bar resolved to 1.0.0 with digest sha256:1234567890abcdef (previously baz/qux:1.0.0)');
    assert.equal(composeImagePolicyReadyMessage({ latestRef: { name: 'foo/bar', tag: '1.0.0', digest: 'sha256:1234567890abcdef' }, observedPreviousRef: { name: 'foo/bar', tag: '1.0.0', digest: 'sha256:abcdef1234567890' } }),
      'Latest image tag for foo/bar resolved to 1.0.0 with digest sha256:1234567890abcdef (previously foo/bar:1.0.0@sha256:abcdef1234567890)');
  });
});

describe('reconcileImagePolicy', () => {
  it('resolves the latest tag, marks Ready=Succeeded and emits a Normal event', async () => {
    const r = await reconcileImagePolicy(input(), EMPTY);
    assert.deepEqual(r.status.latestRef, { name: 'ghcr.io/acme/storefront', tag: '1.10.0' });
    assert.equal(r.status.observedPreviousRef, undefined);
    assert.deepEqual(brief(r.status), ['Ready=True Succeeded: Latest image tag for ghcr.io/acme/storefront resolved to 1.10.0']);
    assert.equal(r.status.observedGeneration, 1);
    assert.deepEqual(r.event, { type: 'Normal', reason: 'Succeeded', message: 'Latest image tag for ghcr.io/acme/storefront resolved to 1.10.0' });
    assert.equal(r.requeueAfter, undefined);

    const again = await reconcileImagePolicy(input({ tags: ['1.2.0', '1.10.0', '1.11.0'], now: Date.parse('2026-11-29T19:05:00Z') }), r.status);
    assert.deepEqual(again.status.observedPreviousRef, { name: 'ghcr.io/acme/storefront', tag: '1.10.0' });
    assert.deepEqual(brief(again.status), ['Ready=True Succeeded: Latest image tag for ghcr.io/acme/storefront resolved to 1.11.0 (previously ghcr.io/acme/storefront:1.10.0)']);
    assert.equal(again.event.type, 'Normal');

    const same = await reconcileImagePolicy(input({ tags: ['1.11.0'], now: Date.parse('2026-11-29T19:10:00Z') }), again.status);
    assert.equal(same.event.type, 'Trace');
    assert.equal(same.status.conditions[0].lastTransitionTime, again.status.conditions[0].lastTransitionTime);
  });

  it('stalls on an invalid policy with reason InvalidPolicy', async () => {
    const r = await reconcileImagePolicy(input({ policy: policy({ policy: {} }) }), EMPTY);
    assert.deepEqual(brief(r.status), [
      'Stalled=True InvalidPolicy: invalid policy: given ImagePolicyChoice object is invalid',
      'Ready=False InvalidPolicy: invalid policy: given ImagePolicyChoice object is invalid',
    ]);
    assert.deepEqual(r.event, { type: 'Warning', reason: 'InvalidPolicy', message: 'invalid policy: given ImagePolicyChoice object is invalid' });
    const bad = await reconcileImagePolicy(input({ policy: policy({ filterTags: { pattern: '[=' } }) }), EMPTY);
    assert.equal(brief(bad.status)[0], "Stalled=True InvalidPolicy: failed to filter tags: invalid regular expression pattern '[=': error parsing regexp: missing closing ]: `[=`");
  });

  it('waits for tags with DependencyNotReady and keeps Reconciling as ProgressingWithRetry', async () => {
    const r = await reconcileImagePolicy(input({ tags: [] }), EMPTY);
    assert.deepEqual(brief(r.status), [
      'Reconciling=True ProgressingWithRetry: processing object: new generation -1 -> 1',
      'Ready=False DependencyNotReady: retrying in 30s error: no tags in database',
    ]);
    assert.equal(r.requeueAfter, 'dependency');
    assert.equal(r.status.observedGeneration, -1);
  });

  it('reports a missing repository and a denied cross-namespace reference', async () => {
    const missing = await reconcileImagePolicy(input({ repository: undefined }), EMPTY);
    assert.equal(brief(missing.status)[1], 'Ready=False DependencyNotReady: failed to get the referred ImageRepository: referenced ImageRepository does not exist: ImageRepository.image.toolkit.fluxcd.io "storefront" not found');
    const cross = policy({ imageRepositoryRef: { name: 'storefront', namespace: 'shop' } }, 'web');
    const denied = await reconcileImagePolicy(input({ policy: cross, policyNamespaceLabels: { 'kubernetes.io/metadata.name': 'web' } }), EMPTY);
    assert.equal(brief(denied.status)[1], "Ready=False AccessDenied: failed to get the referred ImageRepository: access denied: 'shop/storefront' can't be accessed due to missing ACL labels on 'accessFrom'");
    assert.equal(denied.requeueAfter, 'backoff');
    const allowed = await reconcileImagePolicy(input({
      policy: cross, repository: repository({ accessFrom: { namespaceSelectors: [{ matchLabels: { 'kubernetes.io/metadata.name': 'web' } }] } }),
      policyNamespaceLabels: { 'kubernetes.io/metadata.name': 'web' },
    }), EMPTY);
    assert.equal(allowed.status.latestRef?.tag, '1.10.0');
  });

  it('fails with Failure when no tag satisfies the policy, and stalls on a bad repository image', async () => {
    const none = await reconcileImagePolicy(input({ tags: ['latest'] }), EMPTY);
    assert.equal(brief(none.status)[1], 'Ready=False Failure: unable to determine latest version from provided list');
    const image = await reconcileImagePolicy(input({ repository: repository({ image: 'ghcr.io/stefanprodan/podinfo/foo:bar:zzz:qqq/aaa' }) }), EMPTY);
    assert.equal(image.status.conditions[0].type, 'Stalled');
    assert.equal(image.status.conditions[0].reason, 'ImageURLInvalid');
  });

  it('stalls with IntervalNotConfigured, and reflects digests per digestReflectionPolicy', async () => {
    const stalled = await reconcileImagePolicy(input({ policy: policy({ digestReflectionPolicy: 'Always' }) }), EMPTY);
    assert.deepEqual(brief(stalled.status), [
      "Stalled=True IntervalNotConfigured: spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'",
      "Ready=False IntervalNotConfigured: spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'",
    ]);
    const heads: string[] = [];
    const fetchDigest = async (image: string, tag: string) => {
      heads.push(`${image}:${tag}`);
      return `sha256:${String(heads.length).repeat(64)}`;
    };
    const once = await reconcileImagePolicy(input({ policy: policy({ digestReflectionPolicy: 'IfNotPresent' }), fetchDigest }), EMPTY);
    assert.equal(once.status.latestRef?.digest, `sha256:${'1'.repeat(64)}`);
    const twice = await reconcileImagePolicy(input({ policy: policy({ digestReflectionPolicy: 'IfNotPresent' }), fetchDigest }), once.status);
    assert.equal(heads.length, 1);
    assert.equal(twice.status.latestRef?.digest, `sha256:${'1'.repeat(64)}`);
    const always = await reconcileImagePolicy(input({ policy: policy({ digestReflectionPolicy: 'Always', interval: '5m' }), fetchDigest }), twice.status);
    assert.equal(heads.length, 2);
    assert.equal(always.requeueAfter, 'interval');
    assert.equal(brief(always.status)[0], `Ready=True Succeeded: Latest image tag for ghcr.io/acme/storefront resolved to 1.10.0 with digest sha256:${'2'.repeat(64)} (previously ghcr.io/acme/storefront:1.10.0@sha256:${'1'.repeat(64)})`);
    const failing = await reconcileImagePolicy(input({ policy: policy({ digestReflectionPolicy: 'Always', interval: '5m' }), fetchDigest: async () => { throw new Error('MANIFEST_UNKNOWN: manifest unknown'); } }), EMPTY);
    assert.equal(brief(failing.status)[1], 'Ready=False Failed: failed fetching digest of ghcr.io/acme/storefront:1.10.0: MANIFEST_UNKNOWN: manifest unknown');
  });
});
