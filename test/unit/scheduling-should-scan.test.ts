// TestImageRepositoryReconciler_shouldScan, TestIsEqualSliceContent and the retry delays (image-reflector-controller
// internal/controller/imagerepository_controller_test.go; fluxcd/pkg runtime/controller/rate_limiter.go).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEqualSliceContent, retryDelayMs, shouldScan, type ShouldScanInput } from '../../common/flux/scheduling';
import { rfc3339 } from '../../common/flux/conditions';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const MINUTE = 60_000;

function input(edit: (i: ShouldScanInput) => void = () => {}): ShouldScanInput {
  const i: ShouldScanInput = {
    spec: { image: 'example.com/foo/bar', exclusionList: ['aaa'] },
    requestedAt: undefined,
    status: {
      observedGeneration: 1,
      conditions: [],
      canonicalImageName: 'example.com/foo/bar',
      observedExclusionList: ['aaa'],
      lastScanResult: { revision: '1', tagCount: 1, scanTime: rfc3339(NOW - 30_000) },
    },
    intervalMs: MINUTE,
    readStoredTags: () => ['foo'],
    now: NOW,
  };
  edit(i);
  return i;
}

test('scans a new object: first scan', () => {
  assert.deepEqual(shouldScan(input((i) => { i.status = { observedGeneration: -1, conditions: [] }; })), { scan: true, reason: 'first scan', nextMs: MINUTE });
});

test('scans when the annotation is new and nothing was handled yet: reconcile requested', () => {
  assert.deepEqual(shouldScan(input((i) => { i.requestedAt = 'now'; })), { scan: true, reason: 'reconcile requested', nextMs: MINUTE });
});

test('scans when the annotation differs from the handled value', () => {
  const d = shouldScan(input((i) => { i.requestedAt = 'now'; i.status.lastHandledReconcileAt = 'foo'; }));
  assert.equal(d.reason, 'reconcile requested');
});

test('does not scan an already handled annotation and requeues for the rest of the interval', () => {
  assert.deepEqual(shouldScan(input((i) => { i.requestedAt = 'now'; i.status.lastHandledReconcileAt = 'now'; })), { scan: false, nextMs: 30_000 });
});

test('scans when the image changes: new image name', () => {
  assert.equal(shouldScan(input((i) => { i.spec = { ...i.spec, image: 'example.com/other/image' }; })).reason, 'new image name');
});

test('does not count docker.io/alpine → alpine as a new image name', () => {
  const d = shouldScan(input((i) => { i.spec = { image: 'alpine', exclusionList: ['aaa'] }; i.status.canonicalImageName = 'index.docker.io/library/alpine'; }));
  assert.equal(d.scan, false);
});

test('scans when the exclusion list changes: updated exclusion list', () => {
  const d = shouldScan(input((i) => { i.spec = { ...i.spec, exclusionList: ['bar'] }; i.status.observedExclusionList = ['baz']; }));
  assert.deepEqual(d, { scan: true, reason: 'updated exclusion list', nextMs: MINUTE });
});

test('scans when the database has no tags: no tags in database', () => {
  const d = shouldScan(input((i) => { i.readStoredTags = () => []; i.status.lastScanResult!.scanTime = rfc3339(NOW - 10_000); }));
  assert.deepEqual(d, { scan: true, reason: 'no tags in database', nextMs: MINUTE });
  assert.equal(shouldScan(input((i) => { i.readStoredTags = () => null; })).reason, 'no tags in database');
});

test('passes a storage read error on', () => {
  assert.throws(() => shouldScan(input((i) => { i.readStoredTags = () => { throw new Error('boom'); }; })), /boom/);
});

test('scans when the interval has passed: triggered by interval', () => {
  assert.deepEqual(shouldScan(input((i) => { i.status.lastScanResult!.scanTime = rfc3339(NOW - 2 * MINUTE); })), {
    scan: true,
    reason: 'triggered by interval',
    nextMs: MINUTE,
  });
});

test('counts less than a second left as due', () => {
  assert.equal(shouldScan(input((i) => { i.status.lastScanResult!.scanTime = rfc3339(NOW - 58_000); i.now = NOW + 900; })).scan, false);
  assert.equal(shouldScan(input((i) => { i.status.lastScanResult!.scanTime = rfc3339(NOW - 59_000); i.now = NOW + 500; })).scan, true);
  assert.equal(shouldScan(input((i) => { i.intervalMs = 0; })).reason, 'triggered by interval');
});

test('compares the default exclusion list with the observed one', () => {
  const d = shouldScan(input((i) => { i.spec = { image: 'example.com/foo/bar', exclusionList: [] }; i.status.observedExclusionList = ['^.*\\.sig$']; }));
  assert.equal(d.scan, false);
});

test('isEqualSliceContent: empty lists, same content, different content, different lengths', () => {
  assert.ok(isEqualSliceContent([], []));
  assert.ok(isEqualSliceContent(['a', 'b'], ['b', 'a']));
  assert.ok(!isEqualSliceContent(['a', 'b'], ['a', 'c']));
  assert.ok(!isEqualSliceContent(['a'], ['a', 'b']));
  assert.ok(isEqualSliceContent(['x', 'x'], ['x', 'y']), 'not a multiset comparison, as in Go');
});

test('backs off 750 ms doubling up to 15 minutes', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map(retryDelayMs), [750, 1500, 3000, 6000, 12000]);
  assert.equal(retryDelayMs(11), 768_000);
  assert.equal(retryDelayMs(12), 900_000);
  assert.equal(retryDelayMs(100), 900_000);
});
