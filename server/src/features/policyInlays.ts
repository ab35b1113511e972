// Inlay hints that need the stored tags (asked from the extension host): the tag each ImagePolicy of an
// ImageRepository selects (instead of the byte-order latest tag), and `→ <value>` after a marked value the
// automation would change.
import { SCREENING_TOKEN, setterValue } from '../../../common/flux/markers/markers';
import { chunkMarkers } from '../validation/markers';
import { applyPolicy } from '../../../common/flux/policy/policies';
import { parseImageReference } from '../../../common/flux/reference';
import type { ImagePolicyObject, ImagePolicyStatus, ImageRepositoryObject, NamespaceObject, Range } from '../../../common/model';
import { getCondition } from '../../../common/flux/conditions';
import { policyAccessDenied } from '../../../common/flux/acl';
import type { ParsedManifest } from '../../../common/manifests';
import type { InlayHint } from './inlayHints';

export interface PolicyInlayContext {
  storedTags(canonicalImageName: string): Promise<string[] | null>;
  imageRepositories(namespace: string, name: string): ImageRepositoryObject[];
  imagePolicies(namespace: string, name: string): ImagePolicyObject[];
  /** Every ImagePolicy of the workspace. */
  allImagePolicies(): ImagePolicyObject[];
  /** Namespace manifests of the workspace by name (their labels decide accessFrom). */
  namespaces?(name: string): NamespaceObject[];
  /** The extension host reconciler's status of a policy, when it runs (VS Code). */
  policyStatus?(policy: ImagePolicyObject): ImagePolicyStatus | undefined;
}

/**
 * The tag the policy resolved to: the reconciler's latestRef when it has reconciled the policy (so a policy the
 * controller would refuse, e.g. AccessDenied, names none), else the policy applied to the stored tags, unless
 * accessFrom denies it (AccessDenied as the controller decides it: no tag).
 */
async function selected(policy: ImagePolicyObject, repository: ImageRepositoryObject, ctx: PolicyInlayContext): Promise<string | undefined> {
  const status = ctx.policyStatus?.(policy);
  if (status) return getCondition(status, 'Ready')?.status === 'True' ? status.latestRef?.tag : undefined;
  if (policyAccessDenied(policy, repository, ctx.namespaces?.(policy.metadata.namespace)[0]?.metadata.labels)) return undefined;
  const parsed = parseImageReference(repository.spec.image, repository.spec.insecure === true);
  if (!parsed.ok) return undefined;
  const tags = await ctx.storedTags(parsed.reference.canonicalImageName);
  if (!tags || tags.length === 0) return undefined;
  const result = applyPolicy(policy.spec, tags);
  return result.ok ? result.latest : undefined;
}

/** `storefront → 1.10.0` per policy of each ImageRepository in range, to replace the `latest:` part of its hint. */
export async function repositoryPolicyLabels(manifest: ParsedManifest, ctx: PolicyInlayContext): Promise<Map<ImageRepositoryObject, string>> {
  const labels = new Map<ImageRepositoryObject, string>();
  const policies = ctx.allImagePolicies();
  for (const repository of manifest.objects.imageRepositories) {
    const mine = policies.filter((p) => (p.spec.imageRepositoryRef.namespace || p.metadata.namespace) === repository.metadata.namespace &&
      p.spec.imageRepositoryRef.name === repository.metadata.name);
    const parts: string[] = [];
    for (const policy of mine) {
      const tag = await selected(policy, repository, ctx);
      if (tag !== undefined) parts.push(`${policy.metadata.name} → ${tag}`);
    }
    if (parts.length > 0) labels.set(repository, parts.join(' · '));
  }
  return labels;
}

/** `→ 1.10.0` after each marked value in `range` that the automation would change. */
export async function markerInlayHints(manifest: ParsedManifest, range: Range, ctx: PolicyInlayContext): Promise<InlayHint[]> {
  const hints: InlayHint[] = [];
  for (const document of manifest.documents) {
    const { chunk } = document;
    if (!chunk.text.includes(SCREENING_TOKEN)) continue;
    for (const marker of chunkMarkers(chunk).markers) {
      if (marker.field === 'digest') continue;
      const end = chunk.lines.positionAt(marker.valueRange[1]);
      const line = end.line + document.startLine;
      if (line < range.start.line || line > range.end.line) continue;
      const policy = ctx.imagePolicies(marker.policy.namespace, marker.policy.name)[0];
      if (!policy) continue;
      const repository = ctx.imageRepositories(policy.spec.imageRepositoryRef.namespace || policy.metadata.namespace, policy.spec.imageRepositoryRef.name)[0];
      const tag = repository ? await selected(policy, repository, ctx) : undefined;
      if (tag === undefined || !repository) continue;
      const next = setterValue(marker.field, { name: repository.spec.image, tag });
      if (next !== marker.value) {
        hints.push({ position: { line, character: end.character }, label: `→ ${next}`, paddingLeft: true, tooltip: `ImagePolicy ${marker.policy.namespace}/${marker.policy.name} selects ${tag}` });
      }
    }
  }
  return hints;
}
