// Plain JavaScript values of Kubernetes documents → the typed objects of common/model.ts.
import type { LocalObjectReference, ObjectMeta, SecretObject, ServiceAccountObject } from '../model';

export const FLUX_IMAGE_GROUP = 'image.toolkit.fluxcd.io';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== null && item !== undefined) out[key] = typeof item === 'string' ? item : String(item);
  }
  return out;
}

export function objectMeta(value: unknown): ObjectMeta | undefined {
  if (!isRecord(value) || typeof value.name !== 'string' || value.name === '') return undefined;
  const meta: ObjectMeta = {
    name: value.name,
    namespace: typeof value.namespace === 'string' && value.namespace !== '' ? value.namespace : 'default',
  };
  const annotations = stringMap(value.annotations);
  const labels = stringMap(value.labels);
  if (annotations) meta.annotations = annotations;
  if (labels) meta.labels = labels;
  return meta;
}

export function isFluxImageRepository(apiVersion: unknown, kind: unknown): boolean {
  return typeof apiVersion === 'string' && apiVersion.startsWith(FLUX_IMAGE_GROUP + '/') && kind === 'ImageRepository';
}

export function isFluxImagePolicy(apiVersion: unknown, kind: unknown): boolean {
  return typeof apiVersion === 'string' && apiVersion.startsWith(FLUX_IMAGE_GROUP + '/') && kind === 'ImagePolicy';
}

const SOPS_VALUE = /^ENC\[[A-Z0-9_]+,data:/;

function hasSopsValue(values: Record<string, string> | undefined): boolean {
  return values !== undefined && Object.values(values).some((v) => SOPS_VALUE.test(v));
}

export function secretObject(js: Record<string, unknown>): SecretObject | undefined {
  const metadata = objectMeta(js.metadata);
  if (!metadata) return undefined;
  const secret: SecretObject = { apiVersion: 'v1', kind: 'Secret', metadata };
  if (typeof js.type === 'string') secret.type = js.type;
  const data = stringMap(js.data);
  const stringData = stringMap(js.stringData);
  if (data) secret.data = data;
  if (stringData) secret.stringData = stringData;
  // SOPS keeps key names readable and encrypts values, and adds a top-level `sops:` block.
  if (isRecord(js.sops) || hasSopsValue(data) || hasSopsValue(stringData)) secret.sopsEncrypted = true;
  return secret;
}

export function serviceAccountObject(js: Record<string, unknown>): ServiceAccountObject | undefined {
  const metadata = objectMeta(js.metadata);
  if (!metadata) return undefined;
  const sa: ServiceAccountObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata };
  if (Array.isArray(js.imagePullSecrets)) {
    sa.imagePullSecrets = js.imagePullSecrets
      .filter((ref): ref is LocalObjectReference => isRecord(ref) && typeof ref.name === 'string')
      .map((ref) => ({ name: ref.name }));
  }
  return sa;
}

/** Container images named anywhere in a document: `image: repo:tag` strings and Helm-style `image: {repository}`. */
export function collectImageNames(value: unknown, out: Set<string>, depth = 0): void {
  if (depth > 40) return;
  if (Array.isArray(value)) {
    for (const item of value) collectImageNames(item, out, depth + 1);
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, item] of Object.entries(value)) {
    if (key === 'image' && typeof item === 'string') addImageName(item, out);
    else if (key === 'image' && isRecord(item) && typeof item.repository === 'string') {
      addImageName(typeof item.registry === 'string' ? `${item.registry}/${item.repository}` : item.repository, out);
    } else collectImageNames(item, out, depth + 1);
  }
}

/** Drops `@digest` and `:tag` so the name can be used as an ImageRepository's spec.image. */
export function repositoryOf(image: string): string {
  let name = image.trim();
  const at = name.indexOf('@');
  if (at !== -1) name = name.slice(0, at);
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) name = name.slice(0, colon);
  return name;
}

function addImageName(image: string, out: Set<string>): void {
  const name = repositoryOf(image);
  // Templated values ({{ .Values.image }}) and variables (${IMAGE}) are not names.
  if (name !== '' && !/[{}$\s]/.test(name)) out.add(name);
}
