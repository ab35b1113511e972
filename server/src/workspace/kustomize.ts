// The language server's kustomize roots: rebuilt off the editor's critical path (after the open file's own
// diagnostics are out), only for roots that read a changed file. One KustomizeBuilds per workspace folder, one
// kustomize module (worker thread) for all.
import { fileURLToPath } from 'node:url';
import { posix } from 'node:path';
import { fluxKustomizations, KUSTOMIZATION_FILE_NAMES, KustomizeBuilds, KustomizePool, modulePath, type RootFile, type WorkspaceBuild } from '../../../common/kustomize';
import { resolveSpecPath } from '../../../common/kustomize/roots';
import { readReferencedFiles } from '../../../common/kustomize/referenced';
import { DEFAULT_BUILD_TIMEOUT_MS } from '../../../common/kustomize/budget';
import type { ParsedManifest } from '../../../common/manifests';
import type { WorkspaceObjects } from '../../../common/model';
import type { DetectedFlux } from '../../../common/model';
import { validateBuilds, type BuiltValidation, type ManifestsByPath } from '../validation/built';
import { coverage, isListed, listedEntries, type Coverage } from './rootCoverage';

/** Rebuilds start this long after the last change, so a burst of edits builds once. */
const BUILD_DEBOUNCE_MS = 250;
/**
 * Longest that findings depending on roots wait for a build (from the start, or from the last build that
 * finished): the first one starts the WebAssembly module, seconds on a busy machine.
 */
const BUILD_WAIT_MS = 60_000;

/** A parsed file's text (documents keep their own text, `---` line included). */
function textOf(manifest: ParsedManifest): string {
  return manifest.documents.map((d) => d.chunk.text).join('');
}

/**
 * Folders whose files a root likely reads: those with a kustomization file, and those Flux Kustomizations name in
 * `spec.path` (resolved within the workspace folder, `limits`, that holds them). Only Flux Kustomization files are
 * read again, so this stays cheap on a big workspace.
 */
function rootFoldersOf(manifests: ParsedManifest[], limits: string[]): Set<string> {
  const out = new Set<string>();
  const folders = new Set<string>();
  const fluxFiles: RootFile[] = [];
  for (const manifest of manifests) {
    const path = pathOf(manifest.uri);
    if (!path) continue;
    for (let dir = posix.dirname(path); !folders.has(dir) && dir !== posix.dirname(dir); dir = posix.dirname(dir)) folders.add(dir);
    if (KUSTOMIZATION_FILE_NAMES.includes(posix.basename(path))) out.add(posix.dirname(path));
    if (manifest.documents.some((d) => d.chunk.kind === 'Kustomization' && d.chunk.apiVersion?.startsWith('kustomize.toolkit.fluxcd.io/'))) {
      fluxFiles.push({ path, text: textOf(manifest) });
    }
  }
  for (const flux of fluxKustomizations(fluxFiles)) {
    const limit = limits.find((l) => flux.file.startsWith(`${l}/`));
    const folder = limit && resolveSpecPath(flux, folders, limit);
    if (folder) out.add(folder);
  }
  return out;
}

function pathOf(uri: string): string | undefined {
  return uri.startsWith('file:') ? modulePath(fileURLToPath(uri)) : undefined;
}

export class KustomizeRoots {
  private readonly module = new KustomizePool();
  private timeoutMs = DEFAULT_BUILD_TIMEOUT_MS;
  private readonly builds = new Map<string, KustomizeBuilds>();
  private readonly sent = new Map<string, ParsedManifest>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  private again = false;
  private latest: BuiltValidation | undefined;
  /** The files the latest finished build was given, and the root folders of the workspace then. */
  private seen: { files: Set<string>; rootFolders: Set<string>; kustomizations: Map<string, ParsedManifest> } | undefined;
  /** What kustomization files changed since the latest build list (recomputed after a change). */
  private listed: Set<string> | undefined;
  /** A build is scheduled or running (see rootCoverage); the wait for it is bounded by BUILD_WAIT_MS. */
  private building = false;
  private waitTimer: NodeJS.Timeout | undefined;
  private waitExpired = false;
  /** The workspace folders (module paths) announced at start, before they are indexed. */
  private expected: string[] = [];
  /** Root folders of the workspace as indexed now (recomputed after a change). */
  private rootFolders: Set<string> | undefined;
  /** The roots and builds of the latest build (every folder). */
  workspace: WorkspaceBuild | undefined;
  /** The parsed files of the latest build, by module path. */
  manifestsByPath: ManifestsByPath = new Map();

  constructor(
    private readonly manifests: () => ParsedManifest[],
    /** After each build, and when what waits for one changes (the wait ran out, a build failed). */
    private readonly onBuilt: (result: BuiltValidation | undefined) => void,
    private readonly log: (message: string) => void,
    /** The Flux the workspace runs, which judges each built object's apiVersion. */
    private readonly flux: () => readonly DetectedFlux[] = () => [],
    /** The CPU time one build may use, in milliseconds (tagline.kustomize.buildTimeout). */
    private readonly buildTimeoutMs: () => number = () => DEFAULT_BUILD_TIMEOUT_MS,
  ) {}

  /** The latest result (undefined before the first build, or without the module). */
  get result(): BuiltValidation | undefined {
    return this.latest;
  }

  /**
   * How a file (URI) is validated (rootCoverage): as built objects when a root read it at the latest build; as
   * written less the findings roots can change while the build that will likely read it is under way; else as
   * written. While the workspace is being indexed, any Flux Kustomization not yet indexed may name any folder, so
   * every workspace folder counts as a root folder until the index is complete.
   */
  coverage(uri: string): Coverage {
    const path = pathOf(uri);
    if (path === undefined || !this.module.available()) return 'raw';
    const building = this.building && !this.waitExpired;
    const indexing = this.builds.size === 0;
    if (building && !indexing) this.rootFolders ??= rootFoldersOf(this.manifests(), [...this.builds.keys()]);
    return coverage(path, {
      isRootFolder: (folder) => (indexing ? this.expected.includes(folder) : this.rootFolders!.has(folder)),
      building,
      listedSince: (file) => building && !indexing && isListed(file, this.listed ??= this.newlyListed()),
      latest: this.latest && this.seen && { ...this.seen, read: this.latest.covered },
    });
  }

  /** The files and folders that kustomization files changed since the latest build list. */
  private newlyListed(): Set<string> {
    const out = new Set<string>();
    for (const manifest of this.manifests()) {
      const path = pathOf(manifest.uri);
      if (!path || !KUSTOMIZATION_FILE_NAMES.includes(posix.basename(path)) || this.seen?.kustomizations.get(path) === manifest) continue;
      for (const entry of listedEntries(path, manifest.documents[0]?.chunk.value)) out.add(entry);
    }
    return out;
  }

  /** Whether a root read the file (URI) at the latest build, so that only its built objects are validated. */
  covers(uri: string): boolean {
    return this.coverage(uri) === 'built';
  }

  /** The workspace folders (URIs) whose roots will be built once they are indexed (`setFolders`). */
  expectFolders(folderUris: string[]): void {
    this.expected = folderUris.map(pathOf).filter((p): p is string => p !== undefined);
    if (this.expected.length > 0 && this.module.available()) this.waitForBuild();
  }

  /** A build is due: findings that depend on roots wait for it, at most BUILD_WAIT_MS. */
  private waitForBuild(): void {
    if (this.building) return;
    this.building = true;
    this.waitExpired = false;
    this.startWaitTimer();
  }

  private startWaitTimer(): void {
    clearTimeout(this.waitTimer);
    this.waitTimer = setTimeout(() => {
      this.waitExpired = true;
      this.log(`tagline: no kustomize build within ${BUILD_WAIT_MS / 1000} s; files roots read are checked as written meanwhile`);
      this.onBuilt(this.latest);
    }, BUILD_WAIT_MS);
  }

  /** After a build (finished or failed): the wait ends, or starts again when another build is due. */
  private buildSettled(): void {
    this.building = this.again || this.timer !== undefined;
    this.waitExpired = false;
    if (this.building) this.startWaitTimer();
    else clearTimeout(this.waitTimer);
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

  /** The workspace folders (URIs), once indexed: their roots are built. */
  setFolders(folderUris: string[]): void {
    const wasIndexing = this.builds.size === 0;
    const wanted = new Set(folderUris.map(pathOf).filter((p): p is string => p !== undefined));
    for (const folder of [...this.builds.keys()]) if (!wanted.has(folder)) this.builds.delete(folder);
    for (const folder of wanted) if (!this.builds.has(folder)) this.builds.set(folder, new KustomizeBuilds(this.module, folder));
    this.schedule();
    // The index now says which folders roots read: files below none of them need not wait for the build.
    if (wasIndexing && this.builds.size > 0) this.onBuilt(this.latest);
  }

  /** Builds what changed, soon. `uri` is the file that changed: a kustomization file seen while the workspace is still being indexed starts the modules, so that their start overlaps the indexing. */
  schedule(uri?: string): void {
    this.rootFolders = undefined;
    this.listed = undefined;
    if (this.builds.size === 0 && uri && !this.starting && KUSTOMIZATION_FILE_NAMES.includes(posix.basename(uri)) && this.module.available()) {
      this.starting = this.module.start().catch((err: unknown) => this.log(`tagline: kustomize module did not start: ${err instanceof Error ? err.message : String(err)}`));
    }
    if (!this.module.available() || this.builds.size === 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, BUILD_DEBOUNCE_MS);
    this.waitForBuild();
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.waitTimer);
    this.module.dispose();
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.buildAll().catch((err: unknown) => {
      this.log(`tagline: kustomize build failed: ${err instanceof Error ? err.message : String(err)}`);
      this.buildSettled();
      this.onBuilt(this.latest);
    });
    await this.running;
    this.running = undefined;
    if (this.again) {
      this.again = false;
      void this.run();
    }
  }

  private async buildAll(): Promise<void> {
    const current = new Map<string, ParsedManifest>();
    // By path, not in the order indexing happened to finish: roots (and the labels of shared findings) keep one order.
    const manifests = [...this.manifests()].sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
    const rootFolders = rootFoldersOf(manifests, [...this.builds.keys()]);
    for (const manifest of manifests) {
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

    const timeoutMs = this.buildTimeoutMs();
    if (timeoutMs !== this.timeoutMs) {
      this.timeoutMs = timeoutMs;
      this.module.setTimeoutMs(timeoutMs);
      for (const builds of this.builds.values()) builds.retryUnfinished();
    }
    const merged: WorkspaceBuild = { builds: [], unresolved: [], dropped: [] };
    for (const [folder, builds] of this.builds) {
      const inFolder = Object.fromEntries(Object.entries({ ...changes, ...referenced }).filter(([path]) => path.startsWith(folder.endsWith('/') ? folder : `${folder}/`)));
      builds.setFiles(inFolder);
      const result = await builds.build();
      merged.builds.push(...result.builds);
      merged.unresolved.push(...result.unresolved);
      merged.dropped!.push(...(result.dropped ?? []));
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
    this.workspace = merged;
    this.seen = { files: new Set(current.keys()), rootFolders, kustomizations: new Map([...current].filter(([path]) => KUSTOMIZATION_FILE_NAMES.includes(posix.basename(path)))) };
    this.listed = undefined;
    this.manifestsByPath = byPath;
    this.buildSettled();
    this.onBuilt(this.latest);
  }
}
