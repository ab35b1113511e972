// Flux conditions → diagnostics on spec.image (image-reflector-controller api/v1/condition_types.go reasons; fluxcd/pkg runtime/conditions): Stalled and Ready=False as problems with
// the controller's reason as code and its message as text, Reconciling as a hint while a scan runs.
import { getCondition } from '../../../common/flux/conditions';
import { AuthenticationFailedReason, ImageURLInvalidReason, ReadOperationFailedReason, StatusFailureReason } from '../../../common/flux/reasons';
import type { Condition, ImageRepositoryObject, Range } from '../../../common/model';
import type { ObjectStatus } from '../../../common/protocol';
import { CONDITION_SOURCE, Severity, type SeverityValue, type TaglineDiagnostic } from '../validation';

/** Ready=False reasons that mean the registry could not be read: the scan result is missing or stale. */
const FAILURE_REASONS = new Set([AuthenticationFailedReason, ReadOperationFailedReason, StatusFailureReason]);

export function conditionDiagnostics(object: ImageRepositoryObject, status: ObjectStatus): TaglineDiagnostic[] {
  const range: Range | undefined = object.source?.imageRange ?? object.source?.range;
  if (!range) return [];
  const make = (severity: SeverityValue, c: Condition): TaglineDiagnostic =>
    ({ range, severity, code: c.reason, source: CONDITION_SOURCE, message: c.message });
  const stalled = getCondition(status.status, 'Stalled');
  if (stalled?.status === 'True') return [make(Severity.Error, stalled)];
  const out: TaglineDiagnostic[] = [];
  const ready = getCondition(status.status, 'Ready');
  if (ready?.status === 'False') out.push(make(FAILURE_REASONS.has(ready.reason) ? Severity.Error : Severity.Warning, ready));
  const reconciling = getCondition(status.status, 'Reconciling');
  if (status.scanning && reconciling?.status === 'True') out.push(make(Severity.Hint, reconciling));
  return out;
}

/**
 * Drops a condition that repeats what the text checks already say on the same range (e.g. ImageURLInvalid next
 * to our own `image.tag` diagnostic with the controller's words), so the Problems panel shows it once.
 */
export function withoutDuplicates(own: TaglineDiagnostic[], conditions: TaglineDiagnostic[]): TaglineDiagnostic[] {
  const sameRange = (a: Range, b: Range) =>
    a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
  return conditions.filter((c) => !own.some((d) =>
    sameRange(d.range, c.range) && (d.message === c.message || (c.code === ImageURLInvalidReason && d.code.startsWith('image.')))));
}
