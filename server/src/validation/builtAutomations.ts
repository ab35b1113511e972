// The ImageUpdateAutomations as the kustomize roots built them (common/kustomize/automations.ts `BuiltAutomation`):
// what image-automation-controller reads in the cluster is the applied object, so its namespace, name,
// `update.path` and `policySelector` are the ones after kustomize's transformers and Flux's post-build
// substitution (kustomize-controller, fluxcd/pkg kustomize `SubstituteVariables`).
import { unknownVariables, type AutomationBuilds, type BuiltAutomation } from '../../../common/kustomize/automations';
import { uriPath } from '../../../common/kustomize';
import { FLUX_IMAGE_GROUP } from '../../../common/manifests';
import { isRecord } from '../../../common/manifests/objects';
import type { BuiltValidation } from './built';
import type { KustomizationVars } from '../../../common/kustomize';

function updatePath(value: unknown): string {
  const spec = isRecord(value) && isRecord(value.spec) ? value.spec : {};
  return isRecord(spec.update) && typeof spec.update.path === 'string' ? spec.update.path : '';
}

/** Why a root leaves a variable unknown: no post-build substitution, a source only in the cluster, an encrypted one. */
function unresolvedWhy(kustomization: Record<string, unknown> | undefined, vars: KustomizationVars | undefined): string {
  const spec = kustomization && isRecord(kustomization.spec) ? kustomization.spec : {};
  if (!kustomization) return 'a kustomization without post-build substitution builds it';
  if (!isRecord(spec.postBuild)) return 'its Flux Kustomization has no spec.postBuild, so Flux applies it as written';
  const reasons = [
    ...(vars?.absent ?? []).map((source) => `${source} is not in the workspace (it may exist only in the cluster)`),
    ...(vars?.unknown ?? []).map(({ source }) => `${source} is SOPS-encrypted`),
  ];
  return reasons.length > 0 ? reasons.join('; ') : 'no value for it is in the workspace';
}

/**
 * The built ImageUpdateAutomations of `built` (each with the written document it came from and the variables of
 * its written `update.path` the root cannot know), and which files the roots read; undefined before a build.
 */
export function automationBuilds(built: BuiltValidation | undefined): AutomationBuilds | undefined {
  if (!built) return undefined;
  const automations: BuiltAutomation[] = [];
  for (const { applied, base, root, vars } of built.documents) {
    if (!base || applied.kind !== 'ImageUpdateAutomation' || !applied.apiVersion.startsWith(`${FLUX_IMAGE_GROUP}/`)) continue;
    const unresolved = unknownVariables(updatePath(base.chunk.value), root.flux?.object, vars);
    automations.push({
      object: applied.object, uri: base.uri, index: base.index, root: root.label, flux: root.flux !== undefined, unresolved,
      ...(unresolved.length > 0 ? { unresolvedWhy: unresolvedWhy(root.flux?.object, vars) } : {}),
    });
  }
  return {
    automations,
    reads: (uri) => {
      const path = uriPath(uri);
      return path !== undefined && built.covered.has(path);
    },
  };
}
