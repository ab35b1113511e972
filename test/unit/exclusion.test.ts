// Go RE2 semantics for exclusionList (image-reflector-controller internal/controller/imagerepository_controller.go
// `filterOutTags`) and its TestFilterOutTags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExclusion, countExcluded, DEFAULT_EXCLUSION, filterOutTags, getExclusionList } from '../../common/flux/exclusion';

test('excludes cosign signatures by default, even with an empty list', () => {
  assert.deepEqual(getExclusionList({}), [DEFAULT_EXCLUSION]);
  assert.deepEqual(getExclusionList({ exclusionList: [] }), [DEFAULT_EXCLUSION]);
  assert.deepEqual(getExclusionList({ exclusionList: ['x'] }), ['x']);
  assert.deepEqual(filterOutTags(['1.0.0', 'sha256-abc.sig'], getExclusionList({})), ['1.0.0']);
});

test('TestFilterOutTags cases', () => {
  const tags = ['a', 'b', 'c', 'd'];
  assert.deepEqual(filterOutTags(tags, []), tags);
  assert.deepEqual(filterOutTags(tags, ['[abc]']), ['d']);
  assert.deepEqual(filterOutTags(tags, ['[a]', '[d]']), ['b', 'c']);
  assert.deepEqual(
    filterOutTags(['0.1.0', '0.2.0', '0.2.-alpha', '0.3.0', '0.4.0', '0.4.0.sig'], ['^.*\\-alpha$', '^.*\\.sig$']),
    ['0.1.0', '0.2.0', '0.3.0', '0.4.0'],
  );
  assert.deepEqual(filterOutTags(['aaa', 'bbb', 'ccc', 'ddd'], ['aaa|ccc']), ['bbb', 'ddd']);
});

test('matches unanchored, so 1.0.0 also drops 1.0.0.sig', () => {
  assert.deepEqual(filterOutTags(['1.0.0', '1.0.0.sig', '2.0.0'], ['1.0.0']), ['2.0.0']);
});

test('an invalid pattern fails with the controller text and Go error', () => {
  assert.throws(() => filterOutTags(['a'], ['[=']), { message: 'failed to compile regex [=: error parsing regexp: missing closing ]: `[=`' });
});

test('accepts Go RE2 syntax that JavaScript lacks and rejects what RE2 lacks', () => {
  for (const ok of ['(?i)abc', '\\Aabc\\z', '[[:digit:]]+', '\\p{L}', '(?P<n>x)', '(?<n>x)']) {
    assert.equal(compileExclusion(ok).ok, true, ok);
  }
  for (const bad of ['(?!x)', '(?<=x)a', '(a)\\1', '[=', 'a{1001}']) {
    assert.equal(compileExclusion(bad).ok, false, bad);
  }
  const c = compileExclusion('(?i)^RC');
  assert.ok(c.ok && c.matches('rc1'));
});

test('counts how many tags one pattern removes', () => {
  assert.deepEqual(countExcluded(['v1', 'v1-rc', 'v2-rc'], '-rc$'), { ok: true, count: 2 });
  assert.equal(countExcluded(['v1'], '(?!').ok, false);
});
