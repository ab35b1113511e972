/**
 * Which roots Flux builds from a workspace: each Flux `Kustomization` (kustomize.toolkit.fluxcd.io) whose
 * `spec.path` is a folder of the workspace, and each folder with a kustomization file that no other
 * kustomization includes. Pure: files in, roots out.
 */
import { posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isRecord } from '../manifests/objects';
import { hostText } from './paths';
import type { AppliedObject } from './applied';
import { foreignSources } from './sources';

/** kustomize's konfig.RecognizedKustomizationFileNames, in its order. */
export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** A workspace file as the kustomize module sees it: a POSIX absolute path and its text. */
export interface RootFile { path: string; text: string }

export interface FluxKustomization {
  name: string;
  namespace: string;
  object: Record<string, unknown>;
  /** File and document index the Kustomization was read from (for a built one: the file its origin names). */
  file: string;
  documentIndex: number;
  /** For a built one: the label of the root whose build produced it. */
  builtBy?: string;
}

export interface Root {
  /** Stable key: the Flux Kustomization (`flux-system/apps`) or the folder of a kustomization file. */
  id: string;
  /** How diagnostics name it: `Kustomization flux-system/apps in clusters/prod/apps.yaml` or `kustomization infrastructure/base`. */
  label: string;
  /** Folder built (POSIX, absolute). */
  path: string;
  flux?: FluxKustomization;
  /** For a Flux Kustomization that is itself a built object: the root whose build produced it (builtRoots.ts). */
  builtBy?: Root;
  /** That object as built, with the files it came from (its origin and transformer annotations). */
  built?: AppliedObject;
}

export function isFluxKustomization(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && value.kind === 'Kustomization' && typeof value.apiVersion === 'string'
    && value.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/');
}

function kustomizationFileOf(name: string): boolean {
  return KUSTOMIZATION_FILE_NAMES.includes(name);
}

function documentsOf(text: string): unknown[] {
  try {
    return parseAllDocuments(text, { prettyErrors: false }).map((d) => (d.errors.length ? undefined : d.toJS({ maxAliasCount: 100 })));
  } catch {
    return [];
  }
}

/** Flux Kustomizations declared in the files. */
export function fluxKustomizations(files: RootFile[]): FluxKustomization[] {
  const out: FluxKustomization[] = [];
  for (const file of files) {
    if (!file.text.includes('kustomize.toolkit.fluxcd.io/')) continue;
    documentsOf(file.text).forEach((value, documentIndex) => {
      if (!isFluxKustomization(value) || !isRecord(value.metadata) || typeof value.metadata.name !== 'string') return;
      const namespace = typeof value.metadata.namespace === 'string' && value.metadata.namespace ? value.metadata.namespace : 'default';
      out.push({ name: value.metadata.name, namespace, object: value, file: file.path, documentIndex });
    });
  }
  return out;
}

/**
 * The folder `spec.path` names. Flux resolves it against the root of its source; the workspace may hold the
 * repository anywhere, so the nearest folder above the Kustomization's file (itself included) where the path
 * exists wins, as for `clusters/prod/apps.yaml` with `path: ./apps` at the repository's top.
 */
export function resolveSpecPath(kustomization: FluxKustomization, folders: Set<string>, limit: string): string | undefined {
  const spec = isRecord(kustomization.object.spec) ? kustomization.object.spec : {};
  // Flux joins the path to the source's root with securejoin.SecureJoin (kustomize-controller
  // kustomization_controller.go, build): `..` cannot leave the root, so `../components/x` is `components/x`.
  const relative = posix.normalize(`/${typeof spec.path === 'string' ? spec.path : ''}`).slice(1) || './';
  // `./` (Flux's default) is the source's root: the workspace folder, not the folder of the file that says it.
  if (relative === './') return limit;
  for (let dir = posix.dirname(kustomization.file); ; dir = posix.dirname(dir)) {
    const candidate = posix.join(dir, relative).replace(/(.)\/+$/, '$1');
    if (folders.has(candidate) && candidate.startsWith(dir)) return candidate;
    if (dir === limit || dir === posix.dirname(dir) || !dir.startsWith(limit)) return undefined;
  }
}

/** Every folder holding a file, and the folders above them (POSIX absolute). */
export function folderSet(files: RootFile[]): Set<string> {
  const folders = new Set<string>();
  for (const file of files) {
    for (let dir = posix.dirname(file.path); !folders.has(dir); dir = posix.dirname(dir)) {
      folders.add(dir);
      if (dir === posix.dirname(dir)) break;
    }
  }
  return folders;
}

/** Folders a kustomization file includes as resources or components (local entries only). */
function includedFolders(file: RootFile, folders: Set<string>): string[] {
  const [value] = documentsOf(file.text);
  if (!isRecord(value)) return [];
  const dir = posix.dirname(file.path);
  const entries = [value.resources, value.bases, value.components].flatMap((list) => (Array.isArray(list) ? list : []));
  return entries.filter((e): e is string => typeof e === 'string').map((e) => posix.join(dir, e)).filter((p) => folders.has(p));
}

/**
 * The roots of a workspace folder (`limit`, POSIX absolute). Flux Kustomizations come first (those whose source
 * is another repository left out: foreignSources), then the top kustomization folders that no Flux Kustomization
 * builds and no other kustomization includes.
 */
export function findRoots(files: RootFile[], limit: string): { roots: Root[]; unresolved: FluxKustomization[] } {
  const folders = folderSet(files);
  const roots: Root[] = [];
  const unresolved: FluxKustomization[] = [];
  const built = new Set<string>();
  const kustomizations = fluxKustomizations(files);
  const foreign = foreignSources(files, kustomizations, (k) => resolveSpecPath(k, folders, limit));
  for (const flux of kustomizations) {
    if (foreign(flux)) continue;
    const path = resolveSpecPath(flux, folders, limit);
    if (!path) {
      unresolved.push(flux);
      continue;
    }
    built.add(path);
    const where = posix.relative(limit, flux.file) || flux.file;
    roots.push({ id: `${flux.namespace}/${flux.name}@${flux.file}#${flux.documentIndex}`, label: `Kustomization ${flux.namespace}/${flux.name} in ${hostText(where)}`, path, flux });
  }
  const kustomizationFiles = files.filter((f) => kustomizationFileOf(posix.basename(f.path)));
  const included = new Set(kustomizationFiles.flatMap((f) => includedFolders(f, folders)));
  for (const file of kustomizationFiles) {
    const dir = posix.dirname(file.path);
    if (included.has(dir) || built.has(dir)) continue;
    const [value] = documentsOf(file.text);
    if (isRecord(value) && value.kind === 'Component') continue;
    roots.push({ id: dir, label: `kustomization ${hostText(posix.relative(limit, dir)) || '.'}`, path: dir });
  }
  return { roots, unresolved };
}
