// Disagreements with the Go originals that the differential test (test/flux/oracle.test.ts) found, each pinned
// with the answer the oracle (go-containerregistry v0.21.6, Go 1.26 regexp and time) gave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImageReference } from '../../common/flux/reference';
import { compileExclusion } from '../../common/flux/exclusion';
import { parseGoDurationNs } from '../../common/flux/duration';
import { applyPolicy } from '../../common/flux/policy';

const detail = (image: string) => {
  const parsed = parseImageReference(image);
  assert.equal(parsed.ok, false, image);
  return parsed.ok ? '' : parsed.detail;
};

test('a bad tag names the characters in ggcr\'s own order', () => {
  assert.equal(detail('gcr.io/x/y:t!g'), 'tag can only contain the characters `abcdefghijklmnopqrstuvwxyz0123456789_-.ABCDEFGHIJKLMNOPQRSTUVWXYZ`: t!g');
});

test('a trailing colon asks for a tag name', () => {
  assert.equal(detail('gcr.io/x/y:'), 'gcr.io/x/y: must specify a tag name after the colon');
});

test('a digest of the wrong length is a length error, before its characters are looked at', () => {
  assert.equal(detail('example.com/a@sha256:0123'), 'invalid checksum digest length');
  assert.equal(detail(`example.com/a@sha256:${'A'.repeat(64)}`), 'invalid checksum digest format');
});

test('a registry may hold `[` only first, around an IPv6 address', () => {
  assert.equal(parseImageReference('index.doc[ker.io/alpine').ok, false);
  assert.equal(parseImageReference('[1.2.3.4]/xy').ok, false);
  assert.equal(parseImageReference('[fe80::1]:5000/xy').ok, true);
  assert.equal(parseImageReference('[::ffff:1.2.3.4]/xy').ok, true);
});

test('only net.ParseIP addresses are private, and a .localhost port has 1 to 5 digits', () => {
  const scheme = (image: string) => {
    const parsed = parseImageReference(image);
    return parsed.ok ? parsed.reference.scheme : parsed.message;
  };
  assert.equal(scheme('172.16.016.1:5000/xy'), 'https');
  assert.equal(scheme('172.16.16.1:5000/xy'), 'http');
  assert.equal(scheme('foo.localhost:/xy'), 'https');
  assert.equal(scheme('foo.localhost:123456/xy'), 'https');
  assert.equal(scheme('foo.localhost:12345/xy'), 'http');
});

const message = (pattern: string) => {
  const compiled = compileExclusion(pattern);
  return compiled.ok ? 'ok' : compiled.message;
};

test('a trailing backslash quotes the empty expression, as Go does', () => {
  assert.equal(message('abc\\'), 'error parsing regexp: trailing backslash at end of expression: ``');
});

test('Unicode class names ignore case, `_`, `-` and spaces, and accept the category aliases (Go 1.26)', () => {
  for (const ok of ['\\p{greek}', '\\p{GREEK}', '\\pl', '\\p{Letter}', '\\p{uppercase_letter}', '\\p{^greek}', '\\P{cased letter}', '[\\p{digit}]']) {
    assert.equal(message(ok), 'ok', ok);
  }
  assert.equal(message('\\p{Old_Italic}'), 'error parsing regexp: invalid character class range: `\\p{Old_Italic}`');
  assert.equal(message('\\p_{Greek}'), 'error parsing regexp: invalid character class range: `\\p_`');
  assert.equal(message('\\p{greek}\\p{G'), 'error parsing regexp: invalid character class range: `\\p{G`');
  assert.equal(message('(\\p{greek}'), 'error parsing regexp: missing closing ): `(\\p{greek}`');
  const greek = compileExclusion('^\\p{greek}+$');
  assert.equal(greek.ok && greek.matches('αβγ'), true);
});

test('a capture group name may repeat', () => {
  assert.equal(message('(?P<x>a)(?P<x>b)'), 'ok');
  assert.equal(message('(?P<x>(?P<x>'), 'error parsing regexp: missing closing ): `(?P<x>(?P<x>`');
});

test('in a class, `[:` opens a POSIX class only if a `:]` follows it', () => {
  assert.equal(message('[[:]'), 'ok');
  assert.equal(message('[a[:]b]'), 'ok');
  assert.equal(message('[[:]alpha:]]'), 'error parsing regexp: invalid character class range: `[:]alpha:]`');
  const c = compileExclusion('^[[:]+$');
  assert.equal(c.ok && c.matches('[:') && !c.matches('a'), true);
});

test('`(?P<` and `(?<` at the end are unsupported Perl syntax', () => {
  assert.equal(message('(?P<'), 'error parsing regexp: invalid or unsupported Perl syntax: `(?P`');
  assert.equal(message('(?<'), 'error parsing regexp: invalid or unsupported Perl syntax: `(?<`');
  assert.equal(message('(?<x'), 'error parsing regexp: invalid named capture: `(?<x`');
});

test('duration fractions use Go\'s float64 arithmetic, and -2^63 ns is in range', () => {
  assert.equal(parseGoDurationNs('1.00000000010000m'), 60000000005n);
  assert.equal(parseGoDurationNs('-9223372036854775808ns'), -(1n << 63n));
  assert.equal(parseGoDurationNs('9223372036854775808ns'), undefined);
});

// Found by the policy oracle (test/flux/policy-oracle.test.ts, image-reflector-controller v1.2.0 internal/policy):
// filterTags compiled its pattern with re2js alone, so its errors were re2js' rather than Go's.
test('filterTags reports Go\'s own regexp errors, as the exclusion list does', () => {
  const error = (pattern: string) => {
    const result = applyPolicy({ policy: { numerical: { order: 'asc' } }, filterTags: { pattern, extract: '' } }, ['1']);
    return result.ok ? 'ok' : result.error;
  };
  assert.equal(error('\\'), "failed to filter tags: invalid regular expression pattern '\\': error parsing regexp: trailing backslash at end of expression: ``");
  assert.equal(error('(?P<x>a)|(?P<'), "failed to filter tags: invalid regular expression pattern '(?P<x>a)|(?P<': error parsing regexp: invalid or unsupported Perl syntax: `(?P`");
  assert.equal(error('(?P<x>a)|(?P<x>b<x>{'), "failed to filter tags: invalid regular expression pattern '(?P<x>a)|(?P<x>b<x>{': error parsing regexp: missing closing ): `(?P<x>a)|(?P<x>b<x>{`");
  const repeated = applyPolicy({ policy: { alphabetical: {} }, filterTags: { pattern: '^(?P<x>a)-|^(?P<x>b)-', extract: '$x' } }, ['a-1', 'b-2']);
  assert.deepEqual(repeated, { ok: true, latest: 'b-2' });
});
