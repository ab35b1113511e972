// Diagnostics for image-update markers (`# {"$imagepolicy": "ns:name"}`) in any YAML document: comments the
// automation would not read as markers, and markers naming an ImagePolicy that is not in the workspace.
import type { ParsedChunk } from '../../../common/manifests';
import { findMarkers, SCREENING_TOKEN } from '../../../common/flux/markers/markers';
import type { ReferenceIndex } from './references';
import { byPosition, Severity, SOURCE, type TaglineDiagnostic } from './types';

/** Markers per parsed document: finding them parses the YAML again, which an edit elsewhere must not repeat. */
const found = new WeakMap<ParsedChunk, ReturnType<typeof findMarkers>>();

export function markerDiagnostics(chunk: ParsedChunk, index: ReferenceIndex): TaglineDiagnostic[] {
  if (!chunk.text.includes(SCREENING_TOKEN)) return [];
  let result = found.get(chunk);
  if (!result) {
    result = findMarkers(chunk.text);
    found.set(chunk, result);
  }
  const { markers, problems, syntaxError } = result;
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
