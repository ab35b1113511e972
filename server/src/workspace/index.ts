// Every manifest of the workspace: files on disk (kept current by file-watch events) overlaid by open editors.
// Cross-document checks, completion of Secret/ServiceAccount/image names and the extension host's reconciler
// all read from here.
import type { DetectedFlux } from '../../../common/flux/fluxVersion';
import { detectFluxVersions, mergeObjects, type ParsedManifest } from '../../../common/manifests';
import type { WorkspaceObjects } from '../../../common/model';
import { ObjectIndex } from '../validation';

/**
 * `references`: a Secret or ServiceAccount changed, which any document may refer to. `policyReferences`: an
 * ImageRepository's name or accessFrom, a Namespace's labels or an ImagePolicy's name changed, which only
 * ImagePolicies and image-update markers refer to.
 */
export interface IndexChange { references: boolean; policyReferences: boolean; uri: string }

export class WorkspaceIndex {
  private readonly onDisk = new Map<string, ParsedManifest>();
  private readonly open = new Map<string, ParsedManifest>();
  private objectsCache: WorkspaceObjects | undefined;
  private referencesCache: ObjectIndex | undefined;
  private imageNamesCache: string[] | undefined;
  private fluxCache: { setting: string | undefined; found: DetectedFlux[]; settingError?: string; json: string; stale: boolean } | undefined;
  private referenceSignature = new Map<string, string>();
  private policyReferenceSignature = new Map<string, string>();
  private readonly listeners: ((change: IndexChange) => void)[] = [];

  onDidChange(listener: (change: IndexChange) => void): void {
    this.listeners.push(listener);
  }

  setDisk(uri: string, manifest: ParsedManifest | undefined): void {
    if (manifest) this.onDisk.set(uri, manifest);
    else this.onDisk.delete(uri);
    if (!this.open.has(uri)) this.changed(uri);
  }

  setOpen(uri: string, manifest: ParsedManifest | undefined): void {
    if (manifest) {
      if (this.open.get(uri) === manifest) return;
      this.open.set(uri, manifest);
    } else if (!this.open.delete(uri)) {
      return;
    }
    this.changed(uri);
  }

  hasDisk(uri: string): boolean {
    return this.onDisk.has(uri);
  }

  /** The file as read from disk while no editor has it open. */
  closedManifest(uri: string): ParsedManifest | undefined {
    return this.open.has(uri) ? undefined : this.onDisk.get(uri);
  }

  diskUris(): Iterable<string> {
    return this.onDisk.keys();
  }

  manifests(): ParsedManifest[] {
    const all = new Map(this.onDisk);
    for (const [uri, manifest] of this.open) all.set(uri, manifest);
    return [...all.values()];
  }

  objects(): WorkspaceObjects {
    if (!this.objectsCache) {
      // One place (mergeObjects) decides which kinds a manifest adds; `tagline check` and `scan` use it too.
      this.objectsCache = mergeObjects(this.manifests());
    }
    return this.objectsCache;
  }

  references(): ObjectIndex {
    this.referencesCache ??= new ObjectIndex(this.objects());
    return this.referencesCache;
  }

  /**
   * The Flux the workspace runs (see detectFluxVersions). The same array is returned until the answer changes,
   * so per-document validation results cached against it stay valid across unrelated edits.
   */
  flux(setting?: string): { found: readonly DetectedFlux[]; settingError?: string } {
    const cached = this.fluxCache;
    if (cached && cached.setting === setting && !cached.stale) return cached;
    const detected = detectFluxVersions(this.manifests().flatMap((m) => m.documents), setting);
    const json = JSON.stringify(detected);
    if (cached && cached.setting === setting && cached.json === json) {
      cached.stale = false;
      return cached;
    }
    this.fluxCache = { setting, ...detected, json, stale: false };
    return this.fluxCache;
  }

  imageNames(): string[] {
    if (!this.imageNamesCache) {
      const names = new Set<string>();
      for (const manifest of this.manifests()) for (const name of manifest.imageNames) names.add(name);
      this.imageNamesCache = [...names].sort();
    }
    return this.imageNamesCache;
  }

  private current(uri: string): ParsedManifest | undefined {
    return this.open.get(uri) ?? this.onDisk.get(uri);
  }

  private changed(uri: string): void {
    this.objectsCache = undefined;
    this.imageNamesCache = undefined;
    // Recomputed on the next ask; kept (same array) if the answer is the same.
    if (this.fluxCache) this.fluxCache.stale = true;
    // Only Secrets and ServiceAccounts (without positions) can change another document's diagnostics, and for
    // ImagePolicies also ImageRepository names and accessFrom, and Namespace labels.
    const manifest = this.current(uri);
    const signature = manifest
      ? JSON.stringify([
        manifest.objects.secrets.map(({ source: _s, ...rest }) => rest),
        manifest.objects.serviceAccounts.map(({ source: _s, ...rest }) => rest),
      ])
      : '';
    const policySignature = manifest
      ? JSON.stringify([
        manifest.objects.imageRepositories.map((r) => [r.metadata.namespace, r.metadata.name, r.spec.accessFrom ?? null]),
        (manifest.objects.namespaces ?? []).map((n) => [n.metadata.name, n.metadata.labels ?? null]),
        (manifest.objects.imagePolicies ?? []).map((p) => [p.metadata.namespace, p.metadata.name]),
      ])
      : '';
    const references = (this.referenceSignature.get(uri) ?? '[[],[]]') !== (signature || '[[],[]]');
    const policyReferences = (this.policyReferenceSignature.get(uri) ?? '[[],[],[]]') !== (policySignature || '[[],[],[]]');
    if (signature) this.referenceSignature.set(uri, signature);
    else this.referenceSignature.delete(uri);
    if (policySignature) this.policyReferenceSignature.set(uri, policySignature);
    else this.policyReferenceSignature.delete(uri);
    // The reference index (and the per-document reference checks cached against it) survives edits that
    // touch no Secret or ServiceAccount.
    if (references || policyReferences) this.referencesCache = undefined;
    for (const listener of this.listeners) listener({ references, policyReferences, uri });
  }
}
