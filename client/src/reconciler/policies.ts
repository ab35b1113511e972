// ImagePolicies evaluated on the stored tags of their repositories, each by common/flux/policy/reconcile.ts (the
// controller's reconcile()), with the digest HEAD going through the scan's credentials, TLS and proxy. Used by
// `tagline scan` after the repositories are reconciled; keeps each policy's status between calls so
// observedPreviousRef, events and IfNotPresent digests behave as in the cluster.
import { namespaceLabels } from '../../../common/flux/acl';
import { filterOutTags, getExclusionList } from '../../../common/flux/exclusion';
import { reconcileImagePolicy } from '../../../common/flux/policy/reconcile';
import { parseImageReference } from '../../../common/flux/reference';
import {
  objectKey, type FluxEvent, type ImagePolicyObject, type ImagePolicyStatus, type ImageRepositoryStatus, type WorkspaceObjects,
} from '../../../common/model';
import type { PolicyReport } from '../../../common/flux/report';
import { buildScanOptions, headManifestDigest, type CredentialContext } from '../registry';

export interface PolicySource {
  /** The repository's status from the reconciler (for its canonical name). */
  status(key: string): ImageRepositoryStatus | undefined;
  /** Every stored tag of a canonical name, before exclusion; null when never scanned. */
  storedTags(canonicalImageName: string): string[] | null;
}


export class PolicyEvaluator {
  private readonly state = new Map<string, { specHash: string; generation: number; status: ImagePolicyStatus; events: FluxEvent[] }>();

  constructor(private readonly credentials: CredentialContext | undefined, private readonly now: () => number = Date.now) {}

  /** Reconciles every ImagePolicy of `objects` once; a policy with the same key in two files is taken once. */
  async evaluate(objects: WorkspaceObjects, source: PolicySource, signal: AbortSignal = new AbortController().signal): Promise<PolicyReport[]> {
    const reports: PolicyReport[] = [];
    const seen = new Set<string>();
    for (const policy of objects.imagePolicies ?? []) {
      const key = objectKey(policy.metadata);
      if (seen.has(key)) continue;
      seen.add(key);
      reports.push(await this.evaluateOne(policy, objects, source, signal));
    }
    return reports;
  }

  private async evaluateOne(policy: ImagePolicyObject, objects: WorkspaceObjects, source: PolicySource, signal: AbortSignal): Promise<PolicyReport> {
    const key = objectKey(policy.metadata);
    const previous = this.state.get(key);
    const generation = !previous ? 1 : previous.specHash === policy.specHash ? previous.generation : previous.generation + 1;
    const refNamespace = policy.spec.imageRepositoryRef.namespace || policy.metadata.namespace;
    const repository = objects.imageRepositories.find((r) => r.metadata.namespace === refNamespace && r.metadata.name === policy.spec.imageRepositoryRef.name);
    const manifest = (objects.namespaces ?? []).find((n) => n.metadata.name === policy.metadata.namespace);
    let tags: string[] = [];
    if (repository) {
      const canonical = source.status(objectKey(repository.metadata))?.canonicalImageName;
      const stored = canonical ? source.storedTags(canonical) : null;
      // The controller stores the tags left after the exclusion list, in the registry's order.
      if (stored) tags = filterOutTags(stored, getExclusionList(repository.spec));
    }
    const credentials = this.credentials;
    const result = await reconcileImagePolicy({
      policy, generation, repository, tags, now: this.now(),
      policyNamespaceLabels: namespaceLabels(policy.metadata.namespace, manifest?.metadata.labels),
      fetchDigest: repository && credentials ? async (image, tag) => {
        const parsed = parseImageReference(image, repository.spec.insecure === true);
        if (!parsed.ok) throw new Error(parsed.message);
        const options = await buildScanOptions(repository, parsed.reference, objects, credentials);
        try {
          return await headManifestDigest(parsed.reference, tag, options, signal);
        } catch (err) {
          throw new Error(`failed fetching descriptor for "${parsed.reference.canonicalImageName}:${tag}": ${err instanceof Error ? err.message : String(err)}`);
        }
      } : undefined,
    }, previous?.status ?? { observedGeneration: -1, conditions: [] });
    const events = [...(previous?.events ?? [])];
    if (result.event.message !== '') {
      events.push({
        ...result.event, timestamp: new Date(this.now()).toISOString(),
        involvedObject: { kind: 'ImagePolicy', namespace: policy.metadata.namespace, name: policy.metadata.name },
      });
    }
    this.state.set(key, { specHash: policy.specHash, generation, status: result.status, events });
    return { object: policy, status: result.status, events };
  }
}
