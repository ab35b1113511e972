// Diagnostics for image-update markers (`# {"$imagepolicy": "ns:name"}`) in any YAML document: comments the
// automation would not read as markers, and markers naming an ImagePolicy that is not in the workspace.
import type { ParsedChunk } from '../../../common/manifests';
import { findMarkers, SCREENING_TOKEN } from '../../../common/flux/markers/markers';
import type { ReferenceIndex } from './references';
import { byPosition, Severity, SOURCE, type TaglineDiagnostic } from './types';

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

export function markerDiagnostics(chunk: ParsedChunk, index: ReferenceIndex): TaglineDiagnostic[] {
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
