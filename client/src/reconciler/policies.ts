// ImagePolicies evaluated on the stored tags of their repositories, each by common/flux/policy/reconcile.ts (the
// controller's reconcile()), with the digest HEAD going through the scan's credentials, TLS and proxy. Used by
// `tagline scan` after the repositories are reconciled; keeps each policy's status between calls so
// observedPreviousRef, events and IfNotPresent digests behave as in the cluster.
import { namespaceLabels } from '../../../common/flux/acl';
import { filterOutTags, getExclusionList } from '../../../common/flux/exclusion';
import { reconcileImagePolicy, type PolicyReconcileResult } from '../../../common/flux/policy/reconcile';
import { parseImageReference } from '../../../common/flux/reference';
import {
  objectKey, type FluxEvent, type ImagePolicyObject, type ImagePolicyStatus, type ImageRepositoryStatus, type WorkspaceObjects,
} from '../../../common/model';
import type { PolicyReport } from '../../../common/flux/report';
import { buildScanOptions, headManifestDigest, type CredentialContext } from '../registry';
import type { TagStore } from '../store';

export interface PolicySource {
  /** The repository's status from the reconciler (for its canonical name). */
  status(key: string): ImageRepositoryStatus | undefined;
  /** Every stored tag of a canonical name, before exclusion; null when never scanned. */
  storedTags(canonicalImageName: string): string[] | null;
}


/** What the caller keeps of a policy between reconciles (the controller's object in the API server). */
export interface PolicyRecord {
  specHash: string;
  generation: number;
  status: ImagePolicyStatus;
}

export interface PolicyOutcome extends PolicyRecord {
  /** The controller's event for this reconcile, when notify() emits one. */
  event?: FluxEvent;
  /** As PolicyReconcileResult.requeueAfter: `interval` (digestReflectionPolicy Always), `dependency` (30 s), `backoff`. */
  requeueAfter?: PolicyReconcileResult['requeueAfter'];
}

/**
 * One reconcile of `policy` on the stored tags of its repository (common/flux/policy/reconcile.ts, the
 * controller's reconcile()), continuing `previous`: the generation moves on when the spec hash changed. The digest
 * HEAD (registry/head.ts, ggcr remote.Head) uses the repository's credentials, TLS and proxy. Never throws for a
 * registry failure: it becomes the controller's condition. `tagline scan` and the extension host both call this.
 */
export async function reconcilePolicy(
  policy: ImagePolicyObject, objects: WorkspaceObjects, source: PolicySource, previous: PolicyRecord | undefined,
  credentials: CredentialContext | undefined, now: number, signal: AbortSignal,
): Promise<PolicyOutcome> {
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
  const result = await reconcileImagePolicy({
    policy, generation, repository, tags, now,
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
  const event: FluxEvent | undefined = result.event.message === '' ? undefined : {
    ...result.event, timestamp: new Date(now).toISOString(),
    involvedObject: { kind: 'ImagePolicy', namespace: policy.metadata.namespace, name: policy.metadata.name },
  };
  return {
    specHash: policy.specHash, generation, status: result.status,
    ...(event ? { event } : {}), ...(result.requeueAfter ? { requeueAfter: result.requeueAfter } : {}),
  };
}

/**
 * `tagline scan`'s policies: every ImagePolicy reconciled once per call, keeping each status between calls and,
 * given a store, in the tag database (read back by the next run and by the editor, as the cluster keeps status).
 */
export class PolicyEvaluator {
  private readonly state = new Map<string, PolicyRecord & { events: FluxEvent[] }>();

  constructor(
    private readonly credentials: CredentialContext | undefined,
    private readonly now: () => number = Date.now,
    private readonly store?: Pick<TagStore, 'policy' | 'putPolicy'>,
  ) {}

  /** Reconciles every ImagePolicy of `objects` once; a policy with the same key in two files is taken once. */
  async evaluate(objects: WorkspaceObjects, source: PolicySource, signal: AbortSignal = new AbortController().signal): Promise<PolicyReport[]> {
    const reports: PolicyReport[] = [];
    const seen = new Set<string>();
    for (const policy of objects.imagePolicies ?? []) {
      const key = objectKey(policy.metadata);
      if (seen.has(key)) continue;
      seen.add(key);
      const previous = this.state.get(key) ?? this.stored(key);
      const outcome = await reconcilePolicy(policy, objects, source, previous, this.credentials, this.now(), signal);
      const events = [...(previous?.events ?? []), ...(outcome.event ? [outcome.event] : [])];
      this.state.set(key, { specHash: outcome.specHash, generation: outcome.generation, status: outcome.status, events });
      this.store?.putPolicy({ key, specHash: outcome.specHash, generation: outcome.generation, status: outcome.status });
      reports.push({ object: policy, status: outcome.status, events });
    }
    return reports;
  }

  private stored(key: string): (PolicyRecord & { events: FluxEvent[] }) | undefined {
    const row = this.store?.policy(key);
    return row ? { specHash: row.specHash, generation: row.generation, status: row.status, events: [] } : undefined;
  }
}
