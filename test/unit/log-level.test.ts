// tagline.logLevel: which Flux events reach the Tagline log. The events come from the controller's own notify()
// rules for a first scan (Normal), a rescan that changed nothing (Trace) and a failure (Warning).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markFalse, markTrue, type ConditionSetter } from '../../common/flux/conditions';
import { notify } from '../../common/flux/events';
import type { FluxEvent, ImageRepositoryStatus } from '../../common/model';
import { eventLogLine, isLogged, parseLogLevel, type LogLevel } from '../../client/src/host/logLevel';

function status(edit?: (s: ConditionSetter) => void): ImageRepositoryStatus {
  const s: ConditionSetter = { status: { observedGeneration: 1, conditions: [] }, generation: 1, now: 0 };
  edit?.(s);
  return s.status;
}
const ready = (s: ConditionSetter) => markTrue(s, 'Ready', 'Succeeded', 'successful scan: found 3 tags with checksum 1014105254');
const failed = (s: ConditionSetter) => markFalse(s, 'Ready', 'ReadOperationFailed', 'scan failed: connection refused');
const event = (record: ReturnType<typeof notify>): FluxEvent => ({
  ...record, timestamp: '2026-01-01T00:00:00.000Z', involvedObject: { kind: 'ImageRepository', namespace: 'apps', name: 'podinfo' },
});
const firstScan = event(notify(status(), status(ready), 'successful scan, next scan in 5m0s'));
const unchanged = event(notify(status(ready), status(ready), 'tags did not change, next scan in 5m0s'));
const failure = event(notify(status(ready), status(failed), ''));

const shown = (level: LogLevel) => [firstScan, unchanged, failure].map((e) => eventLogLine(e, level)).filter(Boolean);

test('the default (info) shows Normal and Warning events but not Flux Trace events', () => {
  assert.equal(unchanged.type, 'Trace');
  assert.deepEqual(shown('info'), [
    { level: 'info', text: 'imagerepository/apps/podinfo: Normal Succeeded successful scan: found 3 tags with checksum 1014105254' },
    { level: 'warning', text: 'imagerepository/apps/podinfo: Warning ReadOperationFailed scan failed: connection refused' },
  ]);
});

test('trace shows the Trace event too, at the channel\'s info level', () => {
  assert.deepEqual(shown('trace').map((l) => l!.text.split(': ')[1]), [
    'Normal Succeeded successful scan', 'Trace Succeeded tags did not change, next scan in 5m0s', 'Warning ReadOperationFailed scan failed',
  ]);
  assert.equal(eventLogLine(unchanged, 'trace')?.level, 'info');
  assert.equal(eventLogLine(unchanged, 'debug'), undefined);
});

test('warning shows only Warning events, and error none of them', () => {
  assert.deepEqual(shown('warning').map((l) => l!.level), ['warning']);
  assert.deepEqual(shown('error'), []);
});

test('errors are always logged, and an unknown setting is info', () => {
  for (const level of ['trace', 'debug', 'info', 'warning', 'error'] as const) assert.equal(isLogged('error', level), true);
  assert.equal(isLogged('debug', 'info'), false);
  assert.equal(isLogged('debug', 'debug'), true);
  assert.equal(parseLogLevel('verbose'), 'info');
  assert.equal(parseLogLevel(undefined), 'info');
  assert.equal(parseLogLevel('toString'), 'info');
  assert.equal(parseLogLevel('trace'), 'trace');
});

test('names an ImagePolicy\'s events by its kind, as kubectl names the involved object', () => {
  const policyEvent: FluxEvent = { type: 'Normal', reason: 'Succeeded', message: 'Latest image tag for ghcr.io/a/b resolved to 1.10.0',
    timestamp: '2026-01-01T00:00:00.000Z', involvedObject: { kind: 'ImagePolicy', namespace: 'apps', name: 'podinfo' } };
  assert.deepEqual(eventLogLine(policyEvent, 'info'), { level: 'info', text: 'imagepolicy/apps/podinfo: Normal Succeeded Latest image tag for ghcr.io/a/b resolved to 1.10.0' });
});
