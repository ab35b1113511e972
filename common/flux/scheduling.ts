// When the controller scans (image-reflector-controller internal/controller/imagerepository_controller.go
// `shouldScan`) and how long it waits after a failure
// (controller-runtime's per-item exponential limiter with Flux's --min-retry-delay/--max-retry-delay,
// fluxcd/pkg runtime/controller/rate_limiter.go).
import type { ImageRepositoryObject, ImageRepositoryStatus } from '../model';
import { getExclusionList } from './exclusion';
import { parseImageReference } from './reference';

export const RECONCILE_REQUEST_ANNOTATION = 'reconcile.fluxcd.io/requestedAt';

export const MIN_RETRY_DELAY_MS = 750;
export const MAX_RETRY_DELAY_MS = 15 * 60 * 1000;

export type ScanReason =
  | 'first scan'
  | 'reconcile requested'
  | 'new image name'
  | 'updated exclusion list'
  | 'no tags in database'
  | 'triggered by interval';

export interface ScanDecision {
  scan: boolean;
  /** Only when `scan` is true; the text of `scanning: <reason>`. */
  reason?: ScanReason;
  /** The requeue delay: the interval after a scan, otherwise what is left of it. */
  nextMs: number;
}

export interface ShouldScanInput {
  spec: Pick<ImageRepositoryObject['spec'], 'image' | 'insecure' | 'exclusionList'>;
  /** The effective `reconcile.fluxcd.io/requestedAt` value, if any. */
  requestedAt: string | undefined;
  status: ImageRepositoryStatus;
  intervalMs: number;
  /** The tags stored for this object; throwing here is the controller's storage read error. */
  readStoredTags: () => readonly string[] | null | undefined;
  now: number;
}

/** The checks in the controller's order; the first match scans. Throws on an unparsable image or a read error. */
export function shouldScan(input: ShouldScanInput): ScanDecision {
  const { spec, status, intervalMs, now } = input;
  const last = status.lastScanResult;
  if (!last) return { scan: true, reason: 'first scan', nextMs: intervalMs };
  if (input.requestedAt !== undefined && input.requestedAt !== status.lastHandledReconcileAt) {
    return { scan: true, reason: 'reconcile requested', nextMs: intervalMs };
  }
  const parsed = parseImageReference(spec.image, spec.insecure ?? false);
  if (!parsed.ok) throw new Error(parsed.message);
  if (parsed.reference.canonicalImageName !== status.canonicalImageName) {
    return { scan: true, reason: 'new image name', nextMs: intervalMs };
  }
  if (!isEqualSliceContent(getExclusionList(spec), status.observedExclusionList ?? [])) {
    return { scan: true, reason: 'updated exclusion list', nextMs: intervalMs };
  }
  const stored = input.readStoredTags();
  if (!stored || stored.length === 0) return { scan: true, reason: 'no tags in database', nextMs: intervalMs };
  const remaining = intervalMs - (now - Date.parse(last.scanTime));
  if (remaining < 1000) return { scan: true, reason: 'triggered by interval', nextMs: intervalMs };
  return { scan: false, nextMs: remaining };
}

/** Same length and every element of `a` in `b`: order is ignored and it is not a multiset comparison. */
export function isEqualSliceContent(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const inB = new Set(b);
  return a.every((x) => inB.has(x));
}

/** Delay before retry number `failures` (1 for the first failure): 750 ms doubling, at most 15 min. */
export function retryDelayMs(failures: number): number {
  const exponent = Math.max(0, failures - 1);
  if (exponent >= 31) return MAX_RETRY_DELAY_MS;
  return Math.min(MIN_RETRY_DELAY_MS * 2 ** exponent, MAX_RETRY_DELAY_MS);
}
