import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  INTERVAL_PATTERN, TIMEOUT_PATTERN, formatGoDuration, getIntervalMs, getTimeoutMs, parseGoDuration,
} from '../../common/flux/duration';

test('parses Go durations like time.ParseDuration', () => {
  assert.equal(parseGoDuration('5m'), 300_000);
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.equal(parseGoDuration('1.5h'), 5_400_000);
  assert.equal(parseGoDuration('500ms'), 500);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('0s'), 0);
  assert.equal(parseGoDuration('.5s'), 500);
  assert.equal(parseGoDuration('1us'), 0.001);
  assert.equal(parseGoDuration('1µs'), 0.001);
  assert.equal(parseGoDuration('-1m'), -60_000);
});

test('rejects what Go rejects', () => {
  for (const bad of ['', '1', '1d', 's', '1 m', '1sx', '1.5.5s', '.s', '1mss']) {
    assert.equal(parseGoDuration(bad), undefined, bad);
  }
});

test('formats like Go Duration.String()', () => {
  assert.equal(formatGoDuration(300_000), '5m0s');
  assert.equal(formatGoDuration(3_600_000), '1h0m0s');
  assert.equal(formatGoDuration(90_000), '1m30s');
  assert.equal(formatGoDuration(1500), '1.5s');
  assert.equal(formatGoDuration(500), '500ms');
  assert.equal(formatGoDuration(1.5), '1.5ms');
  assert.equal(formatGoDuration(0.0015), '1.5µs');
  assert.equal(formatGoDuration(0), '0s');
  assert.equal(formatGoDuration(272_876.543211), '4m32.876543211s');
});

test('the CRD patterns accept interval hours but not timeout hours', () => {
  for (const ok of ['1h', '1.5h', '1h30m', '500ms', '0s']) assert.match(ok, INTERVAL_PATTERN);
  for (const bad of ['1d', '1us', '-1m', '1 m', '']) assert.doesNotMatch(bad, INTERVAL_PATTERN);
  assert.doesNotMatch('1h', TIMEOUT_PATTERN);
  assert.match('90m', TIMEOUT_PATTERN);
});

test('GetTimeout uses timeout, else interval, and never less than 1s', () => {
  assert.equal(getTimeoutMs({ interval: '5m' }), 300_000);
  assert.equal(getTimeoutMs({ interval: '5m', timeout: '30s' }), 30_000);
  assert.equal(getTimeoutMs({ interval: '500ms' }), 1000);
  assert.equal(getTimeoutMs({ interval: '5m', timeout: '0s' }), 1000);
  assert.equal(getIntervalMs({ interval: '1m' }), 60_000);
});
