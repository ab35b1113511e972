// Cross-namespace access to an ImageRepository (`spec.accessFrom`): fluxcd/pkg/runtime v0.110.0 acl
// Authorization.HasAccessToRef, as image-reflector-controller's ImagePolicyReconciler.getImageRepository calls it.
import type { ImagePolicyObject, ImageRepositoryObject, ImageRepositorySpec } from '../model';

const METADATA_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * The labels a namespace has in a cluster: those of its manifest plus `kubernetes.io/metadata.name`, which the
 * API server sets on every Namespace.
 */
export function namespaceLabels(namespace: string, manifestLabels: Record<string, string> | undefined): Record<string, string> {
  return { ...manifestLabels, [METADATA_NAME_LABEL]: namespace };
}

/**
 * HasAccessToRef(object in `fromNamespace`, reference, acl): undefined when allowed, otherwise the library's
 * access-denied text. Same namespace is always allowed; no `accessFrom` denies; each selector's matchLabels are
 * ANDed (empty matches every namespace), the selectors ORed, and `namespaceSelectors: []` matches nothing.
 */
export function hasAccessToRef(
  fromNamespace: string,
  reference: { namespace: string; name: string },
  accessFrom: ImageRepositorySpec['accessFrom'],
  fromNamespaceLabels: Record<string, string>,
): string | undefined {
  if (reference.namespace === '' || reference.namespace === fromNamespace) return undefined;
  if (!accessFrom) return `'${reference.namespace}/${reference.name}' can't be accessed due to missing ACL labels on 'accessFrom'`;
  for (const selector of accessFrom.namespaceSelectors ?? []) {
    const wanted = Object.entries(selector?.matchLabels ?? {});
    if (wanted.every(([key, value]) => fromNamespaceLabels[key] === String(value))) return undefined;
  }
  return `'${reference.namespace}/${reference.name}' can't be accessed due to ACL labels mismatch on namespace '${fromNamespace}'`;
}

/** The ImagePolicy Ready=False message for a denied reference (imagepolicy_controller.go reconcile). */
export function accessDeniedMessage(denied: string): string {
  return `failed to get the referred ImageRepository: access denied: ${denied}`;
}

/**
 * Whether image-reflector-controller refuses `policy` the `repository` it refers to
 * (internal/controller/imagepolicy_controller.go getImageRepository → HasAccessToRef): the Ready=False
 * `AccessDenied` message, or undefined when allowed. `namespaceManifestLabels` are the labels of the policy's
 * Namespace manifest when the workspace has one; `kubernetes.io/metadata.name` is added as the API server does.
 * What hovers, inlays and quick fixes say when no reconciler status exists, so they agree with the reconciler.
 */
export function policyAccessDenied(
  policy: ImagePolicyObject, repository: ImageRepositoryObject, namespaceManifestLabels: Record<string, string> | undefined,
): string | undefined {
  const { namespace } = policy.metadata;
  const reference = { namespace: policy.spec.imageRepositoryRef.namespace || namespace, name: policy.spec.imageRepositoryRef.name };
  const denied = hasAccessToRef(namespace, reference, repository.spec.accessFrom, namespaceLabels(namespace, namespaceManifestLabels));
  return denied === undefined ? undefined : accessDeniedMessage(denied);
}
