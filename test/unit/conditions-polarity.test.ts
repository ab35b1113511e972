// Condition helpers behave as fluxcd/pkg/runtime/conditions (conditions/setter.go, getter.go).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  deleteCondition,
  getCondition,
  isReady,
  markFalse,
  markStalled,
  markTrue,
  markUnknown,
  progressiveStatus,
  rfc3339,
  truncateMessage,
  type ConditionSetter,
} from '../../common/flux/conditions';
import type { ImageRepositoryStatus } from '../../common/model';

function setter(now = Date.UTC(2026, 0, 1, 0, 0, 0, 789)): ConditionSetter {
  const status: ImageRepositoryStatus = { observedGeneration: -1, conditions: [] };
  return { status, generation: 3, now };
}

test('sorts conditions Stalled, Reconciling, Ready whatever the order they were set in', () => {
  const s = setter();
  markTrue(s, 'Ready', 'Succeeded', 'ok');
  markTrue(s, 'Reconciling', 'Progressing', 'p');
  markStalled(s, 'ImageURLInvalid', 'bad');
  assert.deepEqual(s.status.conditions.map((c) => c.type), ['Stalled', 'Reconciling', 'Ready']);
});

test('writes lastTransitionTime in UTC truncated to the second, and the generation', () => {
  const s = setter();
  markTrue(s, 'Ready', 'Succeeded', 'ok');
  const ready = getCondition(s.status, 'Ready')!;
  assert.equal(ready.lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.equal(ready.observedGeneration, 3);
  assert.equal(rfc3339(Date.UTC(2022, 8, 15, 22, 34, 5, 999)), '2022-09-15T22:34:05Z');
});

test('moves lastTransitionTime only when status, reason or message change', () => {
  const s = setter();
  markTrue(s, 'Ready', 'Succeeded', 'ok');
  const later = { ...s, now: s.now + 60_000 };
  markTrue(later, 'Ready', 'Succeeded', 'ok');
  assert.equal(getCondition(s.status, 'Ready')!.lastTransitionTime, '2026-01-01T00:00:00Z');
  markTrue(later, 'Ready', 'Succeeded', 'other');
  assert.equal(getCondition(s.status, 'Ready')!.lastTransitionTime, '2026-01-01T00:01:00Z');
  const evenLater = { ...s, now: s.now + 120_000 };
  markTrue(evenLater, 'Ready', 'Changed', 'other');
  assert.equal(getCondition(s.status, 'Ready')!.lastTransitionTime, '2026-01-01T00:02:00Z');
});

test('never sets Reconciling or Stalled to False: asking for it deletes them', () => {
  const s = setter();
  markTrue(s, 'Reconciling', 'Progressing', 'p');
  markFalse(s, 'Reconciling', 'Progressing', 'p');
  assert.equal(getCondition(s.status, 'Reconciling'), undefined);
  markFalse(s, 'Ready', 'ReadOperationFailed', 'scan failed: x');
  assert.equal(getCondition(s.status, 'Ready')!.status, 'False');
});

test('truncates messages over 32768 characters to 32765 plus "..."', () => {
  const long = 'x'.repeat(40000);
  const out = truncateMessage(long);
  assert.equal(out.length, 32768);
  assert.ok(out.endsWith('x...'));
  assert.equal(truncateMessage('x'.repeat(32768)).length, 32768);
  assert.ok(!truncateMessage('x'.repeat(32768)).endsWith('...'));
});

test('counts Ready as ready only without Reconciling and Stalled', () => {
  const s = setter();
  markTrue(s, 'Ready', 'Succeeded', 'ok');
  assert.ok(isReady(s.status));
  markTrue(s, 'Reconciling', 'Progressing', 'p');
  assert.ok(!isReady(s.status));
  deleteCondition(s, 'Reconciling');
  markStalled(s, 'ImageURLInvalid', 'bad');
  assert.ok(!isReady(s.status));
});

test('progressive status sets Ready Unknown only when Ready is absent or Unknown, unless reset', () => {
  const s = setter();
  progressiveStatus(s, false, 'Progressing', 'reconciliation in progress');
  assert.equal(getCondition(s.status, 'Ready')!.status, 'Unknown');
  assert.equal(getCondition(s.status, 'Ready')!.message, 'reconciliation in progress');
  markTrue(s, 'Ready', 'Succeeded', 'ok');
  progressiveStatus(s, false, 'Progressing', 'scanning: triggered by interval');
  assert.equal(getCondition(s.status, 'Ready')!.status, 'True');
  assert.equal(getCondition(s.status, 'Reconciling')!.message, 'scanning: triggered by interval');
  progressiveStatus(s, true, 'Progressing', 'scanning: no tags in database');
  assert.equal(getCondition(s.status, 'Ready')!.status, 'Unknown');
  assert.equal(getCondition(s.status, 'Ready')!.message, 'scanning: no tags in database');
  markUnknown(s, 'Ready', 'Progressing', 'x');
  assert.equal(getCondition(s.status, 'Ready')!.reason, 'Progressing');
});
