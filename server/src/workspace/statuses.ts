// The reconciler's view of each ImageRepository and ImagePolicy, as sent by the extension host
// (`tagline/status`, `tagline/policyStatus`).
import { objectKey, type ImagePolicyObject, type ImageRepositoryObject } from '../../../common/model';
import type { ObjectStatus, PolicyObjectStatus, PolicyStatusParams, StatusParams } from '../../../common/protocol';

export class StatusStore {
  private readonly byKey = new Map<string, ObjectStatus>();
  private readonly policiesByKey = new Map<string, PolicyObjectStatus>();

  /** Applies a policy notification; returns the URIs whose policy statuses changed. */
  applyPolicies(params: PolicyStatusParams): Set<string> {
    const touched = new Set<string>();
    for (const key of params.removed ?? []) {
      const old = this.policiesByKey.get(key);
      if (old) touched.add(old.uri);
      this.policiesByKey.delete(key);
    }
    for (const status of params.statuses ?? []) {
      const old = this.policiesByKey.get(status.key);
      if (old) touched.add(old.uri);
      touched.add(status.uri);
      this.policiesByKey.set(status.key, status);
    }
    return touched;
  }

  /** The reconciler's status of this ImagePolicy as written in this file. */
  forPolicy(object: ImagePolicyObject): PolicyObjectStatus | undefined {
    const status = this.policiesByKey.get(objectKey(object.metadata));
    return status && (!object.source || status.uri === object.source.uri) ? status : undefined;
  }

  policy(key: string): PolicyObjectStatus | undefined {
    return this.policiesByKey.get(key);
  }

  /** Applies a notification; returns the URIs whose statuses changed. */
  apply(params: StatusParams): Set<string> {
    const touched = new Set<string>();
    for (const key of params.removed ?? []) {
      const old = this.byKey.get(key);
      if (old) touched.add(old.uri);
      this.byKey.delete(key);
    }
    for (const status of params.statuses ?? []) {
      const old = this.byKey.get(status.key);
      if (old) touched.add(old.uri);
      touched.add(status.uri);
      this.byKey.set(status.key, status);
    }
    return touched;
  }

  get(key: string): ObjectStatus | undefined {
    return this.byKey.get(key);
  }

  /** The status of this object as written in this file (the same key in another file is another object). */
  forObject(object: ImageRepositoryObject): ObjectStatus | undefined {
    const status = this.byKey.get(objectKey(object.metadata));
    return status && (!object.source || status.uri === object.source.uri) ? status : undefined;
  }
}
