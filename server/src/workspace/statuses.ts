// The reconciler's view of each ImageRepository and ImagePolicy, as sent by the extension host
// (`tagline/status`, `tagline/policyStatus`).
import { objectKey, type ImagePolicyObject, type ImagePolicyStatus, type ImageRepositoryObject } from '../../../common/model';
import type { ObjectStatus, PolicyObjectStatus, PolicyStatusParams, StatusParams } from '../../../common/protocol';
import type { AppliedPolicyName } from '../validation/markers';

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

  /**
   * The reconciler's statuses of an ImagePolicy written in this file under the names kustomize roots apply it as
   * (`appliedAs`, appliedPolicies.ts): the controller only knows those names.
   */
  forAppliedPolicy(object: ImagePolicyObject, appliedAs: readonly AppliedPolicyName[]): { applied: AppliedPolicyName; status: PolicyObjectStatus }[] {
    const out: { applied: AppliedPolicyName; status: PolicyObjectStatus }[] = [];
    for (const applied of appliedAs) {
      const status = this.policiesByKey.get(`${applied.namespace}/${applied.name}`);
      if (status && (!object.source || status.uri === object.source.uri)) out.push({ applied, status });
    }
    return out;
  }

  /**
   * One status for the policy written in this file: its own, else that of the names roots apply it as when they
   * all agree on Ready and latestRef (a tag shown once must hold for every root); undefined otherwise.
   */
  policyStatus(object: ImagePolicyObject, appliedAs: readonly AppliedPolicyName[] = []): ImagePolicyStatus | undefined {
    const own = this.forPolicy(object);
    if (own) return own.status;
    const applied = this.forAppliedPolicy(object, appliedAs).map((a) => a.status.status);
    const summary = (status: ImagePolicyStatus) => JSON.stringify([status.conditions?.find((c) => c.type === 'Ready')?.status, status.latestRef?.tag]);
    return applied.length > 0 && applied.every((status) => summary(status) === summary(applied[0])) ? applied[0] : undefined;
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
