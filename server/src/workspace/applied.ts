// Which workspace files Flux applies, per workspace folder (common/kustomize/reach.ts), recomputed only when a
// Flux Kustomization, a kustomization file or the set of files changes; and the ImageUpdateAutomations Flux
// applies, with the folder each rewrites (common/kustomize/automations.ts).
import { posix } from 'node:path';
import { appliedFiles, isApplied, KUSTOMIZATION_FILE_NAMES, uriPath, type AppliedFiles, type RootFile, type WorkspaceBuild } from '../../../common/kustomize';
import type { ParsedChunk, ParsedManifest } from '../../../common/manifests';
import { automationScopes, type AutomationBuilds, type AutomationScope } from '../../../common/kustomize/automations';

const FLUX_KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io/';

function textOf(manifest: ParsedManifest): string {
  return manifest.documents.map((d) => d.chunk.text).join('');
}

/** Whether a document names the Flux Kustomization group, per parsed document: an edit re-reads one. */
const namesFluxKustomize = new WeakMap<ParsedChunk, boolean>();

function declaresFluxKustomization(chunk: ParsedChunk): boolean {
  let found = namesFluxKustomize.get(chunk);
  if (found === undefined) namesFluxKustomize.set(chunk, (found = chunk.text.includes(FLUX_KUSTOMIZE_GROUP)));
  return found;
}

/** Whether reach depends on the file's text: a kustomization file, or one declaring a Flux Kustomization. */
function readsText(path: string, manifest: ParsedManifest): boolean {
  return KUSTOMIZATION_FILE_NAMES.includes(posix.basename(path)) || manifest.documents.some((d) => declaresFluxKustomization(d.chunk));
}

export class AppliedFilesCache {
  private key = '';
  private byFolder: { folder: string; applied: AppliedFiles }[] = [];
  /** Changes whenever the answer for any file may have changed. */
  signature = '[]';
  /** Bumped whenever `applies` or `automations` is recomputed: results cached against an older one are stale. */
  version = 0;
  /** The ImageUpdateAutomations in files Flux applies. */
  automations: AutomationScope[] = [];
  private automationsSignature = '[]';
  /** The automations the latest kustomize build made (validation/builtAutomations.ts). */
  private builds: AutomationBuilds | undefined;

  /**
   * Reads the automations as the latest kustomize build made them: at once when the workspace's files and folders
   * are given (true when the answer changed), else at the next `update`.
   */
  setBuilds(builds: AutomationBuilds | undefined, manifests?: ParsedManifest[], folders?: string[]): boolean {
    this.builds = builds;
    return manifests !== undefined && folders !== undefined && this.updateAutomations(manifests, folders);
  }

  /** The latest builds of the kustomize roots (all folders), which add the Kustomizations they produce. */
  private built: WorkspaceBuild | undefined;
  private builtGeneration = 0;

  /** Takes the builds into account at the next `update` (common/kustomize/reach.ts appliedFiles). */
  useBuild(built: WorkspaceBuild | undefined): void {
    if (built === this.built) return;
    this.built = built;
    this.builtGeneration++;
  }

  /** Recomputes from the workspace's files and folders (POSIX absolute); true when the answer changed. */
  update(manifests: ParsedManifest[], folders: string[]): boolean {
    const files: RootFile[] = [];
    const prefixes = folders.map((folder) => (folder.endsWith('/') ? folder : `${folder}/`));
    for (const manifest of manifests) {
      const path = uriPath(manifest.uri);
      // A file outside every folder is in no folder's reach: its text cannot change an answer.
      if (path !== undefined && prefixes.some((prefix) => path.startsWith(prefix))) {
        files.push({ path, text: readsText(path, manifest) ? textOf(manifest) : '' });
      }
    }
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const automationsChanged = this.updateAutomations(manifests, folders);
    const key = JSON.stringify([this.builtGeneration, folders, files.map((f) => [f.path, f.text])]);
    if (key === this.key) return automationsChanged;
    this.key = key;
    this.version++;
    this.byFolder = folders.map((folder) => {
      const prefix = folder.endsWith('/') ? folder : `${folder}/`;
      const built = this.built && { ...this.built, builds: this.built.builds.filter((b) => b.root.path.startsWith(prefix) || b.root.path === folder) };
      return { folder: prefix, applied: appliedFiles(files.filter((f) => f.path.startsWith(prefix)), folder, built) };
    });
    // A folder without Flux Kustomizations is applied whole, whatever its files: it changes nothing.
    const signature = JSON.stringify(this.byFolder.filter(({ applied }) => applied.kustomizations.length > 0)
      .map(({ folder, applied }) => [folder, [...applied.reached].sort()]));
    const changed = signature !== this.signature;
    this.signature = signature;
    return this.updateAutomations(manifests, folders) || changed || automationsChanged;
  }

  private updateAutomations(manifests: ParsedManifest[], folders: string[]): boolean {
    const automations = folders.flatMap((folder) => {
      const prefix = folder.endsWith('/') ? folder : `${folder}/`;
      const inFolder = manifests.filter((m) => uriPath(m.uri)?.startsWith(prefix));
      return automationScopes(inFolder, folder, (uri) => this.applies(uri), this.builds);
    });
    const signature = JSON.stringify(automations);
    if (signature === this.automationsSignature) return false;
    this.automationsSignature = signature;
    this.automations = automations;
    this.version++;
    return true;
  }

  /** Whether Flux applies the file `uri` names (a file outside every folder, or not `file:`, counts as applied). */
  applies(uri: string): boolean {
    const path = uriPath(uri);
    if (path === undefined) return true;
    const entry = this.byFolder.find((f) => path.startsWith(f.folder));
    return isApplied(entry?.applied, path);
  }
}
