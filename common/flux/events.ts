// The controller's `notify(old, new, nextScanMsg)`: one event per reconcile that reaches `reconcile()`
// (image-reflector-controller internal/controller/imagerepository_controller.go `notify`). The first matching rule wins.
import type { EventType, ImageRepositoryStatus } from '../model';
import { getCondition, isReady } from './conditions';
import { FailedReason, SucceededReason } from './reasons';

export interface EventRecord {
  type: EventType;
  reason: string;
  message: string;
}

export function notify(oldStatus: ImageRepositoryStatus, newStatus: ImageRepositoryStatus, nextScanMsg: string): EventRecord {
  const ready = getCondition(newStatus, 'Ready');
  const newReady = isReady(newStatus);
  const oldReady = isReady(oldStatus);
  if (newReady && ready) {
    const oldMessage = getCondition(oldStatus, 'Ready')?.message;
    if (oldReady && oldMessage !== ready.message) return { type: 'Normal', reason: ready.reason, message: ready.message };
    if (!oldReady) return { type: 'Normal', reason: ready.reason, message: ready.message };
    return { type: 'Trace', reason: SucceededReason, message: nextScanMsg };
  }
  return { type: 'Warning', reason: ready?.reason ?? FailedReason, message: ready?.message ?? '' };
}
