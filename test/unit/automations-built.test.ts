// ImageUpdateAutomations as kustomize roots built them (common/kustomize/automations.ts): one written automation
// built by several roots gives one scope per root, and an update.path whose post-build variables are not known
// here is unresolved rather than guessed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { automationMayWrite, automationScopes, unknownVariables, type BuiltAutomation } from '../../common/kustomize/automations';
import { parseManifestText } from '../../common/manifests';

const written = parseManifestText('file:///repo/components/automation/automation.yaml',
  'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageUpdateAutomation\nmetadata:\n  name: web\n  namespace: flux-system\nspec:\n  update:\n    path: ./clusters/${CLUSTER}/apps\n    strategy: Setters\n');
const folders = ['prod', 'staging'].map((c) => parseManifestText(`file:///repo/clusters/${c}/apps/deployment.yaml`, 'apiVersion: v1\nkind: ConfigMap\n'));
const kustomization = (postBuild?: Record<string, unknown>) => ({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', spec: { path: './x', ...(postBuild ? { postBuild } : {}) } });

function built(cluster: string, name = 'web', unresolved: string[] = []): BuiltAutomation {
  return {
    uri: written.uri, index: 0, root: `Kustomization flux-system/automation in clusters/${cluster}/automation.yaml`, flux: true, unresolved,
    object: { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageUpdateAutomation', metadata: { name, namespace: 'flux-system' }, spec: { update: { path: `./clusters/${cluster}/apps` } } },
  };
}

describe('automations as built', () => {
  test('one written automation built by two roots gives both clusters\' scopes, with the built names', () => {
    const scopes = automationScopes([written, ...folders], '/repo', () => true, { automations: [built('prod'), built('staging', 'web-staging')], reads: () => true });
    assert.deepEqual(scopes.map((s) => `${s.namespace}/${s.name} ${s.path} ${s.folder}`), [
      'flux-system/web ./clusters/prod/apps /repo/clusters/prod/apps',
      'flux-system/web-staging ./clusters/staging/apps /repo/clusters/staging/apps',
    ]);
  });

  test('an automation no root builds is read as written, and a ${var} in its path leaves it unresolved', () => {
    const [scope] = automationScopes([written, ...folders], '/repo', () => true, { automations: [], reads: () => false });
    assert.equal(scope.folder, undefined);
    assert.deepEqual(scope.unresolved, ['CLUSTER']);
    assert.equal(automationMayWrite(scope, '/repo/clusters/prod/apps/deployment.yaml'), true);
    assert.equal(automationMayWrite(scope, '/repo/clusters/prod/legacy/deployment.yaml'), false);
    assert.equal(automationMayWrite(scope, '/repo/other/apps/deployment.yaml'), false);
  });

  test('a variable is unknown only when no value in the workspace, no default and no empty-string rule decides it', () => {
    const path = '${A}/${B}/${C:=c}/${D}';
    // No postBuild: kustomize-controller does not substitute at all, defaults included.
    assert.deepEqual(unknownVariables(path, kustomization(), undefined), ['A', 'B', 'C', 'D']);
    // substitute and substituteFrom values are known; an unset variable is '' when every source is in the workspace.
    assert.deepEqual(unknownVariables(path, kustomization({ substitute: { A: 'a' } }), { vars: { B: 'b' }, absent: [] }), []);
    // A source only in the cluster may set it; an encrypted value is kept as `${name}`.
    assert.deepEqual(unknownVariables(path, kustomization({ substitute: { A: 'a' } }), { vars: { B: '${B}' }, absent: ['ConfigMap/vars'] }), ['B', 'D']);
  });
});
