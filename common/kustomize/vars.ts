/**
 * Post-build variables of a Flux Kustomization from the workspace: kustomize-controller's LoadVariables
 * (github.com/fluxcd/pkg/kustomize kustomize_varsub.go) reads `spec.postBuild.substituteFrom` ConfigMaps and
 * Secrets from the cluster; Tagline reads the ones written in the workspace. SOPS-encrypted values are unknown:
 * each such variable is given its own `${name}` text, so substitution leaves it as written.
 */
import { isRecord } from '../manifests/objects';

export interface VarsSource { kind: string; name: string; namespace: string; data: Record<string, string>; encrypted: boolean }

export interface KustomizationVars {
  /** Values for the module's `vars` (substitute wins over these inside the module). */
  vars: Record<string, string>;
  /** Variables whose value is SOPS-encrypted in the workspace, by source (`Secret/name`). */
  unknown: { source: string; names: string[] }[];
  /** Texts of kustomize-controller for a required source that is not in the workspace. */
  missing: string[];
  /** Sources (`ConfigMap/name`) that are not in the workspace, optional ones included: their values are unknown. */
  absent?: string[];
}

const SOPS_VALUE = /^ENC\[[A-Z0-9_]+,data:/;

function strings(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(value)) for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

/** ConfigMaps and Secrets among workspace documents (plain values; Secret `data` is base64-decoded). */
export function varsSource(value: unknown): VarsSource | undefined {
  if (!isRecord(value) || value.apiVersion !== 'v1' || (value.kind !== 'ConfigMap' && value.kind !== 'Secret')) return undefined;
  if (!isRecord(value.metadata) || typeof value.metadata.name !== 'string') return undefined;
  const namespace = typeof value.metadata.namespace === 'string' && value.metadata.namespace ? value.metadata.namespace : 'default';
  const encrypted = isRecord(value.sops);
  const data: Record<string, string> = {};
  if (value.kind === 'ConfigMap') Object.assign(data, strings(value.data));
  else {
    for (const [k, v] of Object.entries(strings(value.data))) data[k] = SOPS_VALUE.test(v) || encrypted ? v : Buffer.from(v, 'base64').toString('utf8');
    Object.assign(data, strings(value.stringData));
  }
  return { kind: value.kind, name: value.metadata.name, namespace, data, encrypted };
}

/** LoadVariables over the workspace's ConfigMaps and Secrets, in `substituteFrom` order (later sources win). */
export function kustomizationVars(kustomization: Record<string, unknown>, namespace: string, sources: VarsSource[]): KustomizationVars {
  const result: KustomizationVars = { vars: {}, unknown: [], missing: [] };
  const spec = isRecord(kustomization.spec) ? kustomization.spec : {};
  const postBuild = isRecord(spec.postBuild) ? spec.postBuild : {};
  const refs = Array.isArray(postBuild.substituteFrom) ? postBuild.substituteFrom.filter(isRecord) : [];
  for (const ref of refs) {
    const kind = String(ref.kind ?? '');
    const name = String(ref.name ?? '');
    const source = sources.find((s) => s.kind === kind && s.name === name && s.namespace === namespace);
    if (!source) {
      (result.absent ??= []).push(`${kind}/${name}`);
      if (ref.optional !== true && (kind === 'ConfigMap' || kind === 'Secret')) {
        result.missing.push(`substitute from '${kind}/${name}' error: ${kind.toLowerCase()}s "${name}" not found`);
      }
      continue;
    }
    const unknown: string[] = [];
    for (const [key, value] of Object.entries(source.data)) {
      if (source.encrypted || SOPS_VALUE.test(value)) {
        unknown.push(key);
        result.vars[key] = `\${${key}}`;
      } else {
        result.vars[key] = value.replace(/\n/g, '');
      }
    }
    if (unknown.length) result.unknown.push({ source: `${kind}/${name}`, names: unknown });
  }
  return result;
}
