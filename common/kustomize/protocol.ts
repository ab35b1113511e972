/**
 * Messages to and from the kustomize WebAssembly module (`wasm/kustomize/build.go`, `Request` and
 * `Response`). Paths are absolute paths of the module's in-memory file system: `/<folder>/<path in
 * the repository>`.
 */

/** Replaces (text) or removes (null) files of the in-memory workspace. */
export interface FilesRequest {
  op: 'files';
  files: Record<string, string | null>;
}

/** Builds one root the way kustomize-controller does: generate, kustomize build, post-build substitution. */
export interface BuildRequest {
  op: 'build';
  /** Directory to build (the Flux Kustomization's `spec.path`, or a kustomization.yaml's folder). */
  path: string;
  /** The Flux Kustomization object, or undefined for a plain kustomization root. */
  kustomization?: Record<string, unknown>;
  /** Values resolved from `spec.postBuild.substituteFrom`; `spec.postBuild.substitute` wins over them. */
  vars?: Record<string, string>;
}

export type KustomizeRequest = FilesRequest | BuildRequest;

/** A built object: plain JSON with kustomize's origin and transformer annotations. */
export type BuiltObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
};

export interface KustomizeResponse {
  objects: BuiltObject[];
  /** Roots built without parts Tagline does not fetch or run (`built without remote base X`). */
  warnings: string[];
  /** Every workspace file the build read. */
  read: string[];
  /** kustomization files of the build, the root's first. */
  kustomizations: string[];
  /** Files used as patches (`patches[].path`, `patchesJson6902[].path`, `patchesStrategicMerge` files). */
  patches: string[];
  /** `patches`/`patchesJson6902` entries whose target selects no resource of their kustomization (kustomize skips them silently). */
  unmatched: UnmatchedPatch[];
  /** kustomize's, the generator's or envsubst's own error text. */
  error?: string;
}

/** kustomize's patch target selector (sigs.k8s.io/kustomize/api types.Selector). */
export interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

/** A patch entry whose target matches nothing (wasm/kustomize unmatched.go `UnmatchedPatch`). */
export interface UnmatchedPatch {
  /** The kustomization file holding the entry (for a Flux root, the generated one: the file's own entries first, then `spec.patches`). */
  kustomization: string;
  field: 'patches' | 'patchesJson6902';
  index: number;
  target: PatchTarget;
}
