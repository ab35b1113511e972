// Validation of a whole workspace as Flux applies it: files that kustomize roots read are checked as built objects
// (validateBuilds), every other file as written (validateManifest). Shared by `tagline check` and `tagline scan`.
import { appliedFiles, appliedObjectsOnly, isApplied, isAppliedUri, KustomizeBuilds, KustomizePool, modulePath, type AppliedFiles, type WorkspaceBuild } from '../../../common/kustomize';
import { readReferencedFiles } from '../../../common/kustomize/referenced';
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { mergeObjects, type LoadedManifest } from '../../../common/manifests';
import type { DetectedFlux, WorkspaceObjects } from '../../../common/model';
import { validateBuilds, type BuiltValidation } from './built';
import { AppliedObjectIndex } from './appliedPolicies';
import type { TaglineDiagnostic } from './types';
import { automationScopes } from '../../../common/kustomize/automations';
import { markerReachDiagnostics, type MarkerReachContext } from './markerReach';
import { automationBuilds } from './builtAutomations';
import { documentsMarkerDiagnostics } from './markers';
import { notAppliedDiagnostics } from './notApplied';
import { policyPitfallDiagnostics } from './policyPitfalls';
import { byPosition } from './types';
import { validateManifest } from './validate';

export interface WorkspaceCheck {
  /** Diagnostics by file path (as loaded). */
  diagnostics: Map<string, TaglineDiagnostic[]>;
  /** The objects Flux applies: built objects, plus those of files no root reads, less files Flux never applies. */
  objects: WorkspaceObjects;
  built?: BuiltValidation;
  /** Which files the workspace's Flux Kustomizations reach (none found: every file is applied). */
  applied: AppliedFiles;
  /** Files (as loaded) holding ImageRepositories that no Flux Kustomization applies. */
  notApplied: string[];
}

/**
 * Builds the kustomize roots under `limit` (a folder) from `loaded` and validates everything, judging apiVersions
 * against `flux` (`detectFluxVersions`; empty: none found); with `storedTags` (a tag database), ImagePolicies are
 * also judged on the stored tags of their repository. Without the kustomize module (a build without Go), every
 * file is validated as written.
 */
export async function checkWorkspace(
  loaded: LoadedManifest[], limit: string, flux: readonly DetectedFlux[] = [], module = new KustomizePool(),
  storedTags?: (canonicalImageName: string) => readonly string[] | null,
): Promise<WorkspaceCheck> {
  let built: BuiltValidation | undefined;
  let workspace: WorkspaceBuild | undefined;
  if (module.available()) {
    const builds = new KustomizeBuilds(module, modulePath(limit));
    builds.setFiles(Object.fromEntries(loaded.map((l) => [modulePath(l.path), l.text])));
    const folder = modulePath(limit);
    builds.setFiles(await readReferencedFiles(loaded, (path) => path.startsWith(folder.endsWith('/') ? folder : `${folder}/`)));
    try {
      workspace = await builds.build();
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
  const applied = appliedFiles(loaded.map((l) => ({ path: modulePath(l.path), text: l.text })), modulePath(limit), workspace);
  // Markers too are resolved against the objects as applied (appliedPolicies.ts), in every file.
  const index = new AppliedObjectIndex(objects, built);
  const applies = (uri: string) => isAppliedUri(applied, uri);
  const markerReach: MarkerReachContext = {
    automations: automationScopes(loaded.map((l) => l.manifest), modulePath(limit), applies, automationBuilds(built)),
    imagePolicies: (namespace, name) => index.imagePolicies(namespace, name),
    appliedAs: (namespace, name) => index.appliedAs(namespace, name),
    applies,
  };
  const diagnostics = new Map<string, TaglineDiagnostic[]>();
  for (const { path, manifest } of loaded) {
    // A file roots read is checked as built objects, but the automation reads its markers as written.
    const own = built?.covered.has(modulePath(path)) ? documentsMarkerDiagnostics(manifest.documents, index) : validateManifest(manifest, index, flux);
    const fromBuilds = built?.diagnostics.get(manifest.uri) ?? [];
    const found = fromBuilds.length ? [...own, ...fromBuilds].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character) : own;
    const reach = [...markerReachDiagnostics(manifest, markerReach), ...(storedTags ? policyPitfallDiagnostics(manifest, index, storedTags) : [])];
    const withReach = reach.length ? [...found, ...reach].sort(byPosition) : found;
    const all = isApplied(applied, modulePath(path)) ? withReach : notAppliedDiagnostics(withReach);
    if (all.length) diagnostics.set(path, all);
  }
  const notApplied = loaded.filter((l) => !isApplied(applied, modulePath(l.path))
    && (l.manifest.objects.imageRepositories.length > 0 || (l.manifest.objects.skipped ?? []).length > 0)).map((l) => l.path);
  return { diagnostics, objects: appliedObjectsOnly(objects, (uri) => isAppliedUri(applied, uri)), built, applied, notApplied };
}

/** The folder kustomize roots are looked for in: the one named folder, else the folder common to all paths. */
export function checkedFolder(paths: string[]): string {
  const folders = paths.map((p) => resolve(p)).map((p) => (statSync(p, { throwIfNoEntry: false })?.isDirectory() ? p : dirname(p)));
  let common = folders[0];
  while (!folders.every((f) => f === common || f.startsWith(common.endsWith('/') ? common : `${common}/`)) && common !== dirname(common)) common = dirname(common);
  return common;
}
