// Documents that were meant to be ImageRepositories but are not: `kind: ImageRepository` under another Flux
// group (`source.toolkit.fluxcd.io/v1beta2` appears in real repositories), a misspelled group, or a misspelled
// kind in image.toolkit.fluxcd.io. The cluster rejects them with kubectl's "no matches for kind" (no such
// resource); without this check they would pass silently, as "other YAML".
import type { ParsedChunk } from '../../../common/manifests';
import { FLUX_IMAGE_GROUP } from '../../../common/manifests';
import { SERVED_API_VERSION } from './semantic';
import { closestName } from './suggest';
import { Severity, SOURCE, type QuickFix, type TaglineDiagnostic } from './types';
import { nodeAt, nodeRange, scalarText } from '../../../common/manifests/yamlPath';

const KIND = 'ImageRepository';
/** The other kinds of image.toolkit.fluxcd.io: real, so never "corrected". */
const GROUP_KINDS = new Set([KIND, 'ImagePolicy', 'ImageUpdateAutomation']);

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** A group that is Flux's, or close enough to image.toolkit.fluxcd.io to be a typo of it. */
function fluxLikeGroup(group: string): boolean {
  return group.endsWith('.fluxcd.io') || closestName(group, [FLUX_IMAGE_GROUP]) !== undefined;
}

/**
 * Diagnostics (relative to the chunk) for a near miss of an ImageRepository: on `apiVersion` for a wrong or
 * misspelled group, on `kind` for a misspelled kind, each with kubectl's "no matches for kind" words and a quick
 * fix to image.toolkit.fluxcd.io/v1 ImageRepository. Empty for every other document.
 */
export function nearMissDiagnostics(chunk: ParsedChunk): TaglineDiagnostic[] {
  const { apiVersion, kind } = chunk;
  if (chunk.isImageRepository || !apiVersion || !kind) return [];
  const group = groupOf(apiVersion);
  const kindIsOurs = kind === KIND || (!GROUP_KINDS.has(kind) && closestName(kind, [KIND]) !== undefined);
  if (!kindIsOurs) return [];
  const wrongGroup = group !== FLUX_IMAGE_GROUP;
  if (wrongGroup && !fluxLikeGroup(group)) return [];

  const apiVersionNode = nodeAt(chunk.doc, ['apiVersion']);
  const kindNode = nodeAt(chunk.doc, ['kind']);
  const apiVersionRange = nodeRange(chunk.lines, apiVersionNode);
  const kindRange = nodeRange(chunk.lines, kindNode);
  const edits = [];
  if (wrongGroup && apiVersionNode && apiVersionRange) edits.push({ range: apiVersionRange, newText: scalarText(apiVersionNode, SERVED_API_VERSION) });
  if (kind !== KIND && kindNode && kindRange) edits.push({ range: kindRange, newText: scalarText(kindNode, KIND) });
  const fix: QuickFix = { title: `Change to ${SERVED_API_VERSION} ${KIND}`, edits, preferred: true };
  const range = wrongGroup ? apiVersionRange : kindRange;
  if (!range) return [];
  const meant = wrongGroup ? `${KIND} is served by ${SERVED_API_VERSION}` : `did you mean ${KIND}?`;
  return [{
    range, severity: Severity.Error, code: wrongGroup ? 'apiVersion.noMatch' : 'kind.noMatch', source: SOURCE,
    message: `no matches for kind "${kind}" in version "${apiVersion}": ${meant}`,
    data: { fixes: [fix] },
  }];
}
