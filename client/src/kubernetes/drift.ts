// Both sides of common/flux/drift.ts from what the cluster source and the workspace index hold.
import type { DriftSubject } from '../../../common/flux/drift';
import type { ImagePolicyObject, ImagePolicyStatus, ImageRepositoryObject, ImageRepositoryStatus } from '../../../common/model';
import { readyOf, type ClusterObject } from './objects';

export function clusterSubjects(objects: ClusterObject[]): DriftSubject[] {
  return objects.map((o) => ({ kind: o.kind, namespace: o.namespace, name: o.name, spec: o.spec, ready: readyOf(o) }));
}

/**
 * The workspace's ImageRepositories, with the local reconciler's Ready condition when `statuses` has one (keyed
 * by `namespace/name`), so a different outcome is found when both scanned.
 */
export function workspaceSubjects(repositories: ImageRepositoryObject[], statuses?: ReadonlyMap<string, ImageRepositoryStatus>): DriftSubject[] {
  return repositories.map((r) => {
    const ready = statuses?.get(`${r.metadata.namespace}/${r.metadata.name}`)?.conditions.find((c) => c.type === 'Ready');
    return {
      kind: 'ImageRepository' as const,
      namespace: r.metadata.namespace,
      name: r.metadata.name,
      spec: r.spec as unknown as Record<string, unknown>,
      ...(ready ? { ready: { status: ready.status, reason: ready.reason, message: ready.message } } : {}),
    };
  });
}

/**
 * The workspace's ImagePolicies as drift subjects. `statuses` (keyed `namespace/name`), when given, are the local
 * reconciler's results, so a different Ready outcome in the cluster is drift too.
 */
export function workspacePolicySubjects(policies: readonly ImagePolicyObject[], statuses?: ReadonlyMap<string, ImagePolicyStatus>): DriftSubject[] {
  return policies.map((p) => {
    const ready = statuses?.get(`${p.metadata.namespace}/${p.metadata.name}`)?.conditions.find((c) => c.type === 'Ready');
    return {
      kind: 'ImagePolicy' as const,
      namespace: p.metadata.namespace,
      name: p.metadata.name,
      spec: p.spec as unknown as Record<string, unknown>,
      ...(ready ? { ready: { status: ready.status, reason: ready.reason, message: ready.message } } : {}),
    };
  });
}
