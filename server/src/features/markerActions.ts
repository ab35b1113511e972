// Quick fixes on image-update markers: "Update to <value>" for one marker whose value differs from what its
// ImagePolicy selects, and "Update all markers in this file". Both take their edits from common/flux/markers
// fileSetters, the function `tagline update` writes files with, so the editor and the CLI make the same change.
import { applyPolicy } from '../../../common/flux/policy/policies';
import { parseImageReference } from '../../../common/flux/reference';
import { digestReflectionReason, fileSetters, type PolicyLookup } from '../../../common/flux/markers/setters';
import { findMarkers, SCREENING_TOKEN } from '../../../common/flux/markers/markers';
import { getCondition } from '../../../common/flux/conditions';
import { policyAccessDenied } from '../../../common/flux/acl';
import type { ImagePolicyObject, ImagePolicyStatus, ImageRepositoryObject, NamespaceObject, Range } from '../../../common/model';
import type { CodeAction } from './codeActions';

export interface MarkerActionContext {
  /** Every stored tag for a canonical name, or null when no reconciler answers. */
  storedTags(canonicalImageName: string): Promise<string[] | null>;
  imageRepositories(namespace: string, name: string): ImageRepositoryObject[];
  imagePolicies(namespace: string, name: string): ImagePolicyObject[];
  /** Namespace manifests of the workspace by name (their labels decide accessFrom). */
  namespaces?(name: string): NamespaceObject[];
  /** The extension host reconciler's status of a policy, when it runs (VS Code): its latestRef carries the digest. */
  policyStatus?(policy: ImagePolicyObject): ImagePolicyStatus | undefined;
}

/** Offsets ↔ positions of the document the actions edit. */
export interface OffsetMap {
  positionAt(offset: number): { line: number; character: number };
}

/**
 * The latestRef each ImagePolicy named by a marker of `text` gets from the stored tags (image-reflector-controller
 * v1.2.0's policy on the workspace's ImagePolicy and ImageRepository), as the PolicyLookup fileSetters takes.
 * The extension host reconciler's status wins when it has one (its latestRef carries a reflected digest);
 * without it, a policy that reflects digests has no latestRef here.
 */
export async function workspacePolicyLookup(text: string, ctx: MarkerActionContext): Promise<PolicyLookup> {
  const answers = new Map<string, ReturnType<PolicyLookup>>();
  for (const marker of findMarkers(text).markers) {
    const { namespace, name } = marker.policy;
    const key = `${namespace}/${name}`;
    if (answers.has(key)) continue;
    answers.set(key, await latestRefOf(namespace, name, ctx));
  }
  return (namespace, name) => answers.get(`${namespace}/${name}`) ?? { reason: `ImagePolicy '${namespace}/${name}' is not in the workspace` };
}

async function latestRefOf(namespace: string, name: string, ctx: MarkerActionContext): Promise<ReturnType<PolicyLookup>> {
  const policy = ctx.imagePolicies(namespace, name)[0];
  if (!policy) return { reason: `ImagePolicy '${namespace}/${name}' is not in the workspace` };
  // The reconciler's result is what the automation reads (status.latestRef), digest included; an object it
  // refuses (AccessDenied, InvalidPolicy…) has no latest image, as in the cluster.
  const status = ctx.policyStatus?.(policy);
  if (status) {
    const ready = getCondition(status, 'Ready');
    if (ready?.status === 'True' && status.latestRef) return { latestRef: status.latestRef };
    return { reason: `ImagePolicy '${namespace}/${name}' has no latest image${ready?.message ? `: ${ready.message}` : ''}` };
  }
  const reflect = policy.spec.digestReflectionPolicy;
  if (reflect === 'Always' || reflect === 'IfNotPresent') return { reason: digestReflectionReason(namespace, name) };
  const refNamespace = policy.spec.imageRepositoryRef.namespace || policy.metadata.namespace;
  const repository = ctx.imageRepositories(refNamespace, policy.spec.imageRepositoryRef.name)[0];
  if (!repository) return { reason: `ImageRepository '${refNamespace}/${policy.spec.imageRepositoryRef.name}' is not in the workspace` };
  // The controller checks accessFrom before it reads any tag: a denied policy is AccessDenied, with no latestRef.
  const denied = policyAccessDenied(policy, repository, ctx.namespaces?.(policy.metadata.namespace)[0]?.metadata.labels);
  if (denied) return { reason: `ImagePolicy '${namespace}/${name}' has no latest image: ${denied}` };
  const parsed = parseImageReference(repository.spec.image, repository.spec.insecure === true);
  if (!parsed.ok) return { reason: parsed.message };
  const tags = await ctx.storedTags(parsed.reference.canonicalImageName);
  if (!tags || tags.length === 0) return { reason: 'no tags in database' };
  const result = applyPolicy(policy.spec, tags);
  return result.ok ? { latestRef: { name: repository.spec.image, tag: result.latest } } : { reason: result.error };
}

function overlaps(a: Range, b: Range): boolean {
  const before = (p: Range['start'], q: Range['start']) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** The marker quick fixes for `range` in the document `uri` with `text`. */
export async function markerCodeActions(uri: string, text: string, range: Range, offsets: OffsetMap, ctx: MarkerActionContext): Promise<CodeAction[]> {
  if (!text.includes(SCREENING_TOKEN)) return [];
  const result = fileSetters(text, await workspacePolicyLookup(text, ctx));
  if (result.edits.length === 0) return [];
  const toRange = (r: [number, number]): Range => ({ start: offsets.positionAt(r[0]), end: offsets.positionAt(r[1]) });
  const actions: CodeAction[] = [];
  for (const edit of result.edits) {
    if (edit.newValue === edit.marker.value) continue;
    const markerRange = toRange([edit.marker.valueRange[0], edit.marker.commentRange[1]]);
    if (!overlaps(markerRange, range)) continue;
    actions.push({ title: `Update to ${edit.newValue === "" ? "\"\" (status.latestRef has no digest)" : edit.newValue}`, kind: 'quickfix', diagnostics: [], isPreferred: true, edit: { changes: { [uri]: [{ range: toRange(edit.range), newText: edit.newText }] } } });
  }
  const touched = findMarkers(text).markers.some((m) => overlaps(toRange([m.valueRange[0], m.commentRange[1]]), range));
  if (touched) {
    actions.push({ title: 'Update all markers in this file', kind: 'quickfix', diagnostics: [], edit: { changes: { [uri]: result.edits.map((e) => ({ range: toRange(e.range), newText: e.newText })) } } });
  }
  return actions;
}
