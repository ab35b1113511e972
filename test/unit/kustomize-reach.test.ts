// Which files Flux applies: what the workspace's Flux Kustomizations reach (common/kustomize/reach.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appliedFiles, isApplied } from '../../common/kustomize/reach';

const fluxKustomization = (name: string, path: string, extra = '') =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  path: ${path}\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n${extra}`;
const kustomization = (body: string) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n${body}`;
const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n';

function reached(files: Record<string, string>): string[] {
  const applied = appliedFiles(Object.entries(files).map(([path, text]) => ({ path: `/repo/${path}`, text })), '/repo');
  return Object.keys(files).filter((path) => isApplied(applied, `/repo/${path}`)).sort();
}

describe('files Flux applies', () => {
  test('a workspace without a Flux Kustomization is applied whole', () => {
    assert.deepEqual(reached({ 'a.yaml': manifest, 'tests/b.yaml': manifest }), ['a.yaml', 'tests/b.yaml']);
  });

  test('a path without a kustomization file applies every YAML file below it, as kustomize-controller generates it', () => {
    assert.deepEqual(reached({
      'clusters/prod/sync.yaml': fluxKustomization('flux-system', './clusters/prod'),
      'clusters/prod/apps/podinfo.yaml': manifest,
      'clusters/prod/notes.txt.yaml.bak': manifest,
      'tests/e2e/assert.yaml': manifest,
      'examples/rendered.yml': manifest,
    }), ['clusters/prod/apps/podinfo.yaml', 'clusters/prod/sync.yaml']);
  });

  test('spec.path ./ (Flux\'s default) is the repository root, and a trailing slash names the same folder', () => {
    assert.deepEqual(reached({
      'clusters/prod/sync.yaml': fluxKustomization('flux-system', './'),
      'apps/podinfo.yaml': manifest,
    }), ['apps/podinfo.yaml', 'clusters/prod/sync.yaml']);
    assert.deepEqual(reached({
      'clusters/prod/sync.yaml': fluxKustomization('flux-system', './apps/'),
      'apps/podinfo.yaml': manifest,
      'tests/assert.yaml': manifest,
    }), ['apps/podinfo.yaml', 'clusters/prod/sync.yaml']);
  });

  test('a sub-folder with a kustomization file applies only what that kustomization lists', () => {
    assert.deepEqual(reached({
      'clusters/prod/sync.yaml': fluxKustomization('flux-system', './clusters/prod'),
      'clusters/prod/flux-system/kustomization.yaml': kustomization('resources:\n  - gotk-sync.yaml\n'),
      'clusters/prod/flux-system/gotk-sync.yaml': manifest,
      'clusters/prod/flux-system/unlisted.yaml': manifest,
    }), ['clusters/prod/flux-system/gotk-sync.yaml', 'clusters/prod/flux-system/kustomization.yaml', 'clusters/prod/sync.yaml']);
  });

  test('follows resources, bases, components and patch files through kustomization files', () => {
    assert.deepEqual(reached({
      'clusters/prod/apps.yaml': fluxKustomization('apps', './apps/prod', '  components:\n    - ../../components/fast\n'),
      'apps/prod/kustomization.yaml': kustomization('resources:\n  - ../base\n  - https://example.invalid/remote.yaml\nbases:\n  - ../legacy\npatches:\n  - path: patch.yaml\npatchesStrategicMerge:\n  - psm.yaml\n'),
      'apps/prod/patch.yaml': manifest,
      'apps/prod/psm.yaml': manifest,
      'apps/prod/unlisted.yaml': manifest,
      'apps/base/kustomization.yaml': kustomization('resources:\n  - repo.yaml\n'),
      'apps/base/repo.yaml': manifest,
      'apps/legacy/kustomization.yaml': kustomization('resources:\n  - old.yaml\n'),
      'apps/legacy/old.yaml': manifest,
      'components/fast/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - fast.yaml\n',
      'components/fast/fast.yaml': manifest,
      'apps/staging/kustomization.yaml': kustomization('resources:\n  - ../base\n  - staging.yaml\n'),
      'apps/staging/staging.yaml': manifest,
    }), [
      'apps/base/kustomization.yaml', 'apps/base/repo.yaml', 'apps/legacy/kustomization.yaml', 'apps/legacy/old.yaml',
      'apps/prod/kustomization.yaml', 'apps/prod/patch.yaml', 'apps/prod/psm.yaml', 'clusters/prod/apps.yaml',
      'components/fast/fast.yaml', 'components/fast/kustomization.yaml',
    ]);
  });

  test('a Flux Kustomization whose path is not in the workspace reaches nothing, and still makes the workspace Flux-applied', () => {
    assert.deepEqual(reached({ 'clusters/prod/apps.yaml': fluxKustomization('apps', './elsewhere'), 'apps/a.yaml': manifest }), ['clusters/prod/apps.yaml']);
  });
});
