/**
 * A build error that only the offline build causes. Tagline builds without remote bases and Helm charts
 * (`built without remote base X`); a patch aimed at an object from one of them then finds no target, and kustomize
 * stops with `no matches for Id …; failed to find unique target for patch …` where kustomize-controller, which
 * fetches them, builds cleanly. Such an error is not Flux's: it is reported as information, with the reason.
 */
import type { KustomizeResponse } from '../../../common/kustomize/protocol';

/**
 * kustomize's texts for a patch without a target: sigs.k8s.io/kustomize/api resmap/reswrangler.go
 * (`no matches for Id %s; failed to find unique target for patch %s`) and builtins PatchTransformer
 * (`patches target not found`).
 */
const TARGET_MISSING = /no matches for Id |failed to find unique target for patch |patches target not found/;

/** Whether `response.error` is a patch target missing from a build that left out remote bases or charts. */
export function offlineTargetMissing(response: KustomizeResponse): boolean {
  return response.error !== undefined && TARGET_MISSING.test(response.error)
    && response.warnings.some((w) => w.startsWith('built without '));
}

/** What Tagline adds to such an error's text. */
export const OFFLINE_TARGET_NOTE = ' (its target may be in a remote base or Helm chart, which Tagline does not fetch; Flux does)';
