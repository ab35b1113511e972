// Secret and ServiceAccount references checked against every manifest of the workspace (image-reflector-controller internal/registry/options.go `GetOptions`).
// A name found nowhere is only information: the object may exist in the cluster and not in Git.
import type { Node } from 'yaml';
import type { ParsedChunk } from '../../../common/manifests';
import {
  objectKey, type ImagePolicyObject, type ImageRepositoryObject, type NamespaceObject, type SecretObject, type ServiceAccountObject, type WorkspaceObjects,
} from '../../../common/model';
import { accessDeniedMessage, hasAccessToRef, namespaceLabels } from '../../../common/flux/acl';
import { Severity, SOURCE, type SeverityValue, type TaglineDiagnostic } from './types';
import { nodeAt, nodeRange } from '../../../common/manifests/yamlPath';

export interface ReferenceIndex {
  secrets(namespace: string, name: string): SecretObject[];
  serviceAccounts(namespace: string, name: string): ServiceAccountObject[];
  imageRepositories(namespace: string, name: string): ImageRepositoryObject[];
  imagePolicies(namespace: string, name: string): ImagePolicyObject[];
  /** Namespace manifests named `name` (cluster-scoped). */
  namespaces(name: string): NamespaceObject[];
}

function byKey<T extends { metadata: { namespace: string; name: string } }>(objects: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const object of objects) {
    const key = objectKey(object.metadata);
    const list = map.get(key);
    if (list) list.push(object);
    else map.set(key, [object]);
  }
  return map;
}

export class ObjectIndex implements ReferenceIndex {
  private readonly secretsByKey: Map<string, SecretObject[]>;
  private readonly serviceAccountsByKey: Map<string, ServiceAccountObject[]>;
  private readonly repositoriesByKey: Map<string, ImageRepositoryObject[]>;
  private readonly namespacesByName: Map<string, NamespaceObject[]>;
  private readonly policiesByKey: Map<string, ImagePolicyObject[]>;

  constructor(objects: Pick<WorkspaceObjects, 'secrets' | 'serviceAccounts'> & Partial<WorkspaceObjects>) {
    this.secretsByKey = byKey(objects.secrets);
    this.serviceAccountsByKey = byKey(objects.serviceAccounts);
    this.repositoriesByKey = byKey(objects.imageRepositories ?? []);
    this.policiesByKey = byKey(objects.imagePolicies ?? []);
    this.namespacesByName = byKey((objects.namespaces ?? []).map((n) => ({ ...n, metadata: { ...n.metadata, namespace: '' } })));
  }

  imageRepositories(namespace: string, name: string): ImageRepositoryObject[] {
    return this.repositoriesByKey.get(`${namespace}/${name}`) ?? [];
  }

  imagePolicies(namespace: string, name: string): ImagePolicyObject[] {
    return this.policiesByKey.get(`${namespace}/${name}`) ?? [];
  }

  namespaces(name: string): NamespaceObject[] {
    return this.namespacesByName.get(`/${name}`) ?? [];
  }

  secrets(namespace: string, name: string): SecretObject[] {
    return this.secretsByKey.get(objectKey({ namespace, name })) ?? [];
  }

  serviceAccounts(namespace: string, name: string): ServiceAccountObject[] {
    return this.serviceAccountsByKey.get(objectKey({ namespace, name })) ?? [];
  }
}

export function secretKeys(secret: SecretObject): Set<string> {
  return new Set([...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})]);
}

const DOCKER_CONFIG_TYPES: Record<string, string> = {
  'kubernetes.io/dockerconfigjson': '.dockerconfigjson',
  'kubernetes.io/dockercfg': '.dockercfg',
};

/** Why a Secret cannot serve as `secretRef`, or undefined when it can (go-containerregistry pkg/authn/kubernetes/keychain.go `NewFromPullSecrets` reads only these types). */
export function pullSecretProblem(secret: SecretObject): string | undefined {
  const ref = `${secret.metadata.namespace}/${secret.metadata.name}`;
  const key = DOCKER_CONFIG_TYPES[secret.type ?? ''];
  if (!key) {
    return `Secret '${ref}' has type ${secret.type ?? 'Opaque'}: the controller reads credentials only from ` +
      'kubernetes.io/dockerconfigjson (or kubernetes.io/dockercfg) Secrets, so the scan would be anonymous.';
  }
  if (!secretKeys(secret).has(key)) return `Secret '${ref}' of type ${secret.type} has no '${key}' key, so the scan would be anonymous.`;
  return undefined;
}

/** fluxcd/pkg runtime/secrets `TLSConfigFromSecret`'s errors, with the legacy keys as fallbacks. */
export function certSecretProblem(secret: SecretObject): { message: string; deprecated: string[] } {
  const ref = `${secret.metadata.namespace}/${secret.metadata.name}`;
  const keys = secretKeys(secret);
  const has = (key: string, legacy: string) => keys.has(key) || keys.has(legacy);
  const deprecated = ['caFile', 'certFile', 'keyFile'].filter((k) => keys.has(k));
  let message = '';
  if (has('tls.crt', 'certFile') && !has('tls.key', 'keyFile')) message = `secret '${ref}' contains 'tls.crt' but missing 'tls.key'`;
  else if (has('tls.key', 'keyFile') && !has('tls.crt', 'certFile')) message = `secret '${ref}' contains 'tls.key' but missing 'tls.crt'`;
  else if (!has('ca.crt', 'caFile') && !has('tls.crt', 'certFile')) {
    message = `secret '${ref}' must contain either 'ca.crt' or both 'tls.crt' and 'tls.key'`;
  }
  return { message, deprecated };
}

export function proxySecretProblem(secret: SecretObject): string | undefined {
  const ref = `${secret.metadata.namespace}/${secret.metadata.name}`;
  return secretKeys(secret).has('address') ? undefined : `secret '${ref}': key 'address' not found`;
}

export function namespaceOf(chunk: ParsedChunk): string {
  const metadata = (chunk.value as { metadata?: { namespace?: unknown } } | undefined)?.metadata;
  return typeof metadata?.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : 'default';
}

/**
 * An ImagePolicy's `imageRepositoryRef`: looked up in the workspace (information when absent, as for Secrets),
 * and across namespaces checked against the repository's `accessFrom` and the labels of the policy's namespace
 * (its Namespace manifest, plus `kubernetes.io/metadata.name`), with the controller's AccessDenied message.
 */
function policyReferenceDiagnostics(chunk: ParsedChunk, index: ReferenceIndex, add: AddFn): void {
  const namespace = namespaceOf(chunk);
  const ref = (chunk.value as { spec?: { imageRepositoryRef?: { name?: unknown; namespace?: unknown } } } | undefined)?.spec?.imageRepositoryRef;
  if (!ref || typeof ref !== 'object' || typeof ref.name !== 'string' || ref.name === '') return;
  const refNamespace = typeof ref.namespace === 'string' && ref.namespace !== '' ? ref.namespace : namespace;
  const nameNode = () => nodeAt(chunk.doc, ['spec', 'imageRepositoryRef', 'name']);
  const found = index.imageRepositories(refNamespace, ref.name);
  if (found.length === 0) {
    add(nameNode, Severity.Information, 'imageRepositoryRef.notFound',
      `ImageRepository '${refNamespace}/${ref.name}' is not in the workspace; it may exist only in the cluster.`);
    return;
  }
  if (refNamespace === namespace) return;
  const manifests = index.namespaces(namespace);
  const labels = namespaceLabels(namespace, manifests[0]?.metadata.labels);
  const denied = hasAccessToRef(namespace, { namespace: refNamespace, name: ref.name }, found[0].spec.accessFrom, labels);
  if (!denied) return;
  const where = () => nodeAt(chunk.doc, ['spec', 'imageRepositoryRef', 'namespace']) ?? nameNode();
  if (manifests.length > 0 || !found[0].spec.accessFrom) {
    add(where, Severity.Error, 'imageRepositoryRef.accessDenied', accessDeniedMessage(denied));
  } else {
    add(where, Severity.Information, 'imageRepositoryRef.accessDenied',
      `${accessDeniedMessage(denied)} (Namespace '${namespace}' is not in the workspace, so only its kubernetes.io/metadata.name label is known)`);
  }
}

type AddFn = (node: () => Node | undefined, severity: SeverityValue, code: string, message: string) => void;

export function referenceDiagnostics(chunk: ParsedChunk, index: ReferenceIndex): TaglineDiagnostic[] {
  const out: TaglineDiagnostic[] = [];
  const add = (node: () => Node | undefined, severity: SeverityValue, code: string, message: string) => {
    const range = nodeRange(chunk.lines, node());
    if (range) out.push({ range, severity, code, source: SOURCE, message });
  };
  if (chunk.isImagePolicy) {
    policyReferenceDiagnostics(chunk, index, add);
    return out;
  }
  const namespace = namespaceOf(chunk);
  const spec = (chunk.value as { spec?: Record<string, unknown> } | undefined)?.spec;
  if (!spec || typeof spec !== 'object') return out;
  // Names come from the plain value; the tree is only consulted (and built) to place a diagnostic.
  const refName = (field: string): { node: () => Node | undefined; name: string } | undefined => {
    const ref = spec[field] as { name?: unknown } | undefined;
    const name = ref && typeof ref === 'object' ? ref.name : undefined;
    return typeof name === 'string' && name !== '' ? { node: () => nodeAt(chunk.doc, ['spec', field, 'name']), name } : undefined;
  };
  const notFound = (node: () => Node | undefined, field: string, kind: string, name: string) =>
    add(node, Severity.Information, `${field}.notFound`,
      `${kind} '${namespace}/${name}' is not in the workspace; it may exist only in the cluster.`);

  const secretRef = refName('secretRef');
  if (secretRef) {
    const found = index.secrets(namespace, secretRef.name);
    if (found.length === 0) notFound(secretRef.node, 'secretRef', 'Secret', secretRef.name);
    else if (found.every((s) => pullSecretProblem(s))) add(secretRef.node, Severity.Warning, 'secretRef.wrongType', pullSecretProblem(found[0])!);
  }

  const certRef = refName('certSecretRef');
  if (certRef) {
    const found = index.secrets(namespace, certRef.name);
    if (found.length === 0) notFound(certRef.node, 'certSecretRef', 'Secret', certRef.name);
    else {
      const problems = found.map(certSecretProblem);
      if (problems.every((p) => p.message)) add(certRef.node, Severity.Warning, 'certSecretRef.missingKeys', problems[0].message);
      const deprecated = problems.find((p) => p.deprecated.length > 0)?.deprecated;
      if (deprecated) {
        add(certRef.node, Severity.Warning, 'certSecretRef.deprecatedKeys',
          `Secret '${namespace}/${certRef.name}' uses the deprecated keys ${deprecated.join(', ')}; rename them to ca.crt, tls.crt and tls.key.`);
      }
    }
    if (secretRef && secretRef.name === certRef.name) {
      add(certRef.node, Severity.Warning, 'certSecretRef.sameAsSecretRef',
        'certSecretRef names the same Secret as secretRef: the controller (v1.2) then fails to load the certificates; use two Secrets.');
    }
  }

  const proxyRef = refName('proxySecretRef');
  if (proxyRef) {
    const found = index.secrets(namespace, proxyRef.name);
    if (found.length === 0) notFound(proxyRef.node, 'proxySecretRef', 'Secret', proxyRef.name);
    else if (found.every((s) => proxySecretProblem(s))) add(proxyRef.node, Severity.Warning, 'proxySecretRef.missingKeys', proxySecretProblem(found[0])!);
  }

  const saNode = () => nodeAt(chunk.doc, ['spec', 'serviceAccountName']);
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '') {
    const name = spec.serviceAccountName;
    const found = index.serviceAccounts(namespace, name);
    if (found.length === 0) notFound(saNode, 'serviceAccountName', 'ServiceAccount', name);
    else {
      const provider = spec.provider;
      const generic = provider === undefined || provider === 'generic';
      const missing = generic
        ? (found[0].imagePullSecrets ?? []).map((s) => s.name).filter((n) => index.secrets(namespace, n).length === 0)
        : [];
      if (missing.length > 0) {
        add(saNode, Severity.Information, 'serviceAccountName.pullSecretNotFound',
          `ServiceAccount '${namespace}/${name}' lists image pull Secrets that are not in the workspace: ${missing.join(', ')}.`);
      }
    }
  }
  return out;
}
