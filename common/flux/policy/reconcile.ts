// One reconcile of an ImagePolicy, as image-reflector-controller v1.2.0 internal/controller/
// imagepolicy_controller.go reconcile() does it, followed by its deferred ResultFinalizer (fluxcd/pkg/runtime
// reconcile/result.go Finalize) and notify(). Plain inputs (the policy, its repository if found, the namespace
// labels, the stored tags, a digest fetcher) and a plain result (status, event, when to come back).
import type { Condition, ImagePolicyObject, ImagePolicyStatus, ImageRef, ImageRepositoryObject } from '../../model';
import { deleteCondition, getCondition, isReconciling, isStalled, markFalse, markStalled, markTrue, progressiveStatus, type ConditionSetter } from '../conditions';
import { notify, type EventRecord } from '../events';
import { hasAccessToRef } from '../acl';
import { parseImageReference } from '../reference';
import {
  AccessDeniedReason, DependencyNotReadyReason, FailedReason, FeatureGateDisabledReason, ImageURLInvalidReason,
  IntervalNotConfiguredReason, InvalidPolicyReason, ProgressingReason, ProgressingWithRetryReason, StatusFailureReason,
  SucceededReason,
} from '../reasons';
import { applyPolicy } from './policies';

/** --requeue-dependency default of image-reflector-controller. */
export const DEPENDENCY_REQUEUE_MS = 30_000;
/** ImagePolicy.GetInterval() default when spec.interval is unset. */
export const DEFAULT_POLICY_INTERVAL = '10m';

export interface PolicyReconcileInput {
  policy: ImagePolicyObject;
  /** metadata.generation stand-in (the caller bumps it when specHash changes). */
  generation: number;
  /** The ImageRepository named by spec.imageRepositoryRef, if it exists. */
  repository: ImageRepositoryObject | undefined;
  /** Labels of the policy's namespace (with kubernetes.io/metadata.name), for accessFrom. */
  policyNamespaceLabels: Record<string, string>;
  /** The repository's stored tags (by its canonical name); [] when it has none. */
  tags: readonly string[];
  /** remote.Head of `<spec.image>:<tag>` with the repository's auth: the digest, or a thrown Error with ggcr's text. */
  fetchDigest?(image: string, tag: string): Promise<string>;
  now: number;
}

export interface PolicyReconcileResult {
  status: ImagePolicyStatus;
  event: EventRecord;
  /** When the controller would reconcile again by itself: the interval (Always), the dependency requeue, or never. */
  requeueAfter?: 'interval' | 'dependency' | 'backoff';
}

/** composeImagePolicyReadyMessage(): `Latest image tag for <name> resolved to <tag>[ with digest d][ (previously …)]`. */
export function composeImagePolicyReadyMessage(status: Pick<ImagePolicyStatus, 'latestRef' | 'observedPreviousRef'>): string {
  const latest = status.latestRef!;
  let message = `Latest image tag for ${latest.name} resolved to ${latest.tag}`;
  if (latest.digest) message += ` with digest ${latest.digest}`;
  const prev = status.observedPreviousRef;
  if (prev && !sameRef(latest, prev)) {
    message += ` (previously ${prev.name}:${prev.tag}`;
    if (prev.digest) message += `@${prev.digest}`;
    message += ')';
  }
  return message;
}

function sameRef(a: ImageRef, b: ImageRef): boolean {
  return a.name === b.name && a.tag === b.tag && (a.digest ?? '') === (b.digest ?? '');
}

function clone(status: ImagePolicyStatus): ImagePolicyStatus {
  return JSON.parse(JSON.stringify(status)) as ImagePolicyStatus;
}

type Outcome =
  | { kind: 'success'; readyMessage: string }
  | { kind: 'stalled' }
  | { kind: 'error'; message: string }
  | { kind: 'dependency' };

/** reconcile() of imagepolicy_controller.go with its deferred finalizer; never throws. */
export async function reconcileImagePolicy(input: PolicyReconcileInput, previous: ImagePolicyStatus): Promise<PolicyReconcileResult> {
  const status = clone(previous);
  const c: ConditionSetter = { status: status, generation: input.generation, now: input.now };
  const outcome = await reconcileSteps(input, status, c);
  finalize(status, c, outcome, input);
  keepTransitionTimes(previous, status);
  const event = notify(previous, status, outcome.kind === 'success' ? outcome.readyMessage : '');
  const requeueAfter = outcome.kind === 'success'
    ? (input.policy.spec.digestReflectionPolicy === 'Always' ? 'interval' : undefined)
    : outcome.kind === 'dependency' ? 'dependency' : outcome.kind === 'error' ? 'backoff' : undefined;
  return { status, event, ...(requeueAfter ? { requeueAfter } : {}) };
}

async function reconcileSteps(input: PolicyReconcileInput, status: ImagePolicyStatus, c: ConditionSetter): Promise<Outcome> {
  const { policy, repository } = input;
  const spec = policy.spec;
  const reflect = spec.digestReflectionPolicy ?? 'Never';
  if (reflect === 'Always' && spec.interval === undefined) {
    markStalled(c, IntervalNotConfiguredReason, "spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'");
    return { kind: 'stalled' };
  }
  progressiveStatus(c, false, ProgressingReason, 'reconciliation in progress');
  if (input.generation !== status.observedGeneration) {
    progressiveStatus(c, false, ProgressingReason, `processing object: new generation ${status.observedGeneration} -> ${input.generation}`);
  }

  // getImageRepository
  const refNamespace = spec.imageRepositoryRef.namespace || policy.metadata.namespace;
  const refName = spec.imageRepositoryRef.name;
  if (!repository) {
    // The controller reads through controller-runtime's cache, whose NotFound names the kind
    // (`ImageRepository.image.toolkit.fluxcd.io`), not the resource as the API server would
    // (controller-runtime v0.24.1 pkg/cache/internal/cache_reader.go CacheReader.Get: NewNotFound with Resource set to the Kind).
    const message = `failed to get the referred ImageRepository: referenced ImageRepository does not exist: ImageRepository.image.toolkit.fluxcd.io "${refName}" not found`;
    markFalse(c, 'Ready', DependencyNotReadyReason, message);
    return { kind: 'error', message };
  }
  const denied = hasAccessToRef(policy.metadata.namespace, { namespace: refNamespace, name: refName }, repository.spec.accessFrom, input.policyNamespaceLabels);
  if (denied) {
    const message = `failed to get the referred ImageRepository: access denied: ${denied}`;
    markFalse(c, 'Ready', AccessDeniedReason, message);
    return { kind: 'error', message };
  }

  const parsed = parseImageReference(repository.spec.image, repository.spec.insecure === true);
  if (!parsed.ok) {
    markStalled(c, ImageURLInvalidReason, parsed.message);
    return { kind: 'stalled' };
  }
  const provider = repository.spec.provider ?? 'generic';
  if (provider !== 'generic' && repository.spec.serviceAccountName) {
    markStalled(c, FeatureGateDisabledReason,
      'to use spec.serviceAccountName in the ImageRepository for provider authentication please enable the ObjectLevelWorkloadIdentity feature gate in the controller');
    return { kind: 'stalled' };
  }

  const latest = applyPolicy(spec, input.tags);
  if (!latest.ok) {
    if ('invalidPolicy' in latest) {
      markStalled(c, InvalidPolicyReason, latest.error);
      return { kind: 'stalled' };
    }
    if ('noTags' in latest) {
      markFalse(c, 'Ready', DependencyNotReadyReason, `retrying in ${DEPENDENCY_REQUEUE_MS / 1000}s error: ${latest.error}`);
      return { kind: 'dependency' };
    }
    markFalse(c, 'Ready', StatusFailureReason, latest.error);
    return { kind: 'error', message: latest.error };
  }

  // updateImageRefs
  const latestRef: ImageRef = { name: repository.spec.image, tag: latest.latest };
  let shouldFetch = false;
  if (reflect === 'IfNotPresent') {
    const current = status.latestRef;
    shouldFetch = !current || current.name !== latestRef.name || current.tag !== latestRef.tag || !current.digest;
    if (!shouldFetch) latestRef.digest = current!.digest;
  } else if (reflect === 'Always') {
    shouldFetch = true;
  }
  if (shouldFetch) {
    try {
      if (!input.fetchDigest) throw new Error('no registry access');
      latestRef.digest = await input.fetchDigest(repository.spec.image, latest.latest);
    } catch (err) {
      return { kind: 'error', message: `failed fetching digest of ${latestRef.name}:${latestRef.tag}: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  if (!status.latestRef || !sameRef(latestRef, status.latestRef)) {
    if (status.latestRef) status.observedPreviousRef = status.latestRef;
    else delete status.observedPreviousRef;
    status.latestRef = latestRef;
  }
  const readyMessage = composeImagePolicyReadyMessage(status);
  deleteCondition(c, 'Ready');
  return { kind: 'success', readyMessage };
}

/** Flux's patch helper writes only conditions that changed, so an unchanged one keeps its lastTransitionTime. */
function keepTransitionTimes(before: ImagePolicyStatus, after: ImagePolicyStatus): void {
  for (const condition of after.conditions) {
    const old = before.conditions.find((p) => p.type === condition.type);
    if (old && old.status === condition.status && old.reason === condition.reason && old.message === condition.message) {
      condition.lastTransitionTime = old.lastTransitionTime;
    }
  }
}

/** ResultFinalizer.Finalize with the policy's isSuccess, then ProgressingWithRetry and observedGeneration. */
function finalize(status: ImagePolicyStatus, c: ConditionSetter, outcome: Outcome, input: PolicyReconcileInput): void {
  const requested = input.policy.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
  if (requested !== undefined) status.lastHandledReconcileAt = requested;
  const ready = (): Condition | undefined => getCondition(status, 'Ready');
  const unknownOrTrue = () => !ready() || ready()!.status !== 'False';
  if (outcome.kind === 'error') deleteCondition(c, 'Stalled');
  if (outcome.kind !== 'success') {
    if (outcome.kind === 'dependency') deleteCondition(c, 'Stalled');
    const stalled = getCondition(status, 'Stalled');
    if (stalled?.status === 'True' && unknownOrTrue()) markFalse(c, 'Ready', stalled.reason, stalled.message);
  }
  if (outcome.kind === 'success' || isStalled(status)) deleteCondition(c, 'Reconciling');
  if (outcome.kind === 'error' && unknownOrTrue()) markFalse(c, 'Ready', FailedReason, outcome.message);
  if (outcome.kind === 'success' && unknownOrTrue() && ready()?.status !== 'True') markTrue(c, 'Ready', SucceededReason, outcome.readyMessage);
  if (isReconciling(status)) {
    const reconciling = getCondition(status, 'Reconciling')!;
    markTrue(c, 'Reconciling', ProgressingWithRetryReason, reconciling.message);
  }
  const r = ready();
  if ((r?.status === 'True' && !isReconciling(status)) || isStalled(status)) status.observedGeneration = input.generation;
}
