// Short field docs for hover and completion, written for people editing manifests (not copied from the CRD).
export interface FieldDoc { summary: string; details?: string }

export const FIELD_DOCS: Record<string, FieldDoc> = {
  apiVersion: { summary: 'API group and version.', details: 'Which versions are served depends on the Flux release the cluster runs: `v1beta1` and `v1beta2` up to Flux 2.6, `v1` and the deprecated `v1beta2` in 2.7 and 2.8, only `v1` from 2.9. Tagline reads the version from `gotk-components.yaml`, a `FluxInstance` or `tagline.fluxVersion`.' },
  kind: { summary: 'ImageRepository: a repository whose tags Flux lists on a schedule.' },
  metadata: { summary: 'Name, namespace, labels and annotations.' },
  'metadata.name': { summary: 'Name of the ImageRepository, unique in its namespace.', details: "A DNS subdomain: lowercase letters, digits, `-` and `.`. ImagePolicies refer to it by this name." },
  'metadata.namespace': { summary: 'Namespace of the object; `default` when left out.', details: 'Secrets and the ServiceAccount named in `spec` must live in this namespace.' },
  'metadata.labels': { summary: 'Labels of the object.' },
  'metadata.annotations': { summary: 'Annotations of the object.', details: 'Set `reconcile.fluxcd.io/requestedAt` to a new value to ask for a scan now (what `flux reconcile image repository` does).' },
  spec: { summary: 'What to scan and how.' },
  'spec.image': {
    summary: 'The image repository whose tags are listed.',
    details: 'No scheme, tag or digest: `ghcr.io/org/app`, not `https://ghcr.io/org/app:1.0`. Docker Hub names are expanded, so `alpine` means `index.docker.io/library/alpine`.',
  },
  'spec.interval': { summary: 'Time between scans, as a Go duration (`30s`, `5m`, `1h30m`).', details: 'Units `ms`, `s`, `m`, `h`. Under `1s`, every reconcile scans.' },
  'spec.timeout': { summary: 'Deadline for one scan, including fetching credentials.', details: 'Units `ms`, `s`, `m` only (no `h`, so write `90m`). Defaults to the interval; values below `1s` count as `1s`.' },
  'spec.secretRef': { summary: 'A docker-registry Secret with credentials for this registry.', details: 'Type `kubernetes.io/dockerconfigjson` (as `kubectl create secret docker-registry` makes it), in the same namespace. Other types are ignored and the scan is anonymous. Ignored when `provider` is a cloud.' },
  'spec.certSecretRef': { summary: 'TLS material for the registry connection.', details: '`ca.crt` to trust a private CA (added to the system roots), and/or `tls.crt` + `tls.key` for a client certificate. The old keys `caFile`, `certFile`, `keyFile` still work but are deprecated.' },
  'spec.proxySecretRef': { summary: 'A proxy for registry traffic.', details: 'Keys `address` (http, https or socks5 URL), optionally `username` and `password`.' },
  'spec.secretRef.name': { summary: 'Name of the Secret, in the same namespace.' },
  'spec.certSecretRef.name': { summary: 'Name of the Secret, in the same namespace.' },
  'spec.proxySecretRef.name': { summary: 'Name of the Secret, in the same namespace.' },
  'spec.serviceAccountName': { summary: 'A ServiceAccount used for registry access.', details: 'With `provider: generic` its `imagePullSecrets` are used after `secretRef`. With a cloud provider its workload identity is used, which needs the controller feature gate `ObjectLevelWorkloadIdentity`.' },
  'spec.suspend': { summary: 'When true, no new scans start; the last result stays.' },
  'spec.exclusionList': {
    summary: 'Tags to leave out, as Go RE2 regular expressions.',
    details: 'A tag matching any entry (anywhere in the tag: add `^`/`$` to anchor) is not stored. When absent **or empty**, `^.*\\.sig$` applies, which drops Cosign signature tags. At most 25 entries.',
  },
  'spec.provider': { summary: 'Where credentials come from.', details: '`generic` (default) uses Secrets; `aws`, `azure` and `gcp` use the cloud identity of the controller (or of `serviceAccountName`).' },
  'spec.insecure': { summary: 'Allow plain HTTP to the registry.', details: 'HTTPS is still tried first; certificate checks are never skipped (use `certSecretRef` for a private CA).' },
  'spec.accessFrom': { summary: 'Which namespaces may use this repository from their ImagePolicies.', details: 'Without it, only ImagePolicies in the same namespace can refer to it.' },
  'spec.accessFrom.namespaceSelectors': { summary: 'Label selectors for namespaces; any match grants access.' },
  'spec.accessFrom.namespaceSelectors[].matchLabels': { summary: 'Labels the namespace must all have; `{}` matches every namespace.' },
};

export function fieldDocKey(path: (string | number)[]): string {
  return path.map((s) => (typeof s === 'number' ? '[]' : s)).join('.').replace(/\.\[\]/g, '[]');
}

/** `docs`: FIELD_DOCS (ImageRepository) or POLICY_FIELD_DOCS (ImagePolicy). */
export function fieldDocMarkdown(path: (string | number)[], docs: Record<string, FieldDoc> = FIELD_DOCS): string | undefined {
  const key = fieldDocKey(path);
  const doc = docs[key];
  if (!doc) return undefined;
  return `**${key}** — ${doc.summary}${doc.details ? `\n\n${doc.details}` : ''}`;
}
