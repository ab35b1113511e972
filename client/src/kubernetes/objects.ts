// The part of a cluster's ImageRepository or ImagePolicy Tagline keeps: identity, spec and status. Everything
// else the API server sends (managedFields, last-applied-configuration, labels) is dropped on arrival, so 2,000
// objects stay a few megabytes.
import type { Condition } from '../../../common/model';
import type { FluxImageKind, ReadySummary } from '../../../common/flux/drift';

/** `reconcile.fluxcd.io/requestedAt` (fluxcd/pkg apis/meta annotations.go `ReconcileRequestAnnotation`). */
export const ReconcileRequestAnnotation = 'reconcile.fluxcd.io/requestedAt';

/** image-reflector-controller api/v1 ImagePolicyStatus.latestRef. */
export interface ImageRef {
  name: string;
  tag: string;
  digest?: string;
}

/** ImageRepositoryStatus and ImagePolicyStatus fields, as the controller wrote them (absent ones stay absent). */
export interface ClusterStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  lastHandledReconcileAt?: string;
  canonicalImageName?: string;
  lastScanResult?: { revision?: string; tagCount: number; scanTime?: string; latestTags?: string[] };
  observedExclusionList?: string[];
  latestRef?: ImageRef;
  observedPreviousRef?: ImageRef;
}

export interface ClusterObject {
  kind: FluxImageKind;
  apiVersion: string;
  namespace: string;
  name: string;
  uid: string;
  resourceVersion: string;
  generation: number;
  /** The `reconcile.fluxcd.io/requestedAt` annotation, when set. */
  requestedAt?: string;
  spec: Record<string, unknown>;
  status: ClusterStatus;
}

interface RawObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { namespace?: string; name?: string; uid?: string; resourceVersion?: string; generation?: number; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

const STATUS_FIELDS: (keyof ClusterStatus)[] = [
  'observedGeneration', 'conditions', 'lastHandledReconcileAt', 'canonicalImageName', 'lastScanResult',
  'observedExclusionList', 'latestRef', 'observedPreviousRef',
];

/** Keeps what Tagline shows of an object from a list or watch event. */
export function slimObject(kind: FluxImageKind, raw: RawObject): ClusterObject {
  const meta = raw.metadata ?? {};
  const status: Record<string, unknown> = {};
  for (const field of STATUS_FIELDS) if (raw.status?.[field] !== undefined) status[field] = raw.status[field];
  const requestedAt = meta.annotations?.[ReconcileRequestAnnotation];
  return {
    kind,
    apiVersion: raw.apiVersion ?? '',
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    uid: meta.uid ?? '',
    resourceVersion: meta.resourceVersion ?? '',
    generation: meta.generation ?? 0,
    ...(requestedAt !== undefined ? { requestedAt } : {}),
    spec: raw.spec ?? {},
    status: status as ClusterStatus,
  };
}

export function clusterObjectKey(o: { kind: string; namespace: string; name: string }): string {
  return `${o.kind}/${o.namespace}/${o.name}`;
}

export function readyOf(object: ClusterObject): ReadySummary | undefined {
  const ready = object.status.conditions?.find((c) => c.type === 'Ready');
  return ready ? { status: ready.status, reason: ready.reason, message: ready.message } : undefined;
}

/** `name:tag` or `name:tag@digest` of a policy's `status.latestRef`, as flux prints the latest image. */
export function latestImage(object: ClusterObject): string {
  const ref = object.status.latestRef;
  if (!ref) return '';
  return `${ref.name}:${ref.tag}${ref.digest ? `@${ref.digest}` : ''}`;
}
