// Diagnostics for image-update markers (`# {"$imagepolicy": "ns:name"}`) in any YAML document: comments the
// automation would not read as markers, and markers naming an ImagePolicy that Flux does not apply under that name.
import type { ManifestDocument, ParsedChunk } from '../../../common/manifests';
import { findMarkers, SCREENING_TOKEN, type ImagePolicyMarker } from '../../../common/flux/markers/markers';
import type { ReferenceIndex } from './references';
import { byPosition, Severity, shiftDiagnostic, SOURCE, type TaglineDiagnostic } from './types';

/** Markers per parsed document, found once: an edit elsewhere, a hover or an inlay request must not repeat it. */
const found = new WeakMap<ParsedChunk, ReturnType<typeof findMarkers>>();

/**
 * The markers of one document, read line by line (findMarkers' fast path) and parsed only when its shape needs
 * it. That skips the syntax check for documents that parsed without errors, and for documents of kinds the
 * server never parses (Deployments, HelmReleases: parsing them only for this would cost more than the rest of
 * an open): their syntax is the YAML extension's to report, and their markers show either way.
 */
export function chunkMarkers(chunk: ParsedChunk): ReturnType<typeof findMarkers> {
  let result = found.get(chunk);
  if (!result) {
    result = chunk.text.includes(SCREENING_TOKEN)
      ? findMarkers(chunk.text, { trustSyntax: !chunk.template && (chunk.deferred === true || chunk.syntaxErrors.length === 0) })
      : { markers: [], problems: [] };
    found.set(chunk, result);
  }
  return result;
}

/** The namespace and name under which a kustomize root applies an ImagePolicy written under another. */
export interface AppliedPolicyName {
  namespace: string;
  name: string;
  /** The root that applies it (`Kustomization flux-system/apps in clusters/prod/apps.yaml`). */
  root: string;
}

/**
 * The ImagePolicies markers are resolved against. `imagePolicies` answers with the objects as Flux applies them;
 * `appliedAs` (when kustomize roots were built) says under which other names a policy written as
 * `namespace/name` in a file the roots read is applied.
 */
export interface MarkerPolicyIndex extends Pick<ReferenceIndex, 'imagePolicies'> {
  appliedAs?(namespace: string, name: string): AppliedPolicyName[];
}

/** `"ns:name` inside the marker's comment (the setter as JSON writes it), for the rename fix. */
function setterPolicyRange(chunk: ParsedChunk, marker: ImagePolicyMarker): [number, number] | undefined {
  const written = `${marker.policy.namespace}:${marker.policy.name}`;
  const comment = chunk.text.slice(marker.commentRange[0], marker.commentRange[1]);
  const at = comment.indexOf(`"${written}`);
  const after = comment[at + 1 + written.length];
  if (at === -1 || (after !== '"' && after !== ':')) return undefined;
  const start = marker.commentRange[0] + at + 1;
  return [start, start + written.length];
}

/**
 * image-automation-controller names each setter after an ImagePolicy it lists in the cluster
 * (`<metadata.namespace>:<metadata.name>`, internal/update/setters.go `UpdateWithSetters`), that is after the
 * object as kustomize-controller applied it, while it reads the marker from the file as written.
 */
function appliedAsDiagnostic(chunk: ParsedChunk, marker: ImagePolicyMarker, applied: AppliedPolicyName[]): TaglineDiagnostic {
  const key = `${marker.policy.namespace}/${marker.policy.name}`;
  const names = applied.map((a) => `'${a.namespace}/${a.name}' (${a.root})`).join(', ');
  const distinct = [...new Set(applied.map((a) => `${a.namespace}:${a.name}`))];
  const at = distinct.length === 1 ? setterPolicyRange(chunk, marker) : undefined;
  return {
    range: chunk.lines.rangeAt(marker.commentRange[0], marker.commentRange[1]),
    severity: Severity.Warning,
    code: 'marker.policyAppliedAs',
    source: SOURCE,
    message: `ImagePolicy '${key}' is applied as ${names}. The automation matches a marker against the ImagePolicies as applied in the cluster, so it leaves this value alone.`,
    ...(at ? { data: { fixes: [{ title: `Name the ImagePolicy as applied: ${distinct[0]}`, preferred: true, edits: [{ range: chunk.lines.rangeAt(at[0], at[1]), newText: distinct[0] }] }] } } : {}),
  };
}

export function markerDiagnostics(chunk: ParsedChunk, index: MarkerPolicyIndex): TaglineDiagnostic[] {
  if (!chunk.text.includes(SCREENING_TOKEN)) return [];
  const { markers, problems, syntaxError } = chunkMarkers(chunk);
  const out: TaglineDiagnostic[] = [];
  if (syntaxError !== undefined) {
    // image-automation-controller's ScreeningLocalReader records a file it cannot parse as a problem file and
    // updates nothing in it (internal/update/filereader.go).
    const at = chunk.text.indexOf(SCREENING_TOKEN);
    out.push({
      range: chunk.lines.rangeAt(at, at + SCREENING_TOKEN.length),
      severity: Severity.Warning,
      code: 'marker.brokenYaml',
      source: SOURCE,
      message: `Image update markers here are skipped: the YAML does not parse (${syntaxError}), and the automation leaves the whole file alone.`,
    });
  }
  for (const problem of problems) {
    out.push({ range: chunk.lines.rangeAt(problem.range[0], problem.range[1]), severity: Severity.Warning, code: `marker.${problem.kind}`, source: SOURCE, message: problem.message });
  }
  for (const marker of markers) {
    if (index.imagePolicies(marker.policy.namespace, marker.policy.name).length > 0) continue;
    const applied = index.appliedAs?.(marker.policy.namespace, marker.policy.name) ?? [];
    if (applied.length > 0) {
      out.push(appliedAsDiagnostic(chunk, marker, applied));
      continue;
    }
    out.push({
      range: chunk.lines.rangeAt(marker.commentRange[0], marker.commentRange[1]),
      severity: Severity.Information,
      code: 'marker.policyNotFound',
      source: SOURCE,
      message: `ImagePolicy '${marker.policy.namespace}/${marker.policy.name}' is not in the workspace; it may exist only in the cluster. Without it, the automation leaves this value alone.`,
    });
  }
  return out.sort(byPosition);
}

/**
 * The marker diagnostics of every document of a file, for files kustomize roots read: such a file is not validated
 * as written (its objects are checked as built), but the automation reads its markers as written.
 */
export function documentsMarkerDiagnostics(documents: readonly ManifestDocument[], index: MarkerPolicyIndex): TaglineDiagnostic[] {
  const out: TaglineDiagnostic[] = [];
  for (const document of documents) {
    if (!document.chunk.text.includes(SCREENING_TOKEN)) continue;
    for (const diagnostic of markerDiagnostics(document.chunk, index)) out.push(shiftDiagnostic(diagnostic, document.startLine));
  }
  return out;
}
