// The language server's kustomize roots: rebuilt off the editor's critical path (after the open file's own
// diagnostics are out), only for roots that read a changed file. One KustomizeBuilds per workspace folder, one
// kustomize module (worker thread) for all.
import { fileURLToPath } from 'node:url';
import { posix } from 'node:path';
import { findRoots, KUSTOMIZATION_FILE_NAMES, KustomizeBuilds, KustomizePool, modulePath, type RootFile, type WorkspaceBuild } from '../../../common/kustomize';
import { readReferencedFiles } from '../../../common/kustomize/referenced';
import type { ParsedManifest } from '../../../common/manifests';
import type { WorkspaceObjects } from '../../../common/model';
import type { DetectedFlux } from '../../../common/model';
import { validateBuilds, type BuiltValidation, type ManifestsByPath } from '../validation/built';

/** Rebuilds start this long after the last change, so a burst of edits builds once. */
const BUILD_DEBOUNCE_MS = 250;

/** A parsed file's text (documents keep their own text, `---` line included). */
function textOf(manifest: ParsedManifest): string {
  return manifest.documents.map((d) => d.chunk.text).join('');
}

/** Folders with a kustomization file, and the folders Flux Kustomizations name in `spec.path`. */
function pendingRootFolders(manifests: ParsedManifest[], limits: string[]): Set<string> {
  const files: RootFile[] = [];
  for (const manifest of manifests) {
    const path = pathOf(manifest.uri);
    if (path) files.push({ path, text: textOf(manifest) });
  }
  const folders = new Set<string>();
  for (const limit of limits) {
    const inside = files.filter((f) => f.path.startsWith(`${limit}/`));
    for (const { path } of findRoots(inside, limit).roots) folders.add(path);
  }
  for (const { path } of files) if (KUSTOMIZATION_FILE_NAMES.includes(posix.basename(path))) folders.add(posix.dirname(path));
  return folders;
}

function pathOf(uri: string): string | undefined {
  return uri.startsWith('file:') ? modulePath(fileURLToPath(uri)) : undefined;
}

export class KustomizeRoots {
  private readonly module = new KustomizePool();
  private readonly builds = new Map<string, KustomizeBuilds>();
  private readonly sent = new Map<string, ParsedManifest>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private latest: BuiltValidation | undefined;
  private pending: string[] = [];
  /** Before the first build: folders that roots will read (see covers). */
  private pendingRoots: Set<string> | undefined;
  /** The parsed files of the latest build, by module path. */
  manifestsByPath: ManifestsByPath = new Map();

  constructor(
    private readonly manifests: () => ParsedManifest[],
    private readonly onBuilt: (result: BuiltValidation) => void,
    private readonly log: (message: string) => void,
    /** The Flux the workspace runs, which judges each built object's apiVersion. */
    private readonly flux: () => readonly DetectedFlux[] = () => [],
  ) {}

  /** The latest result (undefined before the first build, or without the module). */
  get result(): BuiltValidation | undefined {
    return this.latest;
  }

  /**
   * Whether a file (URI) is read by a root, and so validated only as built objects. Before a root's first build has
   * finished, a file it may read is taken as read, so that it does not flash errors that the root's patches fix:
   * while the workspace is being indexed, every file of a workspace folder; then a file below a folder with a
   * kustomization file or below a Flux Kustomization's `spec.path`.
   */
  covers(uri: string): boolean {
    const path = pathOf(uri);
    if (path === undefined || !this.module.available()) return false;
    if (this.latest) return this.latest.covered.has(path);
    if (this.builds.size === 0) return this.pending.some((folder) => path.startsWith(`${folder}/`));
    this.pendingRoots ??= pendingRootFolders(this.manifests(), [...this.builds.keys()]);
    for (let dir = posix.dirname(path); ; dir = posix.dirname(dir)) {
      if (this.pendingRoots.has(dir)) return true;
      if (dir === posix.dirname(dir)) return false;
    }
  }

  /** The workspace folders (URIs) whose roots will be built once they are indexed (`setFolders`). */
  expectFolders(folderUris: string[]): void {
    this.pending = folderUris.map(pathOf).filter((p): p is string => p !== undefined);
  }

  /**
   * The objects Flux applies: the built ones in place of the documents of files roots read (`indexed` is the
   * workspace as written).
   */
  objects(indexed: WorkspaceObjects): WorkspaceObjects {
    const built = this.latest;
    if (!built) return indexed;
    const standalone = <T extends { source?: { uri: string } }>(list: T[]) => list.filter((o) => !o.source || !this.covers(o.source.uri));
    const skipped = [...standalone(indexed.skipped ?? []), ...(built.objects.skipped ?? [])];
    return {
      ...indexed,
      ...(skipped.length > 0 ? { skipped } : { skipped: undefined }),
      imagePolicies: [...standalone(indexed.imagePolicies ?? []), ...(built.objects.imagePolicies ?? [])],
      namespaces: [...standalone(indexed.namespaces ?? []), ...(built.objects.namespaces ?? [])],
      imageRepositories: [...standalone(indexed.imageRepositories), ...built.objects.imageRepositories],
      secrets: [...standalone(indexed.secrets), ...built.objects.secrets],
      serviceAccounts: [...standalone(indexed.serviceAccounts), ...built.objects.serviceAccounts],
    };
  }

  /** The namespaces the roots apply document `index` of `uri` to (empty when no root builds it). */
  appliedNamespaces(uri: string, index: number): string[] {
    const namespaces = new Set<string>();
    for (const built of this.latest?.documents ?? []) {
      if (built.base?.uri === uri && built.base.index === index) namespaces.add(built.applied.namespace ?? 'default');
    }
    return [...namespaces];
  }

  setFolders(folderUris: string[]): void {
    const wanted = new Set(folderUris.map(pathOf).filter((p): p is string => p !== undefined));
    for (const folder of [...this.builds.keys()]) if (!wanted.has(folder)) this.builds.delete(folder);
    for (const folder of wanted) if (!this.builds.has(folder)) this.builds.set(folder, new KustomizeBuilds(this.module, folder));
    this.schedule();
  }

  schedule(): void {
    this.pendingRoots = undefined;
    if (!this.module.available() || this.builds.size === 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), BUILD_DEBOUNCE_MS);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.module.dispose();
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.buildAll().catch((err: unknown) => this.log(`tagline: kustomize build failed: ${err instanceof Error ? err.message : String(err)}`));
    await this.running;
    this.running = undefined;
    if (this.again) {
      this.again = false;
      void this.run();
    }
  }

  private async buildAll(): Promise<void> {
    const current = new Map<string, ParsedManifest>();
    for (const manifest of this.manifests()) {
      const path = pathOf(manifest.uri);
      if (path) current.set(path, manifest);
    }
    const changes: Record<string, string | null> = {};
    for (const [path, manifest] of current) if (this.sent.get(path) !== manifest) changes[path] = textOf(manifest);
    for (const path of this.sent.keys()) if (!current.has(path)) changes[path] = null;
    this.sent.clear();
    for (const [path, manifest] of current) this.sent.set(path, manifest);

    const folders = [...this.builds.keys()].map((folder) => (folder.endsWith('/') ? folder : `${folder}/`));
    const referenced = await readReferencedFiles([...current.values()].map((m) => ({ path: fileURLToPath(m.uri), text: textOf(m) })),
      (path) => folders.some((folder) => path.startsWith(folder)));

    const merged: WorkspaceBuild = { builds: [], unresolved: [] };
    for (const [folder, builds] of this.builds) {
      const inFolder = Object.fromEntries(Object.entries({ ...changes, ...referenced }).filter(([path]) => path.startsWith(folder.endsWith('/') ? folder : `${folder}/`)));
      builds.setFiles(inFolder);
      const result = await builds.build();
      merged.builds.push(...result.builds);
      merged.unresolved.push(...result.unresolved);
    }
    const byPath: ManifestsByPath = current;
    const covered = new Set(merged.builds.flatMap((b) => b.response.read));
    const raw: WorkspaceObjects = { imageRepositories: [], secrets: [], serviceAccounts: [], imagePolicies: [], namespaces: [] };
    for (const [path, manifest] of current) {
      if (covered.has(path)) continue;
      raw.imageRepositories.push(...manifest.objects.imageRepositories);
      raw.imagePolicies!.push(...(manifest.objects.imagePolicies ?? []));
      raw.namespaces!.push(...(manifest.objects.namespaces ?? []));
      raw.secrets.push(...manifest.objects.secrets);
      raw.serviceAccounts.push(...manifest.objects.serviceAccounts);
    }
    this.latest = validateBuilds(merged, byPath, raw, this.flux());
    this.manifestsByPath = byPath;
    this.onBuilt(this.latest);
  }
}
