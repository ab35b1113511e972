// "Migrate every document in the workspace": the apiVersion quick fix of every image.toolkit.fluxcd.io document
// of the workspace (open or not) in one WorkspaceEdit, so an upgrade of Flux is one step.
import type { DetectedFlux } from '../../../common/flux/fluxVersion';
import type { ParsedManifest } from '../../../common/manifests';
import type { Range } from '../../../common/model';
import { validateManifest, type ReferenceIndex, type TaglineDiagnostic } from '../validation';

export const MIGRATE_WORKSPACE_TITLE = 'Migrate every document in the workspace to the apiVersions its Flux serves';

export interface WorkspaceMigration {
  title: string;
  /** Edits per document URI. */
  changes: Record<string, { range: Range; newText: string }[]>;
  /** How many documents change. */
  documents: number;
}

/** True for a diagnostic whose fix is an apiVersion migration. */
export function isMigration(diagnostic: TaglineDiagnostic): boolean {
  return diagnostic.code.startsWith('apiVersion.') && (diagnostic.data?.fixes.length ?? 0) > 0;
}

/** Every apiVersion migration of the workspace, or undefined when there is none. */
export function workspaceMigration(
  manifests: readonly ParsedManifest[], references: ReferenceIndex, flux: readonly DetectedFlux[],
): WorkspaceMigration | undefined {
  const changes: WorkspaceMigration['changes'] = {};
  let documents = 0;
  for (const manifest of manifests) {
    for (const diagnostic of validateManifest(manifest, references, flux)) {
      if (!isMigration(diagnostic)) continue;
      const fix = diagnostic.data!.fixes[0];
      (changes[manifest.uri] ??= []).push(...fix.edits);
      documents++;
    }
  }
  if (documents === 0) return undefined;
  return { title: `${MIGRATE_WORKSPACE_TITLE} (${documents} document${documents === 1 ? '' : 's'})`, changes, documents };
}
