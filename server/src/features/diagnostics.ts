// The one publisher of diagnostics for a document: text checks, cross-document references and conditions.
import type { DetectedFlux } from '../../../common/flux/fluxVersion';
import type { ParsedManifest } from '../../../common/manifests';
import type { Position, Range } from '../../../common/model';
import { byPosition, validateManifest, type ReferenceIndex, type TaglineDiagnostic } from '../validation';
import { notAppliedDiagnostics } from '../validation/notApplied';
import { markerReachDiagnostics, type MarkerReachContext } from '../validation/markerReach';
import { documentsMarkerDiagnostics, type MarkerPolicyIndex } from '../validation/markers';
import type { StatusStore } from '../workspace/statuses';
import { dependsOnRoots } from '../workspace/rootCoverage';
import { conditionDiagnostics, withoutDuplicates } from './conditions';
import { appliedPolicyConditions, policyConditionDiagnostics } from './policyConditions';

export interface DiagnosticsSettings {
  validationEnabled: boolean;
  /** The Flux the workspace runs (the same array while it does not change). */
  flux?: readonly DetectedFlux[];
  /** No Flux Kustomization of the workspace reaches the file: its problems collapse into one information. */
  notApplied?: boolean;
  /** The automations that would write the file's markers, and the policies they would read. */
  markerReach?: MarkerReachContext;
  /** The ImagePolicies markers name, as Flux applies them (validation/appliedPolicies.ts); `references` if absent. */
  markerPolicies?: MarkerPolicyIndex;
}

/**
 * What the kustomize roots say about a file: whether a root reads it (then only built objects are checked), or
 * will likely read it once the build under way finishes (then the findings roots can change wait for it), and
 * whether the roots are built (then its markers, which the automation reads as written, are checked against the
 * ImagePolicies they apply).
 */
export interface BuiltDiagnostics { covered: boolean; pending?: boolean; diagnostics: TaglineDiagnostic[]; built?: boolean }

/** The text a finding covers, from the file's parsed documents. */
function textAt(manifest: ParsedManifest, range: Range): string {
  let document = manifest.documents[0];
  for (const d of manifest.documents) if (d.startLine <= range.start.line) document = d;
  if (!document) return '';
  const { chunk, startLine } = document;
  const offset = (position: Position) => chunk.lines.offsetAt({ line: position.line - startLine, character: position.character });
  return chunk.text.slice(offset(range.start), offset(range.end));
}

export function documentDiagnostics(
  manifest: ParsedManifest, references: ReferenceIndex, statuses: StatusStore, settings: DiagnosticsSettings,
  built?: BuiltDiagnostics,
): TaglineDiagnostic[] {
  const reach = settings.validationEnabled && settings.markerReach ? markerReachDiagnostics(manifest, settings.markerReach) : [];
  const markerPolicies = settings.markerPolicies ?? references;
  let validated: TaglineDiagnostic[] = [];
  if (settings.validationEnabled && !built?.covered) {
    const written = validateManifest(manifest, references, settings.flux, markerPolicies);
    validated = built?.pending ? written.filter((d) => !dependsOnRoots(d.code, textAt(manifest, d.range))) : written;
  } else if (settings.validationEnabled && built?.built) {
    validated = documentsMarkerDiagnostics(manifest.documents, markerPolicies);
  }
  const standalone = reach.length ? [...validated, ...reach].sort(byPosition) : validated;
  const own = settings.validationEnabled && built?.diagnostics.length
    ? [...standalone, ...built.diagnostics].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character)
    : standalone;
  if (settings.notApplied) return notAppliedDiagnostics(own);
  const conditions: TaglineDiagnostic[] = [];
  for (const object of manifest.objects.imageRepositories) {
    const status = statuses.forObject(object);
    if (status) conditions.push(...conditionDiagnostics(object, status));
  }
  for (const document of manifest.documents) {
    const status = document.imagePolicy && statuses.forPolicy(document.imagePolicy);
    if (status) conditions.push(...policyConditionDiagnostics(document, status.status));
    else if (document.imagePolicy) conditions.push(...appliedPolicyConditions(document, statuses, settings.markerPolicies));
  }
  if (conditions.length === 0) return own;
  return [...own, ...withoutDuplicates(own, conditions)].sort(byPosition);
}
