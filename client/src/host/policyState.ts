// What the VS Code adapter knows about ImagePolicies: the server's index and the policy reconciler's statuses
// and events, read by the tree and the describe documents. Kept beside TaglineState's ImageRepositories, and
// apart from them: a policy and a repository often share `namespace/name`.
import type { FluxEvent, ImagePolicyObject, ImagePolicyStatus } from '../../../common/model';
import { objectKey } from '../../../common/model';
import { EventLog } from './eventLog';

export interface PolicyView {
  key: string;
  object: ImagePolicyObject;
  status?: ImagePolicyStatus;
}


export class PolicyState {
  private objects = new Map<string, ImagePolicyObject>();
  private readonly statuses = new Map<string, ImagePolicyStatus>();
  private readonly events = new EventLog();

  constructor(private readonly changed: () => void) {}

  /** The ImagePolicies of the server's index (the first of two with one key wins, as in the reconciler). */
  setObjects(policies: readonly ImagePolicyObject[]): void {
    this.objects = new Map();
    for (const p of policies) if (!this.objects.has(objectKey(p.metadata))) this.objects.set(objectKey(p.metadata), p);
    for (const key of [...this.statuses.keys()]) if (!this.objects.has(key)) this.statuses.delete(key);
    this.changed();
  }

  setStatus(key: string, status: ImagePolicyStatus): void {
    this.statuses.set(key, status);
    this.changed();
  }

  removeStatus(key: string): void {
    if (this.statuses.delete(key)) this.changed();
  }

  clearStatuses(): void {
    this.statuses.clear();
    this.changed();
  }

  addEvent(event: FluxEvent): void {
    this.events.add(event);
  }

  eventsFor(key: string): FluxEvent[] {
    return this.events.for(key);
  }

  get(key: string): PolicyView | undefined {
    const object = this.objects.get(key);
    return object ? { key, object, status: this.statuses.get(key) } : undefined;
  }

  all(): PolicyView[] {
    return [...this.objects.keys()].sort().map((k) => this.get(k)!);
  }

  /** The policies whose imageRepositoryRef names `repositoryKey` (`namespace/name`), by name. */
  forRepository(repositoryKey: string): PolicyView[] {
    return this.all().filter((v) => objectKey({
      namespace: v.object.spec.imageRepositoryRef.namespace || v.object.metadata.namespace,
      name: v.object.spec.imageRepositoryRef.name,
    }) === repositoryKey);
  }
}
