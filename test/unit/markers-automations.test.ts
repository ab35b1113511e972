// Which automation writes a marker: its namespace, policySelector and update.path, as image-automation-controller
// decides (common/kustomize/automations.ts, server/src/validation/markerReach.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { automationScopes, selectorMatches } from '../../common/kustomize/automations';
import { parseManifestText } from '../../common/manifests';
import type { ImagePolicyObject } from '../../common/model';
import { markerReachDiagnostics } from '../../server/src/validation/markerReach';

const automation = (extra: string, path = './apps') => parseManifestText('file:///repo/clusters/prod/automation.yaml',
  `apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageUpdateAutomation\nmetadata:\n  name: auto\n  namespace: apps\nspec:\n  update:\n    path: ${path}\n    strategy: Setters\n${extra}`);
const deployment = parseManifestText('file:///repo/apps/web/deployment.yaml',
  'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - image: ghcr.io/example/web:1.0.0 # {"$imagepolicy": "apps:web"}\n');
const policy = (labels?: Record<string, string>): ImagePolicyObject => ({
  apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy',
  metadata: { name: 'web', namespace: 'apps', ...(labels ? { labels } : {}) },
  spec: { imageRepositoryRef: { name: 'web' }, policy: { semver: { range: '1.x' } } },
} as ImagePolicyObject);

function reach(automationExtra: string, labels?: Record<string, string>): string[] {
  const manifests = [automation(automationExtra), deployment];
  const automations = automationScopes(manifests, '/repo');
  return markerReachDiagnostics(deployment, { automations, imagePolicies: () => [policy(labels)], applies: () => true })
    .map((d) => `${d.range.start.line} ${d.code} ${d.message}`);
}

describe('markers against the automation that would write them', () => {
  test('maps update.path onto the workspace and sees a policy of its own namespace', () => {
    const [scope] = automationScopes([automation(''), deployment], '/repo');
    assert.equal(scope.folder, '/repo/apps');
    assert.deepEqual(reach(''), []);
  });

  test("a policySelector that does not select the policy leaves the marker alone, naming the policy's labels", () => {
    assert.deepEqual(reach('  policySelector:\n    matchLabels:\n      team: web\n', { team: 'api' }), [
      '6 marker.policyNotSeen No automation that rewrites this file sees ImagePolicy \'apps/web\': ImageUpdateAutomation apps/auto (update.path ./apps) has a policySelector that does not select ImagePolicy \'apps/web\' (labels {"team":"api"}).',
    ]);
    assert.deepEqual(reach('  policySelector:\n    matchLabels:\n      team: web\n', { team: 'web' }), []);
  });

  test('a file outside update.path is never rewritten', () => {
    const outside = automationScopes([automation('', './clusters'), deployment], '/repo');
    assert.deepEqual(markerReachDiagnostics(deployment, { automations: outside, imagePolicies: () => [policy()], applies: () => true }).map((d) => d.message), [
      'No ImageUpdateAutomation rewrites this file: apps/auto rewrites ./clusters.',
    ]);
  });

  test('label selectors match as metav1.LabelSelectorAsSelector does', () => {
    assert.equal(selectorMatches(undefined, {}), true);
    assert.equal(selectorMatches({}, { a: '1' }), true);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, { env: 'prod' }), true);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, {}), false);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, {}), true);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'Exists' }] }, { env: '' }), true);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, { env: '' }), false);
  });
});
