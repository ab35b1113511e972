// The Kubernetes objects Tagline reads from the workspace and the Flux-shaped status it writes back.
// Plain data only: these cross the LSP wire (server → extension host) and go into the CLI's JSON output.

/** Where an object was found, so diagnostics and "open manifest" can point at it. 0-based like LSP. */
export interface SourceLocation {
  uri: string;
  /** Index of the YAML document (`---`) in the file. */
  documentIndex: number;
  /** Range of the whole document. */
  range: Range;
  /** Range of the `spec.image` value, when present (ImageRepository only). */
  imageRange?: Range;
}

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

export interface ObjectMeta {
  name: string;
  /** Defaults to "default" when the manifest has none, as kubectl would apply it. */
  namespace: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface LocalObjectReference { name: string }

/** `image.toolkit.fluxcd.io/v1` ImageRepository spec, as written (no defaults applied). */
export interface ImageRepositorySpec {
  image: string;
  interval: string;
  timeout?: string;
  secretRef?: LocalObjectReference;
  certSecretRef?: LocalObjectReference;
  proxySecretRef?: LocalObjectReference;
  serviceAccountName?: string;
  suspend?: boolean;
  exclusionList?: string[];
  provider?: string;
  insecure?: boolean;
  accessFrom?: { namespaceSelectors: { matchLabels?: Record<string, string> }[] };
}

export interface ImageRepositoryObject {
  apiVersion: string;
  kind: 'ImageRepository';
  metadata: ObjectMeta;
  spec: ImageRepositorySpec;
  /** Stand-in for metadata.generation: a stable hash of the spec (see common/flux/generation.ts). */
  specHash: string;
  source?: SourceLocation;
}

/** `image.toolkit.fluxcd.io/v1` ImagePolicy spec, as written (no defaults applied). */
export interface ImagePolicySpec {
  imageRepositoryRef: { name: string; namespace?: string };
  policy: {
    semver?: { range: string };
    alphabetical?: { order?: 'asc' | 'desc' };
    numerical?: { order?: 'asc' | 'desc' };
  };
  filterTags?: { pattern?: string; extract?: string };
  digestReflectionPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  interval?: string;
  suspend?: boolean;
}

export interface ImagePolicyObject {
  apiVersion: string;
  kind: 'ImagePolicy';
  metadata: ObjectMeta;
  spec: ImagePolicySpec;
  /** Stand-in for metadata.generation: a stable hash of the spec (see common/flux/generation.ts). */
  specHash: string;
  source?: SourceLocation;
}

/** A core/v1 Namespace manifest: only its labels matter (ImageRepository `accessFrom`). */
export interface NamespaceObject {
  apiVersion: 'v1';
  kind: 'Namespace';
  metadata: ObjectMeta;
  source?: SourceLocation;
}

export interface SecretObject {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  type?: string;
  /** base64 values, as in the manifest. */
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  /** True when the manifest is SOPS-encrypted (a top-level `sops:` key or ENC[...] values). */
  sopsEncrypted?: boolean;
  source?: SourceLocation;
}

export interface ServiceAccountObject {
  apiVersion: 'v1';
  kind: 'ServiceAccount';
  metadata: ObjectMeta;
  imagePullSecrets?: LocalObjectReference[];
  source?: SourceLocation;
}

/** An ImageRepository found in the workspace that the controller would not reconcile, and why. */
export interface SkippedObject {
  apiVersion: string;
  kind: 'ImageRepository';
  /** The name is empty when the manifest has none. */
  metadata: { name: string; namespace: string };
  /** e.g. `spec.interval is missing`, `apiVersion image.toolkit.fluxcd.io/v1beta2 is not served by Flux 2.9.5`. */
  reason: string;
  source?: SourceLocation;
}

export interface WorkspaceObjects {
  imageRepositories: ImageRepositoryObject[];
  secrets: SecretObject[];
  serviceAccounts: ServiceAccountObject[];
  /** ImageRepositories found and not reconciled (absent when there are none). */
  skipped?: SkippedObject[];
  /** Admissible ImagePolicies (absent when a producer predates them). */
  imagePolicies?: ImagePolicyObject[];
  namespaces?: NamespaceObject[];
}

/** Where a Flux version was found: the setting, a FluxInstance, install manifests, controller images, CRDs. */
export type FluxSourceKind = 'setting' | 'FluxInstance' | 'install' | 'controller' | 'crd';

export interface DetectedFlux {
  /** `2.6.4`, or the newest known release a range allows (`2.x` → `2.9.5`), or a minor only (`2.7`). */
  version: string;
  /** `2.6`: the key into the served-versions table. */
  minor: string;
  kind: FluxSourceKind;
  /** Human words for where it came from, e.g. `app.kubernetes.io/version label in clusters/prod/flux-system/gotk-components.yaml`. */
  source: string;
  /** The document it came from, when it came from the workspace. */
  uri?: string;
  /** What was written, when it was a range (`2.x`). */
  constraint?: string;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: 'Ready' | 'Reconciling' | 'Stalled';
  status: ConditionStatus;
  reason: string;
  message: string;
  /** RFC3339, UTC, seconds precision. */
  lastTransitionTime: string;
  observedGeneration: number;
}

export interface ScanResult {
  revision: string;
  tagCount: number;
  scanTime: string;
  latestTags?: string[];
}

export interface ImageRepositoryStatus {
  observedGeneration: number;
  conditions: Condition[];
  canonicalImageName?: string;
  lastScanResult?: ScanResult;
  observedExclusionList?: string[];
  lastHandledReconcileAt?: string;
}

/** An image reference in an ImagePolicy status (imagev1.ImageRef). */
export interface ImageRef {
  /** The ImageRepository's spec.image as written (not the canonical name). */
  name: string;
  tag: string;
  digest?: string;
}

export interface ImagePolicyStatus {
  observedGeneration: number;
  conditions: Condition[];
  latestRef?: ImageRef;
  observedPreviousRef?: ImageRef;
  lastHandledReconcileAt?: string;
}

export type EventType = 'Normal' | 'Warning' | 'Trace';

export interface FluxEvent {
  type: EventType;
  reason: string;
  message: string;
  /** RFC3339 with milliseconds. */
  timestamp: string;
  involvedObject: { kind: 'ImageRepository' | 'ImagePolicy'; namespace: string; name: string };
}

/** The `namespace/name` key of an object, as Kubernetes' types.NamespacedName prints it. */
export function objectKey(meta: { namespace: string; name: string }): string {
  return `${meta.namespace}/${meta.name}`;
}

/**
 * The status of an object the controller never reconciled: the CRD defaults `observedGeneration` to -1
 * (image-reflector-controller api/v1/imagerepository_types.go, `+kubebuilder:default=-1`), so the first
 * reconcile announces `new generation -1 -> 1`.
 */
export function emptyStatus(): ImageRepositoryStatus {
  return { observedGeneration: -1, conditions: [] };
}

/** An ImageUpdateAutomation Flux applies, with the files and markers it would write (the tree shows them). */
export interface AutomationTarget {
  namespace: string;
  name: string;
  /** File declaring it. */
  uri: string;
  /** `spec.update.path` as written. */
  path: string;
  files: { uri: string; markers: { line: number; setter: string; value: string }[] }[];
}
