// Post-build variables from the workspace's ConfigMaps and Secrets, as kustomize-controller's LoadVariables reads
// them from the cluster.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { kustomizationVars, varsSource, type VarsSource } from '../../common/kustomize';

const kustomization = (substituteFrom: unknown[]) => ({ spec: { postBuild: { substituteFrom } } });

describe('post-build variables', () => {
  const sources = [
    varsSource({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'vars', namespace: 'flux-system' }, data: { region: 'eu\n', tier: 'a' } }),
    varsSource({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'plain', namespace: 'flux-system' }, data: { token: Buffer.from('s3').toString('base64') }, stringData: { tier: 'b' } }),
    varsSource({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sealed', namespace: 'flux-system' }, data: { password: 'ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]' }, sops: { version: '3.8.1' } }),
  ].filter((s): s is VarsSource => s !== undefined);

  test('reads ConfigMap data and decoded Secret data in substituteFrom order, newlines removed', () => {
    const result = kustomizationVars(kustomization([{ kind: 'ConfigMap', name: 'vars' }, { kind: 'Secret', name: 'plain' }]), 'flux-system', sources);
    assert.deepEqual(result, { vars: { region: 'eu', tier: 'b', token: 's3' }, unknown: [], missing: [] });
  });

  test('leaves SOPS-encrypted variables as written and names them', () => {
    const result = kustomizationVars(kustomization([{ kind: 'Secret', name: 'sealed' }]), 'flux-system', sources);
    assert.deepEqual(result, { vars: { password: '${password}' }, unknown: [{ source: 'Secret/sealed', names: ['password'] }], missing: [] });
  });

  test("reports a required source that is not in the workspace with the controller's words, and skips an optional one", () => {
    const result = kustomizationVars(kustomization([{ kind: 'ConfigMap', name: 'absent' }, { kind: 'Secret', name: 'other', optional: true }]), 'apps', sources);
    assert.deepEqual(result.missing, ['substitute from \'ConfigMap/absent\' error: configmaps "absent" not found']);
  });
});
