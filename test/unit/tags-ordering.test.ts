// TestSortTagsAndGetLatestTags and the Badger revision values (image-reflector-controller
// internal/controller/imagerepository_controller_test.go, internal/database/badger_test.go).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adler32, goJsonMarshalStrings, sortTagsAndGetLatestTags, sortTagsDescending, tagsRevision } from '../../common/flux/tags';

test('sorts tags in descending byte order, not semver order', () => {
  assert.deepEqual(sortTagsDescending(['1.0.0', '0.0.8', '1.2.5', '3.0.1', '1.0.1']), ['3.0.1', '1.2.5', '1.0.1', '1.0.0', '0.0.8']);
});

test('puts "-" below the digits in numeric tags and keeps ten of twelve', () => {
  const { latestTags } = sortTagsAndGetLatestTags(['-62', '-88', '73', '72', '15', '16', '15', '29', '-33', '-91', '100', '101']);
  assert.deepEqual(latestTags, ['73', '72', '29', '16', '15', '15', '101', '100', '-91', '-88']);
});

test('sorts lowercase above uppercase and 6.10.0 below 6.4.1, as Go does', () => {
  assert.deepEqual(sortTagsDescending(['latest', '6.5.0', '6.4.1', '6.10.0', 'v1', 'V2', 'main-abc', '-1', '10', '9']), [
    'v1', 'main-abc', 'latest', 'V2', '9', '6.5.0', '6.4.1', '6.10.0', '10', '-1',
  ]);
});

test('gives no latestTags for no tags', () => {
  const { sorted, latestTags } = sortTagsAndGetLatestTags([]);
  assert.deepEqual(sorted, []);
  assert.equal(latestTags, undefined);
});

test('keeps all ten of ten semver tags and drops the two smallest of twelve', () => {
  const ten = ['0.1.0', '0.2.0', '0.3.0', '0.4.0', '0.5.0', '0.6.0', '0.7.0', '0.8.0', '0.9.0', '1.0.0'];
  assert.equal(sortTagsAndGetLatestTags(ten).latestTags?.length, 10);
  const twelve = [...ten, '1.1.0', '1.2.0'];
  const latest = sortTagsAndGetLatestTags(twelve).latestTags!;
  assert.equal(latest.length, 10);
  assert.ok(!latest.includes('0.1.0') && !latest.includes('0.2.0'));
});

test('gives lll…ccc for the twelve words aaa…lll', () => {
  const words = 'abcdefghijkl'.split('').map((c) => c.repeat(3));
  assert.deepEqual(sortTagsAndGetLatestTags(words).latestTags, 'lkjihgfedc'.split('').map((c) => c.repeat(3)));
});

test('does not depend on the order tags were listed in', () => {
  const a = sortTagsDescending(['a', 'b', 'c', 'd']);
  assert.deepEqual(a, ['d', 'c', 'b', 'a']);
  for (const order of [['c', 'd', 'a', 'b'], ['c', 'b', 'a', 'd']]) {
    const sorted = sortTagsDescending(order);
    assert.deepEqual(sorted, a);
    assert.equal(tagsRevision(sorted), tagsRevision(a));
  }
});

test('computes the Badger revision: Adler-32 of the compact JSON', () => {
  assert.equal(tagsRevision(['d', 'c', 'b', 'a']), '580584407');
  assert.equal(tagsRevision(['latest', 'v0.0.1', 'v0.0.2']), '1943865137');
  assert.equal(tagsRevision(['latest', 'v0.0.1', 'v0.0.2', 'v0.0.3']), '3168012550');
  assert.equal(tagsRevision(['v0.0.3', 'v0.0.4']), '728958008');
  assert.equal(tagsRevision([]), '18153657');
});

test('escapes <, > and & the way Go json.Marshal does', () => {
  assert.equal(goJsonMarshalStrings(['<a>&b', '"q"\\']), '["\\u003ca\\u003e\\u0026b","\\"q\\"\\\\"]');
  assert.equal(goJsonMarshalStrings(['\u2028']), '["\\u2028"]');
});

test('matches zlib Adler-32 across the reduction boundary', () => {
  // zlib.adler32(b"\xff" * 100000) == 345649196 (checked with Python)
  assert.equal(adler32(new Uint8Array(100000).fill(0xff)), 345649196);
});
