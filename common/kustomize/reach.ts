/**
 * Which workspace files Flux applies. When the workspace holds Flux `Kustomization`s, a file is applied only when
 * one of them reaches it: through the folder its `spec.path` names (with the kustomization file there, or the one
 * kustomize-controller generates when there is none), that kustomization's `resources`, `bases`, `components`,
 * `crds` and patch files, and `spec.components`. Anything else (end-to-end test assertions, committed `helm
 * template` output, examples) is never applied by Flux. A workspace without any Flux Kustomization is applied
 * whole, as today: nothing says how it reaches a cluster.
 *
 * Pure: files in, files out. Every Flux Kustomization of the workspace counts, reached or not (the top one is
 * applied by `flux bootstrap`, not by another Kustomization), and so does the file declaring it. `.sourceignore` and `spec.ignore` are not read.
 */
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { WorkspaceObjects } from '../model';
import { isRecord } from '../manifests/objects';
import { modulePath } from './paths';
import { foreignSources } from './sources';
import { fluxKustomizations, KUSTOMIZATION_FILE_NAMES, resolveSpecPath, type FluxKustomization, type RootFile } from './roots';
import type { WorkspaceBuild } from './builtRoots';

export interface AppliedFiles {
  /** The Flux Kustomizations found (none: every file is applied). */
  kustomizations: FluxKustomization[];
  /** Files (POSIX absolute) some Flux Kustomization reaches. */
  reached: Set<string>;
}

/** The message of the one information a not-applied file with problems gets. */
export const NOT_APPLIED_MESSAGE = 'not applied by any Flux Kustomization in this workspace';

/** Whether Flux applies `path` (POSIX absolute); `applied` undefined means nothing is known, so yes. */
export function isApplied(applied: AppliedFiles | undefined, path: string): boolean {
  return !applied || applied.kustomizations.length === 0 || applied.reached.has(path);
}

/** Parsed kustomization files by text: an edit elsewhere recomputes reach without parsing them again. */
const parsed = new Map<string, unknown>();
const MAX_PARSED = 10_000;

function firstDocument(text: string): unknown {
  if (parsed.has(text)) return parsed.get(text);
  let value: unknown;
  try {
    const [document] = parseAllDocuments(text, { prettyErrors: false });
    value = document && document.errors.length === 0 ? document.toJS({ maxAliasCount: 100 }) : undefined;
  } catch {
    value = undefined;
  }
  if (parsed.size >= MAX_PARSED) parsed.clear();
  parsed.set(text, value);
  return value;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Paths of a kustomization's `patches`, `patchesJson6902` and `replacements` entries that name a file. */
function entryPaths(value: unknown): string[] {
  return Array.isArray(value) ? value.filter(isRecord).map((e) => e.path).filter((p): p is string => typeof p === 'string') : [];
}

/** A remote resource (`github.com/…`, `https://…`, `git@…`) is not a workspace file. */
function isLocal(entry: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) && !entry.startsWith('git@') && !/^[a-z0-9.-]+\.[a-z]{2,}\//i.test(entry);
}

/**
 * The files each Flux Kustomization reaches. `files` are the workspace's files (POSIX absolute) with their text
 * (only Flux Kustomizations' and kustomization files' texts are read); `limit` is the workspace folder.
 * Follows kustomize-controller's build: fluxcd/pkg/kustomize kustomize_generator.go
 * (`findOrGenerateKustomization`, `scanManifests`: without a kustomization file every `.yaml`/`.yml` file below the
 * path is a resource, and a sub-folder with a kustomization file is one resource, not descended into) and
 * sigs.k8s.io/kustomize/api (a folder resource must hold a kustomization file). With `built` (the workspace's
 * builds, builtRoots.ts), the Kustomizations those builds produced reach their folders and the files their builds
 * read, and written ones Flux never applies as written (`dropped`) reach nothing: so in hmcts/sds-flux-config, whose
 * applied Kustomizations exist only as built objects, a folder no cluster applies is told from one a cluster does.
 */
export function appliedFiles(files: RootFile[], limit: string, built?: WorkspaceBuild): AppliedFiles {
  // With the builds (builtRoots.ts), also the Kustomizations they produced, and not those Flux never applies as
  // written (a patch's partial object, one applied only in another form).
  const dropped = new Set((built?.dropped ?? []).map((k) => `${k.file}#${k.documentIndex}`));
  const builtRoots = (built?.builds ?? []).filter((b) => b.root.flux && b.root.builtBy);
  const kustomizations = [
    ...fluxKustomizations(files).filter((k) => !dropped.has(`${k.file}#${k.documentIndex}`)),
    ...builtRoots.map((b) => b.root.flux!),
  ];
  const reached = new Set<string>();
  if (kustomizations.length === 0) return { kustomizations, reached };
  const byPath = new Map(files.map((f) => [f.path, f]));
  const folders = new Set<string>();
  for (const file of files) {
    for (let dir = posix.dirname(file.path); !folders.has(dir); dir = posix.dirname(dir)) {
      folders.add(dir);
      if (dir === posix.dirname(dir)) break;
    }
  }
  const kustomizationFileIn = (dir: string): RootFile | undefined =>
    KUSTOMIZATION_FILE_NAMES.map((name) => byPath.get(posix.join(dir, name))).find((f) => f !== undefined);
  const visited = new Set<string>();

  const visitKustomization = (dir: string): void => {
    if (visited.has(dir)) return;
    visited.add(dir);
    const file = kustomizationFileIn(dir);
    if (!file) return;
    reached.add(file.path);
    const value = firstDocument(file.text);
    if (!isRecord(value)) return;
    const patchFiles = [
      ...strings(value.patchesStrategicMerge).filter((p) => !p.includes('\n')),
      ...entryPaths(value.patches), ...entryPaths(value.patchesJson6902), ...entryPaths(value.replacements),
    ];
    for (const entry of [...strings(value.resources), ...strings(value.bases), ...strings(value.components), ...strings(value.crds), ...patchFiles]) {
      if (!isLocal(entry)) continue;
      const path = posix.join(dir, entry);
      if (byPath.has(path)) reached.add(path);
      else if (folders.has(path)) visitKustomization(path);
    }
  };

  const visitRoot = (dir: string): void => {
    if (kustomizationFileIn(dir)) {
      visitKustomization(dir);
      return;
    }
    if (visited.has(dir)) return;
    visited.add(dir);
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    for (const file of files) {
      if (!file.path.startsWith(prefix) || !/\.ya?ml$/.test(file.path)) continue;
      let nested: string | undefined;
      for (let sub = posix.dirname(file.path); sub !== dir && sub.startsWith(prefix); sub = posix.dirname(sub)) {
        if (kustomizationFileIn(sub)) nested = sub;
      }
      if (nested) visitKustomization(nested);
      else reached.add(file.path);
    }
  };

  const written = kustomizations.filter((k) => k.builtBy === undefined);
  const foreign = foreignSources(files, written, (k) => resolveSpecPath(k, folders, limit));
  for (const { root, response } of built?.builds ?? []) {
    if (!root.flux) continue;
    // What a Flux root's build read, and what kustomize-controller reads without building (a build that failed).
    for (const file of response.read) reached.add(file);
    if (!root.builtBy) continue;
    reached.add(root.flux.file);
    visitRoot(root.path);
    const spec = isRecord(root.flux.object.spec) ? root.flux.object.spec : {};
    for (const component of strings(spec.components)) if (isLocal(component)) visitKustomization(posix.join(root.path, component));
  }
  for (const kustomization of written) {
    // Every Flux Kustomization counts (see above), so the file declaring it is applied too: findings of its build
    // land there when its own patches set them.
    reached.add(kustomization.file);
    const path = foreign(kustomization) ? undefined : resolveSpecPath(kustomization, folders, limit);
    if (!path) continue;
    visitRoot(path);
    const spec = isRecord(kustomization.object.spec) ? kustomization.object.spec : {};
    for (const component of strings(spec.components)) if (isLocal(component)) visitKustomization(posix.join(path, component));
  }
  return { kustomizations, reached };
}

/** The module path of a `file:` URI; undefined for other URIs (built objects Flux generates). */
export function uriPath(uri: string): string | undefined {
  return uri.startsWith('file:') ? modulePath(fileURLToPath(uri)) : undefined;
}

/** Whether Flux applies the file a `file:` URI names (other URIs: objects built by a root, so yes). */
export function isAppliedUri(applied: AppliedFiles | undefined, uri: string): boolean {
  const path = uriPath(uri);
  return path === undefined || isApplied(applied, path);
}

/**
 * The objects Flux reconciles: those whose file `applies` says Flux does not apply taken out (`applies` gets the
 * object's source URI; objects without one stay).
 */
export function appliedObjectsOnly(objects: WorkspaceObjects, applies: (uri: string) => boolean): WorkspaceObjects {
  // Asked once per file, not per object: a file holds many objects, and each answer parses its URI.
  const answers = new Map<string, boolean>();
  const appliedUri = (uri: string): boolean => {
    let answer = answers.get(uri);
    if (answer === undefined) answers.set(uri, (answer = applies(uri)));
    return answer;
  };
  const keep = <T extends { source?: { uri: string } }>(list: T[]): T[] => list.filter((o) => !o.source || appliedUri(o.source.uri));
  const skipped = keep(objects.skipped ?? []);
  return {
    ...objects,
    imageRepositories: keep(objects.imageRepositories),
    secrets: keep(objects.secrets),
    serviceAccounts: keep(objects.serviceAccounts),
    ...(objects.imagePolicies ? { imagePolicies: keep(objects.imagePolicies) } : {}),
    ...(objects.namespaces ? { namespaces: keep(objects.namespaces) } : {}),
    ...(skipped.length > 0 ? { skipped } : { skipped: undefined }),
  };
}
