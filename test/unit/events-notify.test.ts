// TestNotify (image-reflector-controller internal/controller/imagerepository_controller_test.go) for `notify`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markTrue, markFalse, type ConditionSetter } from '../../common/flux/conditions';
import { notify } from '../../common/flux/events';
import type { ImageRepositoryStatus } from '../../common/model';

function status(edit?: (s: ConditionSetter) => void): ImageRepositoryStatus {
  const s: ConditionSetter = { status: { observedGeneration: 1, conditions: [] }, generation: 1, now: 0 };
  edit?.(s);
  return s.status;
}
const describe = (e: { type: string; reason: string; message: string }) => `${e.type} ${e.reason} ${e.message}`;

test('first success is a Normal Succeeded event with the Ready message', () => {
  const e = notify(status(), status((s) => markTrue(s, 'Ready', 'Succeeded', 'found x tags')), 'next');
  assert.equal(describe(e), 'Normal Succeeded found x tags');
});

test('an unchanged Ready message gives a Trace event with the next-scan message', () => {
  const ready = (s: ConditionSetter) => markTrue(s, 'Ready', 'Succeeded', 'found x tags');
  assert.equal(describe(notify(status(ready), status(ready), 'foo')), 'Trace Succeeded foo');
});

test('a changed Ready message gives a Normal event', () => {
  const e = notify(
    status((s) => markTrue(s, 'Ready', 'Succeeded', 'found x tags')),
    status((s) => markTrue(s, 'Ready', 'Succeeded', 'found y tags')),
    'foo',
  );
  assert.equal(describe(e), 'Normal Succeeded found y tags');
});

test('Ready turning False gives a Warning with the failure reason and message', () => {
  const e = notify(
    status((s) => markTrue(s, 'Ready', 'Succeeded', 'found x tags')),
    status((s) => markFalse(s, 'Ready', 'Failed', 'scan failed')),
    'foo',
  );
  assert.equal(describe(e), 'Warning Failed scan failed');
});

test('recovery after a failure is a Normal event', () => {
  const e = notify(
    status((s) => markFalse(s, 'Ready', 'ReadOperationFailed', 'scan failed: x')),
    status((s) => markTrue(s, 'Ready', 'Succeeded', 'successful scan: found 3 tags with checksum 1')),
    'foo',
  );
  assert.equal(describe(e), 'Normal Succeeded successful scan: found 3 tags with checksum 1');
});
