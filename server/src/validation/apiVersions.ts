// The apiVersion of every image.toolkit.fluxcd.io document, judged against the Flux the workspace runs
// (common/flux/apiVersionVerdict.ts). Depends on the workspace, so it is recomputed when the Flux found changes.
import type { ParsedChunk } from '../../../common/manifests';
import { IMAGE_GROUP, imageApiVersion, judgeApiVersion, type VerdictLevel } from '../../../common/flux/apiVersionVerdict';
import type { DetectedFlux } from '../../../common/flux/fluxVersion';
import { IMAGE_KINDS, type ImageKind } from '../../../common/flux/servedVersions';
import { Severity, SOURCE, type QuickFix, type SeverityValue, type TaglineDiagnostic } from './types';
import { nodeAt, nodeRange, scalarText } from '../../../common/manifests/yamlPath';

const LEVELS: Record<Exclude<VerdictLevel, 'served'>, { severity: SeverityValue; code: string }> = {
  unserved: { severity: Severity.Error, code: 'apiVersion.unserved' },
  servedBySome: { severity: Severity.Warning, code: 'apiVersion.servedBySome' },
  unknownFlux: { severity: Severity.Warning, code: 'apiVersion.unknownFlux' },
  deprecated: { severity: Severity.Warning, code: 'apiVersion.deprecated' },
  servedUntil: { severity: Severity.Information, code: 'apiVersion.removedLater' },
};

/** Title of the quick fix, also used by the workspace-wide "migrate every document" action. */
export function migrateTitle(target: string): string {
  return `Migrate to ${target}`;
}

export function isImageKind(kind: string | undefined): kind is ImageKind {
  return (IMAGE_KINDS as readonly (string | undefined)[]).includes(kind);
}

/** At most one diagnostic, on the apiVersion value, with a fix to the version the Flux found stores. */
export function apiVersionDiagnostics(chunk: ParsedChunk, found: readonly DetectedFlux[]): TaglineDiagnostic[] {
  const version = imageApiVersion(chunk.apiVersion);
  if (version === undefined || !isImageKind(chunk.kind)) return [];
  const verdict = judgeApiVersion(chunk.kind, version, found);
  if (verdict.level === 'served') return [];
  const node = nodeAt(chunk.doc, ['apiVersion']);
  const range = nodeRange(chunk.lines, node);
  if (!node || !range) return [];
  const { severity, code } = LEVELS[verdict.level];
  const fixes: QuickFix[] = [];
  if (verdict.migrateTo && verdict.migrateTo !== version) {
    const target = `${IMAGE_GROUP}/${verdict.migrateTo}`;
    fixes.push({ title: migrateTitle(target), edits: [{ range, newText: scalarText(node, target) }], preferred: true });
  }
  return [{ range, severity, code, source: SOURCE, message: verdict.message, ...(fixes.length ? { data: { fixes } } : {}) }];
}
