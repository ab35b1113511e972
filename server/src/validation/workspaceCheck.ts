// Validation of a whole workspace as Flux applies it: files that kustomize roots read are checked as built objects
// (validateBuilds), every other file as written (validateManifest). Shared by `tagline check` and `tagline scan`.
import { KustomizeBuilds, KustomizePool, modulePath } from '../../../common/kustomize';
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { mergeObjects, type LoadedManifest } from '../../../common/manifests';
import type { DetectedFlux, WorkspaceObjects } from '../../../common/model';
import { validateBuilds, type BuiltValidation } from './built';
import { ObjectIndex } from './references';
import type { TaglineDiagnostic } from './types';
import { validateManifest } from './validate';

export interface WorkspaceCheck {
  /** Diagnostics by file path (as loaded). */
  diagnostics: Map<string, TaglineDiagnostic[]>;
  /** The objects Flux applies: built objects, plus those of files no root reads. */
  objects: WorkspaceObjects;
  built?: BuiltValidation;
}

/**
 * Builds the kustomize roots under `limit` (a folder) from `loaded` and validates everything, judging apiVersions
 * against `flux` (`detectFluxVersions`; empty: none found). Without the kustomize module (a build without Go), every
 * file is validated as written.
 */
export async function checkWorkspace(
  loaded: LoadedManifest[], limit: string, flux: readonly DetectedFlux[] = [], module = new KustomizePool(),
): Promise<WorkspaceCheck> {
  let built: BuiltValidation | undefined;
  if (module.available()) {
    const builds = new KustomizeBuilds(module, modulePath(limit));
    builds.setFiles(Object.fromEntries(loaded.map((l) => [modulePath(l.path), l.text])));
    try {
      const workspace = await builds.build();
      const byPath = new Map(loaded.map((l) => [modulePath(l.path), l.manifest]));
      const covered = new Set(workspace.builds.flatMap((b) => b.response.read));
      const raw = mergeObjects(loaded.filter((l) => !covered.has(modulePath(l.path))).map((l) => l.manifest));
      built = validateBuilds(workspace, byPath, raw, flux);
    } finally {
      module.dispose();
    }
  }
  const standalone = loaded.filter((l) => !built?.covered.has(modulePath(l.path)));
  const rawObjects = mergeObjects(standalone.map((l) => l.manifest));
  const objects: WorkspaceObjects = built
    ? {
      ...rawObjects,
      imageRepositories: [...rawObjects.imageRepositories, ...built.objects.imageRepositories],
      secrets: [...rawObjects.secrets, ...built.objects.secrets],
      serviceAccounts: [...rawObjects.serviceAccounts, ...built.objects.serviceAccounts],
      imagePolicies: [...(rawObjects.imagePolicies ?? []), ...(built.objects.imagePolicies ?? [])],
      namespaces: [...(rawObjects.namespaces ?? []), ...(built.objects.namespaces ?? [])],
      ...(rawObjects.skipped || built.objects.skipped ? { skipped: [...(rawObjects.skipped ?? []), ...(built.objects.skipped ?? [])] } : {}),
    }
    : rawObjects;
  const index = new ObjectIndex(objects);
  const diagnostics = new Map<string, TaglineDiagnostic[]>();
  for (const { path, manifest } of loaded) {
    const own = built?.covered.has(modulePath(path)) ? [] : validateManifest(manifest, index, flux);
    const fromBuilds = built?.diagnostics.get(manifest.uri) ?? [];
    const all = fromBuilds.length ? [...own, ...fromBuilds].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character) : own;
    if (all.length) diagnostics.set(path, all);
  }
  return { diagnostics, objects, built };
}

/** The folder kustomize roots are looked for in: the one named folder, else the folder common to all paths. */
export function checkedFolder(paths: string[]): string {
  const folders = paths.map((p) => resolve(p)).map((p) => (statSync(p, { throwIfNoEntry: false })?.isDirectory() ? p : dirname(p)));
  let common = folders[0];
  while (!folders.every((f) => f === common || f.startsWith(common.endsWith('/') ? common : `${common}/`)) && common !== dirname(common)) common = dirname(common);
  return common;
}
