/**
 * Built objects back to the files they came from. kustomize's `config.kubernetes.io/origin` annotation names the
 * resource file (relative to the built folder) and `alpha.config.kubernetes.io/transformations` the
 * kustomization files whose transformers changed the object (sigs.k8s.io/kustomize/api resource/origin.go,
 * `Origin`); Tagline asks for both (buildMetadata) and removes them again, since Flux applies the object without.
 */
import { posix } from 'node:path';
import { parse } from 'yaml';
import { isRecord } from '../manifests/objects';
import type { BuiltObject } from './protocol';

export const ORIGIN_ANNOTATION = 'config.kubernetes.io/origin';
export const TRANSFORMATIONS_ANNOTATION = 'alpha.config.kubernetes.io/transformations';

export interface Transformation {
  /** kustomization file (POSIX absolute) whose transformer changed the object. */
  configuredIn: string;
  /** Transformer kind: PatchTransformer, NamespaceTransformer, PrefixSuffixTransformer, ImageTagTransformer, … */
  kind: string;
}

export interface AppliedObject {
  /** The object as Flux applies it (without the two build annotations). */
  object: Record<string, unknown>;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** Resource file (POSIX absolute), undefined for generated objects (configMapGenerator, …) and remote ones. */
  originFile?: string;
  transformations: Transformation[];
}

function yamlValue(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

/** Splits the build annotations off a built object; `dir` is the folder that was built. */
export function appliedObject(built: BuiltObject, dir: string): AppliedObject {
  const object = structuredClone(built) as Record<string, unknown>;
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const annotations = isRecord(metadata.annotations) ? metadata.annotations as Record<string, string> : {};
  const origin = yamlValue(annotations[ORIGIN_ANNOTATION]);
  const transformations = yamlValue(annotations[TRANSFORMATIONS_ANNOTATION]);
  delete annotations[ORIGIN_ANNOTATION];
  delete annotations[TRANSFORMATIONS_ANNOTATION];
  if (isRecord(metadata.annotations) && Object.keys(annotations).length === 0) delete metadata.annotations;
  const originFile = isRecord(origin) && typeof origin.path === 'string' && !origin.repo ? posix.join(dir, origin.path) : undefined;
  return {
    object,
    apiVersion: String(object.apiVersion ?? ''),
    kind: String(object.kind ?? ''),
    name: String(metadata.name ?? ''),
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : undefined,
    originFile,
    transformations: (Array.isArray(transformations) ? transformations : []).filter(isRecord).map((t) => ({
      configuredIn: posix.join(dir, String(t.configuredIn ?? '')),
      kind: isRecord(t.configuredBy) ? String(t.configuredBy.kind ?? '') : '',
    })),
  };
}
