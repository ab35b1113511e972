// Condition helpers with the semantics of fluxcd/pkg runtime/conditions (setter.go, getter.go):
// Reconciling and Stalled have negative polarity (only ever True, deleted instead of set False), Ready is
// positive; lastTransitionTime moves only when status, reason or message change; conditions are kept in the
// order Stalled, Reconciling, Ready.
import type { Condition, ConditionStatus, ImageRepositoryStatus } from '../model';

export type ConditionType = Condition['type'];

/** metav1.Condition's message limit; Flux truncates to 32765 characters plus `...`. */
export const MAX_CONDITION_MESSAGE = 32768;

const ORDER: Record<ConditionType, number> = { Stalled: 0, Reconciling: 1, Ready: 2 };

/** The object whose conditions are edited, with the generation each condition records. */
export interface ConditionSetter {
  status: ImageRepositoryStatus;
  generation: number;
  /** Milliseconds since the epoch, for lastTransitionTime. */
  now: number;
}

/** RFC3339 in UTC truncated to the second, as metav1.Time serialises. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function truncateMessage(message: string): string {
  return message.length > MAX_CONDITION_MESSAGE ? message.slice(0, MAX_CONDITION_MESSAGE - 3) + '...' : message;
}

export function getCondition(status: ImageRepositoryStatus, type: ConditionType): Condition | undefined {
  return status.conditions.find((c) => c.type === type);
}

export function setCondition(
  to: ConditionSetter,
  type: ConditionType,
  status: ConditionStatus,
  reason: string,
  message: string,
): void {
  const text = truncateMessage(message);
  const existing = getCondition(to.status, type);
  const unchanged = existing && existing.status === status && existing.reason === reason && existing.message === text;
  const next: Condition = {
    type,
    status,
    reason,
    message: text,
    lastTransitionTime: unchanged ? existing.lastTransitionTime : rfc3339(to.now),
    observedGeneration: to.generation,
  };
  const others = to.status.conditions.filter((c) => c.type !== type);
  to.status.conditions = [...others, next].sort((a, b) => ORDER[a.type] - ORDER[b.type]);
}

export function deleteCondition(to: { status: ImageRepositoryStatus }, type: ConditionType): void {
  to.status.conditions = to.status.conditions.filter((c) => c.type !== type);
}

export function markTrue(to: ConditionSetter, type: ConditionType, reason: string, message: string): void {
  setCondition(to, type, 'True', reason, message);
}

/** Negative-polarity conditions are never False; asking for it deletes them, as Flux does. */
export function markFalse(to: ConditionSetter, type: ConditionType, reason: string, message: string): void {
  if (type === 'Ready') setCondition(to, type, 'False', reason, message);
  else deleteCondition(to, type);
}

export function markUnknown(to: ConditionSetter, type: ConditionType, reason: string, message: string): void {
  setCondition(to, type, 'Unknown', reason, message);
}

export function markReconciling(to: ConditionSetter, reason: string, message: string): void {
  markTrue(to, 'Reconciling', reason, message);
}

export function markStalled(to: ConditionSetter, reason: string, message: string): void {
  markTrue(to, 'Stalled', reason, message);
}

export function isStalled(status: ImageRepositoryStatus): boolean {
  return getCondition(status, 'Stalled')?.status === 'True';
}

export function isReconciling(status: ImageRepositoryStatus): boolean {
  return getCondition(status, 'Reconciling')?.status === 'True';
}

/** conditions.IsReady: Ready=True and neither Reconciling nor Stalled. */
export function isReady(status: ImageRepositoryStatus): boolean {
  return getCondition(status, 'Ready')?.status === 'True' && !isReconciling(status) && !isStalled(status);
}

/**
 * reconcile.ProgressiveStatus: Reconciling=True, and Ready=Unknown with the same text when Ready is absent or
 * Unknown. `reset` first deletes Ready, which is how the controller reports drift ("no tags in database").
 */
export function progressiveStatus(to: ConditionSetter, reset: boolean, reason: string, message: string): void {
  if (reset) deleteCondition(to, 'Ready');
  markReconciling(to, reason, message);
  const ready = getCondition(to.status, 'Ready');
  if (!ready || ready.status === 'Unknown') markUnknown(to, 'Ready', reason, message);
}
