/**
 * Which Flux Kustomizations build from this repository. kustomize-controller resolves `spec.path` inside the
 * artifact of `spec.sourceRef`; when that source is another repository (a GitRepository or OCIRepository this
 * repository declares for a tenant or a vendor's manifests, another branch of it) or an ExternalArtifact (an
 * ArtifactGenerator's output, whose root is a sub-folder of its sources), the folder `spec.path` names is not a
 * folder of this workspace, and building it here would build other files. Pure: files in, a predicate out.
 */
import { posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isRecord } from '../manifests/objects';
import type { FluxKustomization, RootFile } from './roots';

/** A source object declared in the workspace (source.toolkit.fluxcd.io). */
interface DeclaredSource {
  kind: string;
  file: string;
  /** `spec.url` and `spec.ref`, which say which repository and revision it is. */
  identity: string;
}

function sourceKey(kind: unknown, namespace: unknown, name: unknown): string {
  return `${String(kind)}/${String(namespace)}/${String(name)}`;
}

function declaredSources(files: RootFile[]): Map<string, DeclaredSource> {
  const out = new Map<string, DeclaredSource>();
  for (const file of files) {
    if (!file.text.includes('source.toolkit.fluxcd.io/')) continue;
    let documents: unknown[];
    try {
      documents = parseAllDocuments(file.text, { prettyErrors: false }).map((d) => (d.errors.length ? undefined : d.toJS({ maxAliasCount: 100 })));
    } catch {
      continue;
    }
    for (const value of documents) {
      if (!isRecord(value) || typeof value.apiVersion !== 'string' || !value.apiVersion.startsWith('source.toolkit.fluxcd.io/')) continue;
      if (!isRecord(value.metadata) || typeof value.metadata.name !== 'string') continue;
      const spec = isRecord(value.spec) ? value.spec : {};
      const namespace = typeof value.metadata.namespace === 'string' && value.metadata.namespace ? value.metadata.namespace : 'default';
      out.set(sourceKey(value.kind, namespace, value.metadata.name), { kind: String(value.kind), file: file.path, identity: JSON.stringify([spec.url, spec.ref ?? null]) });
    }
  }
  return out;
}

function sourceRefKey(kustomization: FluxKustomization): { kind: unknown; key: string } | undefined {
  const spec = isRecord(kustomization.object.spec) ? kustomization.object.spec : {};
  const ref = isRecord(spec.sourceRef) ? spec.sourceRef : undefined;
  if (!ref) return undefined;
  const namespace = typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : kustomization.namespace;
  return { kind: ref.kind, key: sourceKey(ref.kind, namespace, ref.name) };
}

/**
 * A predicate telling whether a Flux Kustomization's source is another repository, given every Kustomization
 * and where each resolves (`resolve`, as resolveSpecPath). Its source is this repository when `sourceRef` names
 * a source not declared in the workspace (the bootstrap GitRepository of a repository whose `gotk-sync.yaml` is not
 * committed), or a declared source that a Kustomization declared in the same file applies itself (`flux
 * bootstrap`'s `flux-system` GitRepository, with `path` naming a folder above its own `gotk-sync.yaml`), or one
 * with the same `url` and `ref`, or, when no bootstrap source is committed, a GitRepository declared in a file of
 * its own (`tracker-git-repo.yaml`).
 * An `ExternalArtifact`, a declared OCIRepository or Bucket, another declared GitRepository, and a GitRepository
 * declared beside the Kustomization that uses it with the default path (a tenant's `sync.yaml`) are another
 * repository, and a Kustomization without `sourceRef`
 * (a partial object a patch merges, e.g. `healthChecks`, or a per-environment `path`) builds nothing.
 */
export function foreignSources(
  files: RootFile[], kustomizations: FluxKustomization[], resolve: (kustomization: FluxKustomization) => string | undefined,
): (kustomization: FluxKustomization) => boolean {
  const declared = declaredSources(files);
  const self = new Set<string>();
  for (const kustomization of kustomizations) {
    const ref = sourceRefKey(kustomization);
    const source = ref && declared.get(ref.key);
    if (!ref || !source) continue;
    // The bootstrap pattern: the Kustomization is declared beside its source and applies the folder holding both.
    // A folder named explicitly, or `flux bootstrap`'s own gotk-sync.yaml: `./` of another branch or artifact
    // contains every file of this workspace by accident.
    if (kustomization.file !== source.file) continue;
    const spec = isRecord(kustomization.object.spec) ? kustomization.object.spec : {};
    const explicit = typeof spec.path === 'string' && posix.normalize(`/${spec.path}`) !== '/';
    if (!explicit && posix.basename(source.file) !== 'gotk-sync.yaml') continue;
    const path = resolve(kustomization);
    if (path !== undefined && source.file.startsWith(path === '/' ? path : `${path}/`)) self.add(source.identity);
  }
  return (kustomization) => {
    const ref = sourceRefKey(kustomization);
    // No sourceRef, which the CRD requires: a partial object that a patch merges into a Kustomization applied
    // elsewhere (a patch adding healthChecks; hmcts/sds-flux-config's per-environment `kustomize.yaml`, which sets
    // `path` and `postBuild` of the Kustomization its base declares). Flux never applies it as it is written.
    if (!ref) return true;
    if (ref.kind === 'ExternalArtifact') return true;
    const source = declared.get(ref.key);
    if (source === undefined || self.has(source.identity)) return false;
    // An OCIRepository or Bucket that is not the bootstrap source, or a GitRepository other than a bootstrap one
    // committed here (another URL or branch).
    if (source.kind !== 'GitRepository' || self.size > 0) return true;
    // No bootstrap source committed: a GitRepository declared beside the Kustomization that uses it, with the
    // default path (a tenant's sync.yaml), is the tenant's repository; one declared on its own may be this one.
    const spec = isRecord(kustomization.object.spec) ? kustomization.object.spec : {};
    return source.file === kustomization.file && posix.normalize(`/${typeof spec.path === 'string' ? spec.path : ''}`) === '/';
  };
}
