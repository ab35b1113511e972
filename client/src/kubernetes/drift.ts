// Both sides of common/flux/drift.ts from what the cluster source and the workspace index hold.
import type { DriftSubject } from '../../../common/flux/drift';
import type { ImagePolicyObject, ImageRepositoryObject, ImageRepositoryStatus } from '../../../common/model';
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

/** The workspace's ImagePolicies as drift subjects (outcomes are not compared: the editor does not own them). */
export function workspacePolicySubjects(policies: readonly ImagePolicyObject[]): DriftSubject[] {
  return policies.map((p) => ({
    kind: 'ImagePolicy' as const,
    namespace: p.metadata.namespace,
    name: p.metadata.name,
    spec: p.spec as unknown as Record<string, unknown>,
  }));
}
