// The reconciler's ImagePolicy conditions as diagnostics on the policy document, as conditions.ts does for
// ImageRepositories: Stalled (InvalidPolicy, IntervalNotConfigured, ImageURLInvalid) as errors, Ready=False
// (AccessDenied, DependencyNotReady, Failed) as warnings, each with the controller's reason as code and its
// message as text, on the field a person would change (image-reflector-controller
// internal/controller/imagepolicy_controller.go reconcile: which step set the reason).
import { getCondition } from '../../../common/flux/conditions';
import {
  AccessDeniedReason, DependencyNotReadyReason, ImageURLInvalidReason, IntervalNotConfiguredReason, InvalidPolicyReason,
  FeatureGateDisabledReason, SucceededReason,
} from '../../../common/flux/reasons';
import type { ManifestDocument } from '../../../common/manifests';
import { keyAt, nodeRange } from '../../../common/manifests/yamlPath';
import type { Condition, ImagePolicyStatus, Range } from '../../../common/model';
import type { StatusStore } from '../workspace/statuses';
import type { MarkerPolicyIndex } from '../validation/markers';
import { CONDITION_SOURCE, Severity, type SeverityValue, type TaglineDiagnostic } from '../validation';

/** The key a reason is about: the reference for dependency and access problems, the policy for the rest. */
function fieldOf(reason: string, message: string): string[] {
  if (reason === AccessDeniedReason || reason === DependencyNotReadyReason || reason === ImageURLInvalidReason || reason === FeatureGateDisabledReason) {
    return ['spec', 'imageRepositoryRef'];
  }
  if (reason === IntervalNotConfiguredReason || message.startsWith('failed fetching digest')) return ['spec', 'digestReflectionPolicy'];
  if (reason === InvalidPolicyReason && message.startsWith('failed to filter tags')) return ['spec', 'filterTags'];
  return ['spec', 'policy'];
}

function rangeOf(document: ManifestDocument, path: string[]): Range | undefined {
  const { chunk } = document;
  const at = (p: string[]) => nodeRange(chunk.lines, keyAt(chunk.doc, p));
  const rel = at(path) ?? at(['spec']) ?? at(['kind']);
  if (!rel) return document.range;
  return { start: { line: rel.start.line + document.startLine, character: rel.start.character }, end: { line: rel.end.line + document.startLine, character: rel.end.character } };
}

export function policyConditionDiagnostics(document: ManifestDocument, status: ImagePolicyStatus): TaglineDiagnostic[] {
  const make = (severity: SeverityValue, c: Condition): TaglineDiagnostic | undefined => {
    const range = rangeOf(document, fieldOf(c.reason, c.message));
    return range ? { range, severity, code: c.reason, source: CONDITION_SOURCE, message: c.message } : undefined;
  };
  const stalled = getCondition(status, 'Stalled');
  const ready = getCondition(status, 'Ready');
  const found = stalled?.status === 'True' ? make(Severity.Error, stalled)
    : ready?.status === 'False' && ready.reason !== SucceededReason ? make(Severity.Warning, ready) : undefined;
  return found ? [found] : [];
}

/**
 * The conditions of an ImagePolicy that kustomize roots apply under other names (a namespace, prefix or suffix
 * from the kustomization or the Flux Kustomization): the reconciler reports them under the applied names, each
 * finding naming the applied policy and its root.
 */
export function appliedPolicyConditions(document: ManifestDocument, statuses: StatusStore, index: MarkerPolicyIndex | undefined): TaglineDiagnostic[] {
  const policy = document.imagePolicy;
  if (!policy || !index?.appliedAs) return [];
  const applied = index.appliedAs(policy.metadata.namespace ?? 'default', policy.metadata.name);
  return statuses.forAppliedPolicy(policy, applied).flatMap(({ applied: name, status }) => policyConditionDiagnostics(document, status.status)
    .map((d) => ({ ...d, message: `${d.message} (ImagePolicy ${name.namespace}/${name.name}, ${name.root})` })));
}
