// Flux conditions → diagnostics on spec.image (flux-behaviour.md §4): Stalled and Ready=False as problems with
// the controller's reason as code and its message as text, Reconciling as a hint while a scan runs.
import type { Condition, ImageRepositoryObject, Range } from '../../../common/model';
import type { ObjectStatus } from '../../../common/protocol';
import { CONDITION_SOURCE, Severity, type SeverityValue, type TaglineDiagnostic } from '../validation';

/** Ready=False reasons that mean the registry could not be read: the scan result is missing or stale. */
const FAILURE_REASONS = new Set(['AuthenticationFailed', 'ReadOperationFailed', 'Failure']);

function condition(status: ObjectStatus, type: Condition['type']): Condition | undefined {
  return status.status.conditions.find((c) => c.type === type);
}

export function conditionDiagnostics(object: ImageRepositoryObject, status: ObjectStatus): TaglineDiagnostic[] {
  const range: Range | undefined = object.source?.imageRange ?? object.source?.range;
  if (!range) return [];
  const make = (severity: SeverityValue, c: Condition): TaglineDiagnostic =>
    ({ range, severity, code: c.reason, source: CONDITION_SOURCE, message: c.message });
  const stalled = condition(status, 'Stalled');
  if (stalled?.status === 'True') return [make(Severity.Error, stalled)];
  const out: TaglineDiagnostic[] = [];
  const ready = condition(status, 'Ready');
  if (ready?.status === 'False') out.push(make(FAILURE_REASONS.has(ready.reason) ? Severity.Error : Severity.Warning, ready));
  const reconciling = condition(status, 'Reconciling');
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
    sameRange(d.range, c.range) && (d.message === c.message || (c.code === 'ImageURLInvalid' && d.code.startsWith('image.')))));
}
