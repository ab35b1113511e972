// The only writes Tagline makes to a cluster, each as the flux CLI makes it (fluxcd/flux2 cmd/flux):
// a reconcile request annotation (reconcile.go `requestReconciliation`), and spec.suspend (suspend.go and
// resume.go `patch`, a JSON merge patch from controller-runtime's `client.MergeFrom`).
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { FluxImageKind } from '../../../common/flux/drift';
import { FLUX_IMAGE_GROUP } from './discovery';
import { kubernetesError } from './errors';
import { PLURALS } from './informer';
import { ReconcileRequestAnnotation } from './objects';

export interface ObjectRef {
  kind: FluxImageKind;
  namespace: string;
  name: string;
  /** The served version to write through (`v1`). */
  version: string;
}

/**
 * Go's `time.Now().Format(time.RFC3339Nano)`: local time, fractional seconds without trailing zeros (none when
 * zero), `Z` for UTC or `±hh:mm`. JavaScript clocks give milliseconds, so at most three fractional digits.
 */
export function goRfc3339Nano(date: Date): string {
  const offsetMin = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offsetMin * 60_000);
  const base = local.toISOString().slice(0, 19);
  const ms = date.getMilliseconds();
  const fraction = ms === 0 ? '' : '.' + String(ms).padStart(3, '0').replace(/0+$/, '');
  if (offsetMin === 0) return `${base}${fraction}Z`;
  const sign = offsetMin > 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  return `${base}${fraction}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** client-go util/retry `DefaultBackoff`: 4 steps from 10 ms, factor 5, jitter 0.1. */
const CONFLICT_RETRY_DELAYS_MS = [10, 50, 250, 1250];

/**
 * Sets `reconcile.fluxcd.io/requestedAt` to now: GET the object, set the annotation, PUT it back, retried on
 * 409 Conflict as `retry.RetryOnConflict(retry.DefaultBackoff, …)` does. Returns the value written, which the
 * controller copies to `status.lastHandledReconcileAt` once it handled the request. Throws a KubernetesError
 * (a 403 names the verb — `get` or `update` — and the resource refused).
 */
export async function requestReconciliation(config: KubeConfig, ref: ObjectRef, now: () => Date = () => new Date()): Promise<string> {
  const api = config.makeApiClient(CustomObjectsApi);
  const params = { group: FLUX_IMAGE_GROUP, version: ref.version, namespace: ref.namespace, plural: PLURALS[ref.kind], name: ref.name };
  for (let attempt = 0; ; attempt++) {
    try {
      const object = (await api.getNamespacedCustomObject(params)) as { metadata: { annotations?: Record<string, string> } };
      const requestedAt = goRfc3339Nano(now());
      object.metadata.annotations = { ...(object.metadata.annotations ?? {}), [ReconcileRequestAnnotation]: requestedAt };
      await api.replaceNamespacedCustomObject({ ...params, body: object });
      return requestedAt;
    } catch (err) {
      const error = kubernetesError(err, config, 'PUT', objectUrl(config, ref));
      if (error.code !== 409 || attempt >= CONFLICT_RETRY_DELAYS_MS.length) throw error;
      const delay = CONFLICT_RETRY_DELAYS_MS[attempt] * (1 + Math.random() * 0.1);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * `flux suspend image repository` / `flux resume image repository`: a JSON merge patch of `spec.suspend`. Go's
 * `Suspend bool \`json:"suspend,omitempty"\`` drops `false`, so resuming sends `{"spec":{"suspend":null}}`, which
 * removes the field, exactly as the CLI's MergeFrom diff does.
 */
export async function setSuspended(config: KubeConfig, ref: ObjectRef, suspend: boolean): Promise<void> {
  const api = config.makeApiClient(CustomObjectsApi);
  const body = { spec: { suspend: suspend ? true : null } };
  try {
    await api.patchNamespacedCustomObject(
      { group: FLUX_IMAGE_GROUP, version: ref.version, namespace: ref.namespace, plural: PLURALS[ref.kind], name: ref.name, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  } catch (err) {
    throw kubernetesError(err, config, 'PATCH', objectUrl(config, ref));
  }
}

function objectUrl(config: KubeConfig, ref: ObjectRef): string {
  return `${config.getCurrentCluster()?.server ?? ''}/apis/${FLUX_IMAGE_GROUP}/${ref.version}/namespaces/${ref.namespace}/${PLURALS[ref.kind]}/${ref.name}`;
}
