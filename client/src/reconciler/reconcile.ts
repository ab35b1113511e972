// One reconcile of one ImageRepository, step by step in the controller's order (imagerepository_controller.go
// `reconcile()` in image-reflector-controller internal/controller/), followed by its deferred result finalizer and `notify()`.
import {
  deleteCondition,
  getCondition,
  isReconciling,
  isStalled,
  markFalse,
  markReconciling,
  markStalled,
  markTrue,
  progressiveStatus,
  type ConditionSetter,
} from '../../../common/flux/conditions';
import { formatGoDuration } from '../../../common/flux/duration';
import { notify, type EventRecord } from '../../../common/flux/events';
import { getExclusionList } from '../../../common/flux/exclusion';
import {
  AuthenticationFailedReason,
  FailedReason,
  FeatureGateDisabledReason,
  ImageURLInvalidReason,
  ProgressingReason,
  ProgressingWithRetryReason,
  ReadOperationFailedReason,
  StatusFailureReason,
  SucceededReason,
} from '../../../common/flux/reasons';
import { parseImageReference, type ImageReference } from '../../../common/flux/reference';
import { shouldScan, type ScanDecision } from '../../../common/flux/scheduling';
import { objectKey, type ImageRepositoryObject, type ImageRepositoryStatus, type WorkspaceObjects } from '../../../common/model';
import type { CredentialContext, ScanOptions } from '../registry';
import { RegistryError } from '../registry';
import type { TagStore } from '../store';
import { scan, type ScanOutcome } from './scan';
import { ReconcileCancelled, type RegistryApi } from './types';
import { errorMessage } from '../../../common/errors';

export const FEATURE_GATE_MESSAGE =
  'to use spec.serviceAccountName for provider authentication please enable the ObjectLevelWorkloadIdentity feature gate in the controller';

export interface ReconcileInput {
  object: ImageRepositoryObject;
  generation: number;
  status: ImageRepositoryStatus;
  /** The effective `reconcile.fluxcd.io/requestedAt` (the annotation, or a later local rescan request). */
  requestedAt: string | undefined;
  intervalMs: number;
  timeoutMs: number;
  workspace: WorkspaceObjects;
  credentials: CredentialContext;
  registry: RegistryApi;
  store: TagStore;
  /** Aborted when the object is removed or changed: the run is dropped. */
  cancel: AbortSignal;
  now: () => number;
  /** Lists through the shared queue (concurrency, de-duplication). */
  list: (reference: ImageReference, options: ScanOptions, signal: AbortSignal) => Promise<string[]>;
  /** The controller's intermediate status patches: shown while the run goes on. */
  patch: (status: ImageRepositoryStatus, scanning: boolean) => void;
}

export type ReconcileOutcome =
  | { kind: 'success'; requeueAfterMs: number }
  | { kind: 'stalled' }
  | { kind: 'error'; message: string };

export interface ReconcileResult {
  status: ImageRepositoryStatus;
  outcome: ReconcileOutcome;
  event: EventRecord;
  /** Set when a scan stored new tags for this object. */
  scanned?: ScanOutcome;
}

/** Everything the steps share: the object being edited, as the Go code shares `obj`. */
class Reconciliation {
  readonly status: ImageRepositoryStatus;
  /** What was last written out, which the patch helper diffs against (it ignores lastTransitionTime). */
  lastPatched: ImageRepositoryStatus;
  nextScanMsg = '';
  scanned: ScanOutcome | undefined;

  constructor(readonly input: ReconcileInput) {
    this.status = structuredClone(input.status);
    this.lastPatched = structuredClone(input.status);
  }

  patch(scanning: boolean): void {
    keepTransitionTimes(this.lastPatched, this.status);
    this.lastPatched = structuredClone(this.status);
    this.input.patch(this.lastPatched, scanning);
  }

  get conditions(): ConditionSetter {
    return { status: this.status, generation: this.input.generation, now: this.input.now() };
  }

  checkCancelled(): void {
    if (this.input.cancel.aborted) throw new ReconcileCancelled();
  }
}

export async function reconcile(input: ReconcileInput): Promise<ReconcileResult> {
  const run = new Reconciliation(input);
  const oldStatus = structuredClone(input.status);
  let outcome: ReconcileOutcome;
  try {
    outcome = await reconcileSteps(run);
  } catch (err) {
    if (err instanceof ReconcileCancelled || input.cancel.aborted) throw new ReconcileCancelled();
    outcome = { kind: 'error', message: errorMessage(err) };
  }
  finalizeResult(run, outcome);
  keepTransitionTimes(run.lastPatched, run.status);
  return { status: run.status, outcome, event: notify(oldStatus, run.status, run.nextScanMsg), scanned: run.scanned };
}

async function reconcileSteps(run: Reconciliation): Promise<ReconcileOutcome> {
  const { object } = run.input;
  if (!checkWorkloadIdentityGate(run)) return { kind: 'stalled' };
  markProgressing(run);

  const reference = parseReference(run);
  if (!reference) return { kind: 'stalled' };

  const timeout = AbortSignal.timeout(run.input.timeoutMs);
  const signal = AbortSignal.any([timeout, run.input.cancel]);

  const options = await buildAuth(run, reference, signal);
  if (!options.ok) return { kind: 'error', message: options.message };

  const decision = decideScan(run);
  if (!decision.ok) return { kind: 'error', message: decision.message };

  if (decision.value.scan) {
    const scanned = await scanRepository(run, reference, options.value, decision.value, signal);
    if (!scanned.ok) return { kind: 'error', message: scanned.message };
    const previous = run.status.lastScanResult?.revision;
    run.status.lastScanResult = scanned.value.lastScanResult;
    run.scanned = scanned.value;
    const next = formatGoDuration(decision.value.nextMs);
    run.nextScanMsg =
      previous === scanned.value.lastScanResult.revision
        ? `tags did not change, next scan in ${next}`
        : `successful scan, next scan in ${next}`;
  } else {
    run.nextScanMsg = `no change in repository configuration since last scan, next scan in ${formatGoDuration(decision.value.nextMs)}`;
  }

  run.status.canonicalImageName = reference.canonicalImageName;
  run.status.observedExclusionList = [...getExclusionList(object.spec)];
  deleteCondition(run.conditions, 'Ready');
  return { kind: 'success', requeueAfterMs: decision.value.nextMs };
}

/** Step 1: object-level workload identity is a controller feature gate, off by default. */
function checkWorkloadIdentityGate(run: Reconciliation): boolean {
  const { provider, serviceAccountName } = run.input.object.spec;
  if (provider !== undefined && provider !== 'generic' && serviceAccountName) {
    markStalled(run.conditions, FeatureGateDisabledReason, FEATURE_GATE_MESSAGE);
    return false;
  }
  return true;
}

/** Steps 2–3: Reconciling (and Ready=Unknown while unknown); a new generation is announced and patched. */
function markProgressing(run: Reconciliation): void {
  progressiveStatus(run.conditions, false, ProgressingReason, 'reconciliation in progress');
  const observed = run.status.observedGeneration;
  if (run.input.generation !== observed) {
    progressiveStatus(run.conditions, false, ProgressingReason, `processing object: new generation ${observed} -> ${run.input.generation}`);
    run.patch(false);
  } else if ((run.input.requestedAt ?? '') !== (run.status.lastHandledReconcileAt ?? '')) {
    run.patch(false);
  }
}

/** Step 4: `ParseImageReference`; a bad image stalls the object until its spec changes. */
function parseReference(run: Reconciliation): ImageReference | undefined {
  const parsed = parseImageReference(run.input.object.spec.image, run.input.object.spec.insecure ?? false);
  if (!parsed.ok) {
    markStalled(run.conditions, ImageURLInvalidReason, parsed.message);
    return undefined;
  }
  deleteCondition(run.conditions, 'Stalled');
  return parsed.reference;
}

type Step<T> = { ok: true; value: T } | { ok: false; message: string };

/** Step 5: the auth options, within the same deadline as the scan. */
async function buildAuth(run: Reconciliation, reference: ImageReference, signal: AbortSignal): Promise<Step<ScanOptions>> {
  const { registry, object, workspace, credentials } = run.input;
  try {
    const options = await raceAbort(registry.buildScanOptions(object, reference, workspace, credentials), signal);
    return { ok: true, value: options };
  } catch (err) {
    run.checkCancelled();
    const message = `failed to configure authentication options: ${deadlineMessage(err, signal)}`;
    markFalse(run.conditions, 'Ready', AuthenticationFailedReason, message);
    return { ok: false, message };
  }
}

/** Step 6: `shouldScan`; a storage read error is the controller's `Failure`. */
function decideScan(run: Reconciliation): Step<ScanDecision> {
  const { object, requestedAt, intervalMs, store, now } = run.input;
  try {
    const decision = shouldScan({
      spec: object.spec,
      requestedAt,
      status: run.status,
      intervalMs,
      readStoredTags: () => store.object(objectKey(object.metadata))?.tags,
      now: now(),
    });
    return { ok: true, value: decision };
  } catch (err) {
    const message = `failed to determine if it's scan time: ${errorMessage(err)}`;
    markFalse(run.conditions, 'Ready', StatusFailureReason, message);
    return { ok: false, message };
  }
}

/** Step 7: announce the scan (drift forces Ready=Unknown), then scan. */
async function scanRepository(
  run: Reconciliation,
  reference: ImageReference,
  options: ScanOptions,
  decision: ScanDecision,
  signal: AbortSignal,
): Promise<Step<ScanOutcome>> {
  const { object, store, now, list } = run.input;
  progressiveStatus(run.conditions, decision.reason === 'no tags in database', ProgressingReason, `scanning: ${decision.reason}`);
  run.patch(true);
  try {
    const outcome = await scan({ object, reference, store, now, list: () => list(reference, options, signal) });
    run.checkCancelled();
    return { ok: true, value: outcome };
  } catch (err) {
    run.checkCancelled();
    const message = `scan failed: ${deadlineMessage(err, signal)}`;
    markFalse(run.conditions, 'Ready', ReadOperationFailedReason, message);
    return { ok: false, message };
  }
}

/** The deferred part of `reconcile()`: ResultFinalizer, ProgressingWithRetry and the handled request. */
function finalizeResult(run: Reconciliation, outcome: ReconcileOutcome): void {
  const c = run.conditions;
  if (run.input.requestedAt !== undefined) run.status.lastHandledReconcileAt = run.input.requestedAt;
  if (outcome.kind === 'stalled' || isStalled(run.status)) {
    deleteCondition(c, 'Reconciling');
    const stalled = getCondition(run.status, 'Stalled');
    const ready = getCondition(run.status, 'Ready');
    if (stalled && (!ready || ready.status !== 'False')) markFalse(c, 'Ready', stalled.reason, stalled.message);
  } else if (outcome.kind === 'success') {
    deleteCondition(c, 'Reconciling');
    const last = run.status.lastScanResult;
    markTrue(c, 'Ready', SucceededReason, `successful scan: found ${last?.tagCount ?? 0} tags with checksum ${last?.revision ?? ''}`);
  } else {
    const ready = getCondition(run.status, 'Ready');
    if (!ready || ready.status !== 'False') markFalse(c, 'Ready', FailedReason, outcome.message);
    if (isReconciling(run.status)) {
      const reconciling = getCondition(run.status, 'Reconciling');
      markReconciling(c, ProgressingWithRetryReason, reconciling?.message ?? '');
    }
  }
  const ready = getCondition(run.status, 'Ready');
  if (ready?.status === 'True' || isStalled(run.status)) run.status.observedGeneration = run.input.generation;
}

/**
 * Flux's patch helper applies only conditions whose status, reason or message changed, so a condition that was
 * deleted and set again with the same state keeps its stored lastTransitionTime.
 */
function keepTransitionTimes(before: ImageRepositoryStatus, after: ImageRepositoryStatus): void {
  for (const condition of after.conditions) {
    const previous = getCondition(before, condition.type);
    if (previous && previous.status === condition.status && previous.reason === condition.reason && previous.message === condition.message) {
      condition.lastTransitionTime = previous.lastTransitionTime;
    }
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}

/** Go's context error text when our deadline, not the registry, ended the call. */
function deadlineMessage(err: unknown, signal: AbortSignal): string {
  if (err instanceof RegistryError) return err.message;
  if (signal.aborted && (err === signal.reason || (err as Error)?.name === 'TimeoutError' || (err as Error)?.name === 'AbortError')) {
    return 'context deadline exceeded';
  }
  return errorMessage(err);
}
