// How a file is validated while kustomize roots build, so that the open file's own findings come at once and a
// base file does not flash errors its roots fix. A file a root read at the latest build is validated as built
// objects only. A file a root will likely read, but whose root has not yet built with it (the first build after
// start, a file just added, a Flux Kustomization whose spec.path just changed), is validated as written, less the
// findings a root can change; those wait for the build under way (bounded by the caller). Anything else is
// validated as written.

import { posix } from 'node:path';

/** How a file is validated now. */
export type Coverage =
  /** A root read it at the latest build: only its built objects are validated. */
  | 'built'
  /** A root will likely read it once the build under way finishes: findings that depend on roots wait for it. */
  | 'pending'
  /** No root reads it (or no build is under way): validated as written. */
  | 'raw';

/** What the workspace says of its roots now, and what the latest finished build saw. */
export interface RootsState {
  /**
   * Whether a root likely reads the files below `folder` (a POSIX path): the folder holds a kustomization file,
   * or a Flux Kustomization's `spec.path` names it.
   */
  isRootFolder(folder: string): boolean;
  /** A build is scheduled or running, and the wait for it has not run out. */
  building: boolean;
  /**
   * Whether a kustomization file changed since the latest build now lists the file at `path` or a folder above it
   * (`listedEntries`): its root reads it once the build under way finishes.
   */
  listedSince?(path: string): boolean;
  latest?: {
    /** The files the build was given. */
    files: ReadonlySet<string>;
    /** The root folders the workspace had when the build started. */
    rootFolders: ReadonlySet<string>;
    /** The files its roots read. */
    read: ReadonlySet<string>;
  };
}

/**
 * How the file at `path` (POSIX, absolute) is validated. A root folder is any folder above the file (its own
 * included), since kustomize reads resources in sub-folders and Flux's generated kustomization lists every file
 * below `spec.path`. Pending lasts only while a build is under way: once one has finished with the file and its
 * root folders, the answer is exact.
 */
export function coverage(path: string, roots: RootsState): Coverage {
  if (roots.latest?.read.has(path)) return 'built';
  if (!roots.building) return 'raw';
  if (roots.listedSince?.(path)) return 'pending';
  for (let folder = parentOf(path); folder !== undefined; folder = parentOf(folder)) {
    if (!roots.isRootFolder(folder)) continue;
    const { latest } = roots;
    if (!latest || !latest.files.has(path) || !latest.rootFolders.has(folder)) return 'pending';
  }
  return 'raw';
}

/**
 * The workspace files and folders (POSIX absolute) a kustomization file at `path` lists, `value` being its parsed
 * first document: local `resources`, `bases`, `components`, `crds` and the files of `patches`,
 * `patchesStrategicMerge` and `patchesJson6902` (sigs.k8s.io/kustomize/api types.Kustomization), resolved against
 * its folder. Remote entries (`https://…`, `github.com/…`) are left out.
 */
export function listedEntries(path: string, value: unknown): string[] {
  if (value === null || typeof value !== 'object') return [];
  const k = value as Record<string, unknown>;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((e): e is string => typeof e === 'string') : []);
  const paths = (v: unknown) => (Array.isArray(v) ? v.map((e) => (e !== null && typeof e === 'object' ? (e as { path?: unknown }).path : undefined)).filter((p): p is string => typeof p === 'string') : []);
  const entries = [...strings(k.resources), ...strings(k.bases), ...strings(k.components), ...strings(k.crds), ...strings(k.patchesStrategicMerge), ...paths(k.patches), ...paths(k.patchesJson6902)];
  const folder = path.slice(0, path.lastIndexOf('/')) || '/';
  return entries.filter((e) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(e) && !e.startsWith('git@') && !/^[a-z0-9.-]+\.[a-z]{2,}\//i.test(e))
    .map((e) => posix.join(folder, e));
}

/** Whether `path` is one of `listed` or below one of them. */
export function isListed(path: string, listed: ReadonlySet<string>): boolean {
  for (let at: string | undefined = path; at !== undefined; at = parentOf(at)) if (listed.has(at)) return true;
  return false;
}

function parentOf(path: string): string | undefined {
  const at = path.lastIndexOf('/');
  if (at <= 0) return path === '/' || at < 0 ? undefined : '/';
  return path.slice(0, at);
}

/**
 * Findings a root can change by what it adds, withheld while a file is pending: a required field a patch sets
 * (and the CRD's CEL rules, which test whether fields are set), and every reference, which is resolved in the
 * document's namespace (kustomize's `namespace:`, Flux's `targetNamespace`) against objects the roots build
 * (a Secret from a `secretGenerator`, an ImagePolicy and its `accessFrom`). Everything else is about what the file
 * itself says, which a build keeps: YAML syntax, values of fields present in the file (a duration, a regular
 * expression, an image reference), unknown fields, the apiVersion verdict, the markers' own syntax.
 */
const ROOT_DEPENDENT_CODES = new Set([
  'schema.required',
  'schema.cel',
  'secretRef.notFound',
  'secretRef.wrongType',
  'certSecretRef.notFound',
  'certSecretRef.missingKeys',
  'certSecretRef.deprecatedKeys',
  'proxySecretRef.notFound',
  'proxySecretRef.missingKeys',
  'serviceAccountName.notFound',
  'serviceAccountName.pullSecretNotFound',
  'imageRepositoryRef.notFound',
  'imageRepositoryRef.accessDenied',
  'marker.policyNotFound',
]);

/**
 * Whether a finding depends on what the roots add: by its `code` (ROOT_DEPENDENT_CODES), or because the text it
 * covers holds a Flux variable (`${registry}`, `${tag:=latest}`) that a Flux Kustomization's post-build
 * substitution replaces (kustomize-controller, fluxcd/pkg kustomize `SubstituteVariables`).
 */
export function dependsOnRoots(code: string, text: string): boolean {
  return ROOT_DEPENDENT_CODES.has(code) || text.includes('${');
}
