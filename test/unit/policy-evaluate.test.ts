// image-reflector-controller v1.2.0 internal/policy/*_test.go and the applyPolicy cases of
// internal/controller/imagepolicy_controller_test.go, plus Go's strconv.ParseFloat and regexp.ExpandString facts
// (outputs of Go 1.26 for the same inputs).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFloatGo } from '../../common/flux/policy/parseFloat';
import { goQuote } from '../../common/flux/policy/goQuote';
import { expandTemplate, findSubmatchIndex, newRegexFilter, applyRegexFilter, unknownTemplateGroups } from '../../common/flux/policy/filter';
import { applyPolicy, newAlphabetical, newNumerical, newSemVer, policerFromSpec } from '../../common/flux/policy/policies';

function latestOf(r: { ok: true; policer: { latest(v: readonly string[]): { ok: boolean } } } | { ok: false; error: string }, versions: string[]) {
  assert.ok(r.ok);
  return r.policer.latest(versions);
}

function shuffled<T>(list: T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('strconv.ParseFloat(s, 64) as Go 1.26', () => {
  // [input, value, error] as Go printed them.
  const FACTS: [string, number, string?][] = [
    ['1e3', 1000], ['+7', 7], ['Inf', Infinity], ['-Infinity', -Infinity], ['+inf', Infinity], ['NaN', NaN],
    ['infin', 0, 'invalid syntax'], ['+NaN', 0, 'invalid syntax'], ['-nan', 0, 'invalid syntax'], ['infinityx', 0, 'invalid syntax'],
    ['0x1p4', 16], ['0X1P4', 16], ['0x1.8p1', 3], ['0x.8p1', 1], ['0x_1p4', 16], ['0x10', 0, 'invalid syntax'], ['0x1p', 0, 'invalid syntax'],
    ['0x1p+_1', 0, 'invalid syntax'], ['0b101', 0, 'invalid syntax'],
    ['1_000', 1000], ['1_000.000_1', 1000.0001], ['1.5e3_0', 1.5e30], ['1__0', 0, 'invalid syntax'], ['_1', 0, 'invalid syntax'], ['1_', 0, 'invalid syntax'],
    ['1e400', Infinity, 'value out of range'], ['0x1p1024', Infinity, 'value out of range'],
    ['0x1.fffffffffffff8p1023', Infinity, 'value out of range'], ['0x1.fffffffffffffp1023', 1.7976931348623157e308],
    ['0x1p-1074', 5e-324], ['0x1p-1075', 0], ['1e-400', 0],
    ['.5', 0.5], ['5.', 5], ['1.e5', 100000], ['1E3', 1000], ['-0', -0], ['0.0000000000000000000000000000000000001e37', 1],
    ['1e', 0, 'invalid syntax'], ['1e+', 0, 'invalid syntax'], ['', 0, 'invalid syntax'], [' 1', 0, 'invalid syntax'], ['1a', 0, 'invalid syntax'],
  ];
  for (const [input, value, error] of FACTS) {
    it(`parses ${JSON.stringify(input)} as Go does`, () => {
      const r = parseFloatGo(input);
      assert.ok(Object.is(r.value, value), `${input}: ${r.value}`);
      if (error) assert.deepEqual(r, { ok: false, value, error: `strconv.ParseFloat: parsing ${goQuote(input)}: ${error}` });
      else assert.equal(r.ok, true);
    });
  }
});

describe('Go strconv.Quote', () => {
  it('quotes as %q does', () => {
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote('\n\t\x00\x7f'), '"\\n\\t\\x00\\x7f"');
    assert.equal(goQuote('é☃'), '"é☃"');
    assert.equal(goQuote('\u200b'), '"\\u200b"');
  });
});

describe('regexp.ExpandString as Go 1.26', () => {
  const FACTS: [string, string, string, string][] = [
    ['ver(\\d+)', '$1', 'ver12', '12'],
    ['(?P<tag>\\d+)-(?P<sha>[a-f0-9]+)', '$tag', '42-abc', '42'],
    ['(?P<tag>\\d+)-(?P<sha>[a-f0-9]+)', '${tag}x', '42-abc', '42x'],
    ['(?P<tag>\\d+)-(?P<sha>[a-f0-9]+)', '$tagx', '42-abc', ''],
    ['(\\d+)-(\\w+)', '$1x', '42-abc', ''],
    ['(\\d+)-(\\w+)', '${1}x', '42-abc', '42x'],
    ['(\\d+)-(\\w+)', '$$1', '42-abc', '$1'],
    ['(\\d+)-(\\w+)', '$', '42-abc', '$'],
    ['(\\d+)-(\\w+)', 'a$-b', '42-abc', 'a$-b'],
    ['(\\d+)-(\\w+)', '${1', '42-abc', '${1'],
    ['(\\d+)-(\\w+)', '$01', '42-abc', ''],
    ['(\\d+)-(\\w+)', '$9', '42-abc', ''],
    ['(\\d+)-(\\w+)', '$0', '42-abc', '42-abc'],
    ['(a)|(b)', '[$1][$2]', 'b', '[][b]'],
    ['(\\d+)-(\\w+)', '${}', '42-abc', '${}'],
    ['(\\d+)-(\\w+)', '$2.$1', 'x42-abc', 'abc.42'],
  ];
  for (const [pattern, template, src, want] of FACTS) {
    it(`expands ${JSON.stringify(template)} with ${pattern} on ${src}`, () => {
      const f = newRegexFilter(pattern, template);
      assert.ok(f.ok);
      const m = findSubmatchIndex(f.filter.regexp, src);
      assert.ok(m);
      assert.equal(expandTemplate(template, src, m, f.filter.subexpNames), want);
    });
  }
  it('accepts a group name used twice, as Go does, and expands the first one that matched', () => {
    const f = newRegexFilter('(?P<a>x)|[(?P<a>]|(?P<a>y)', '[$a]');
    assert.ok(f.ok);
    assert.deepEqual([...applyRegexFilter(f.filter, ['y', 'x', 'z']).keys()], ['[y]', '[x]']);
    assert.equal(newRegexFilter('(?P<a>x)(?P<a', '').ok, false);
  });
  it('names the groups an extract template refers to but the pattern lacks', () => {
    const f = newRegexFilter('^main-(?P<ts>\\d+)-(\\w+)$', '');
    assert.ok(f.ok);
    assert.deepEqual(unknownTemplateGroups('$ts-$2-$3-${build}-$$x', f.filter), ['3', 'build']);
  });
});

describe('internal/policy tables', () => {
  it('NewAlphabetical and NewNumerical accept "", ASC, DESC and refuse others with the controller text', () => {
    for (const order of ['', 'ASC', 'DESC']) {
      assert.ok(newAlphabetical(order).ok);
      assert.ok(newNumerical(order).ok);
    }
    assert.deepEqual(newAlphabetical('invalid'), { ok: false, error: "invalid order argument provided: 'invalid', must be one of: ASC, DESC" });
    assert.deepEqual(newNumerical('invalid'), { ok: false, error: "invalid order argument provided: 'invalid', must be one of: ASC, DESC" });
  });
  it('Alphabetical.Latest as TestAlphabetical_Latest', () => {
    const calver = ['16.04', '16.04.1', '16.10', '20.04', '20.10'];
    const names = ['xenial', 'yakkety', 'zesty', 'artful', 'bionic'];
    const unix = ['1606234201', '1606364286', '1606334092', '1606334284', '1606334201'];
    const rfc = ['2021-01-08T21-18-21Z', '2020-05-08T21-18-21Z', '2021-01-08T19-20-00Z', '1990-01-08T00-20-00Z', '2023-05-08T00-20-00Z'];
    const cases: [string, string[], string][] = [
      ['', calver, '20.10'], ['DESC', calver, '16.04'], ['', names, 'zesty'], ['DESC', names, 'artful'],
      ['', unix, '1606364286'], ['DESC', unix, '1606234201'], ['', unix.map((t) => `rel-${t}`), 'rel-1606364286'],
      ['', rfc, '2023-05-08T00-20-00Z'], ['DESC', rfc, '1990-01-08T00-20-00Z'],
    ];
    for (const [order, versions, want] of cases) assert.deepEqual(latestOf(newAlphabetical(order), versions), { ok: true, latest: want });
    assert.deepEqual(latestOf(newAlphabetical(''), []), { ok: false, error: 'version list argument cannot be empty' });
  });
  it('Numerical.Latest as TestNumerical_Latest (shuffled input)', () => {
    const cases: [string, string[], string][] = [
      ['', ['-62', '-88', '73', '72', '15', '16', '15', '29', '-33', '-91'], '73'],
      ['DESC', ['5', '-8', '-78', '25', '70', '-4', '80', '92', '-20', '-24'], '-78'],
      ['', ['47.40896403322944', '-27.8520927455902', '-27.930666514224427', '-31.352485948094568', '-50.41072694704882', '-21.962849842263736', '24.71884721436865', '-39.99177354004344', '53.47333823144817', '3.2008658570411086'], '53.47333823144817'],
      ['DESC', ['-65.27202780220686', '57.82948329142309', '22.40184684363291', '-86.36934305697784', '-90.29082099756083', '-12.041712603564264', '77.70488240399305', '-38.98425003883552', '16.06867070412028', '53.735674335181216'], '-90.29082099756083'],
      ['', ['1606234201', '1606364286', '1606334092', '1606334284', '1606334201'], '1606364286'],
      ['DESC', ['1606234201', '1606364286', '1606334092', '1606334284', '1606334201'], '1606234201'],
      ['', ['1'], '1'], ['DESC', ['1'], '1'],
    ];
    for (const [order, versions, want] of cases) assert.deepEqual(latestOf(newNumerical(order), shuffled(versions)), { ok: true, latest: want });
    assert.deepEqual(latestOf(newNumerical(''), ['0', '1a', 'b']), { ok: false, error: "failed to parse invalid numeric value '1a'" });
    assert.deepEqual(latestOf(newNumerical(''), []), { ok: false, error: 'version list argument cannot be empty' });
  });
  it('Numerical follows Go float semantics: hex floats, underscores, Inf, out of range, NaN, later ties', () => {
    assert.deepEqual(latestOf(newNumerical('ASC'), ['10', '0x1p4', '1_5']), { ok: true, latest: '0x1p4' });
    assert.deepEqual(latestOf(newNumerical('ASC'), ['10', 'Inf']), { ok: true, latest: 'Inf' });
    assert.deepEqual(latestOf(newNumerical('ASC'), ['10', '0x10']), { ok: false, error: "failed to parse invalid numeric value '0x10'" });
    assert.deepEqual(latestOf(newNumerical('ASC'), ['10', '1e400']), { ok: false, error: "failed to parse invalid numeric value '1e400'" });
    assert.deepEqual(latestOf(newNumerical('ASC'), ['10', 'NaN', '3']), { ok: true, latest: '3' });
    assert.deepEqual(latestOf(newNumerical('ASC'), ['1.0', '1', '0']), { ok: true, latest: '1' });
    assert.deepEqual(latestOf(newNumerical('DESC'), ['1', '1.0', '2']), { ok: true, latest: '1.0' });
  });
  it('NewSemVer accepts and refuses as TestNewSemVer', () => {
    for (const r of ['1.0.x', '^1.0', '=1.0.0', '~1.0', '>=1.0', '>0,<2.0']) assert.ok(newSemVer(r).ok, r);
    for (const r of ['1.0.0p', '1x', 'x1', '-1', 'a', '']) assert.equal(newSemVer(r).ok, false, r);
  });
  it('SemVer.Latest as TestSemVer_Latest', () => {
    assert.deepEqual(latestOf(newSemVer('1.0.x'), ['1.0.0', '1.0.0.1', '1.0.0p', '1.0.1', '1.2.0', '0.1.0']), { ok: true, latest: '1.0.1' });
    assert.deepEqual(latestOf(newSemVer('1.0.x'), ['v1.2.3', 'v1.0.0', 'v0.1.0']), { ok: true, latest: 'v1.0.0' });
    assert.deepEqual(latestOf(newSemVer('1.0.x'), ['b1.2.3', 'b1.0.0', 'b0.1.0']), { ok: false, error: 'unable to determine latest version from provided list' });
    assert.deepEqual(latestOf(newSemVer('1.0.x'), []), { ok: false, error: 'version list argument cannot be empty' });
    assert.deepEqual(latestOf(newSemVer('1.0.x'), ['1.2.0']), { ok: false, error: 'unable to determine latest version from provided list' });
  });
  it('SemVer keeps the first of equal versions and admits prereleases only for a group that names one', () => {
    assert.deepEqual(latestOf(newSemVer('>=1.0.0'), ['v1.2.0', '1.2.0', '1.2.0+build']), { ok: true, latest: 'v1.2.0' });
    assert.deepEqual(latestOf(newSemVer('>=1.0.0'), ['1.2.0', '1.3.0-rc.1']), { ok: true, latest: '1.2.0' });
    assert.deepEqual(latestOf(newSemVer('>=1.0.0-0'), ['1.2.0', '1.3.0-rc.1']), { ok: true, latest: '1.3.0-rc.1' });
    assert.deepEqual(latestOf(newSemVer('>=2.0.0 || >=1.0.0-0'), ['1.2.0', '1.3.0-rc.1', '2.1.0-rc.1']), { ok: true, latest: '2.1.0-rc.1' });
    assert.deepEqual(latestOf(newSemVer('>=1.0.0'), ['1.2', '1.10.0', '1.9.0', '01.11.0']), { ok: true, latest: '01.11.0' });
  });
  it('RegexFilter as TestRegexFilter', () => {
    const cases: [string[], string, string, string[]][] = [
      [['a'], '', '', ['a']],
      [['ver1', 'ver2', 'ver3', 'rel1'], '^ver', '', ['ver1', 'ver2', 'ver3']],
      [['ver1', 'ver2', 'ver3', 'rel1'], 'ver(\\d+)', '$1', ['1', '2', '3']],
      [['123-123.123.abcd123-debug', '123-123.123.abcd123', '123-123.123.abcd456-debug', '123-123.123.abcd456'], '^(123-[0-9]+\\.[0-9]+\\.[a-z0-9]+-debug)', '', ['123-123.123.abcd123-debug', '123-123.123.abcd456-debug']],
      [['123-123.123.abcd123-debug', '123-123.123.abcd123', '123-123.123.abcd456-debug', '123-123.123.abcd456'], '^(?P<tag>123-[0-9]+\\.[0-9]+\\.[a-z0-9]+[^-debug])', '$tag', ['123-123.123.abcd123', '123-123.123.abcd456']],
      [['123-123.123.abcd123-debug', '123-123.123.abcd123', '123-123.123.abcd456-debug', '123-123.123.abcd456'], '^(?P<tag>123-[0-9]+\\.[0-9]+\\.[a-z0-9]+$)', '$tag', ['123-123.123.abcd123', '123-123.123.abcd456']],
    ];
    for (const [tags, pattern, extract, expected] of cases) {
      const f = newRegexFilter(pattern, extract);
      assert.ok(f.ok);
      assert.deepEqual([...applyRegexFilter(f.filter, tags).keys()].sort(), [...expected].sort(), pattern);
    }
  });
  it('PolicerFromSpec as TestFactory_PolicerFromSpec: empty choice and *-* are errors, semver wins the union', () => {
    assert.deepEqual(policerFromSpec({}), { ok: false, error: 'given ImagePolicyChoice object is invalid' });
    assert.deepEqual(policerFromSpec({ semver: { range: '*-*' } }), { ok: false, error: 'improper constraint: "*-*"' });
    const both = policerFromSpec({ numerical: { order: 'asc' }, semver: { range: '>=1.0.0' }, alphabetical: {} });
    assert.ok(both.ok && both.policer.kind === 'semver');
    const alpha = policerFromSpec({ numerical: { order: 'asc' }, alphabetical: { order: 'desc' } });
    assert.ok(alpha.ok && alpha.policer.kind === 'alphabetical');
    assert.deepEqual(policerFromSpec({ alphabetical: { order: 'sideways' } }), { ok: false, error: "invalid order argument provided: 'SIDEWAYS', must be one of: ASC, DESC" });
  });
});

describe('applyPolicy (imagepolicy_controller_test.go)', () => {
  it('selects by semver with and without v prefixes on range and tags', () => {
    assert.deepEqual(applyPolicy({ policy: { semver: { range: '1.0.x' } } }, ['1.0.0', '2.0.0', '1.0.1', '1.2.0']), { ok: true, latest: '1.0.1' });
    assert.deepEqual(applyPolicy({ policy: { semver: { range: 'v1.0.x' } } }, ['v1.0.0', 'v2.0.0', 'v1.0.1', 'v1.2.0']), { ok: true, latest: 'v1.0.1' });
    assert.deepEqual(applyPolicy({ policy: { semver: { range: 'v1.0.x' } } }, ['1.0.0', '2.0.0', '1.0.1', '1.2.0']), { ok: true, latest: '1.0.1' });
    assert.deepEqual(applyPolicy({ policy: { semver: { range: '1.0.x' } } }, ['v1.0.0', 'v2.0.0', 'v1.0.1', 'v1.2.0']), { ok: true, latest: 'v1.0.1' });
  });
  it('classifies an invalid policy, an empty database and a bad pattern as the controller does', () => {
    assert.deepEqual(applyPolicy({ policy: {} }, ['1.0.0']), { ok: false, invalidPolicy: true, error: 'invalid policy: given ImagePolicyChoice object is invalid' });
    assert.deepEqual(applyPolicy({ policy: {} }, []), { ok: false, invalidPolicy: true, error: 'invalid policy: given ImagePolicyChoice object is invalid' });
    assert.deepEqual(applyPolicy({ policy: { semver: { range: '1.0.0p' } } }, ['1.0.0']), { ok: false, invalidPolicy: true, error: 'invalid policy: improper constraint: "1.0.0p"' });
    assert.deepEqual(applyPolicy({ policy: { semver: { range: '1.0.x' } } }, []), { ok: false, noTags: true, error: 'no tags in database' });
    assert.deepEqual(applyPolicy({ policy: { semver: { range: '1.0.x' } }, filterTags: { pattern: '[=' } }, ['1.0.0']), {
      ok: false,
      invalidPolicy: true,
      error: "failed to filter tags: invalid regular expression pattern '[=': error parsing regexp: missing closing ]: `[=`",
    });
  });
  it('runs numerical and alphabetical policies on extracted values and reports the original tag', () => {
    const tags = ['1.0.0', '1.0.0-rc.1', '1.0.0-rc.2', '1.0.0-rc.3', '1.0.1-rc.2'];
    assert.deepEqual(applyPolicy({ policy: { numerical: { order: 'asc' } }, filterTags: { pattern: '1.0.0-rc\\.(?P<num>[0-9]+)', extract: '$num' } }, tags), { ok: true, latest: '1.0.0-rc.3' });
    assert.deepEqual(applyPolicy({ policy: { alphabetical: { order: 'asc' } }, filterTags: { pattern: 'foo-(?P<word>[a-z]+)', extract: '$word' } }, ['foo-aaa', 'bar-zzz', 'foo-zzz', 'foo-bbb']), { ok: true, latest: 'foo-zzz' });
  });
  it('lets the later tag win when two extract to the same value, and fails on no match', () => {
    assert.deepEqual(applyPolicy({ policy: { numerical: {} }, filterTags: { pattern: '-(\\d+)$', extract: '$1' } }, ['a-5', 'b-5', 'c-3']), { ok: true, latest: 'b-5' });
    assert.deepEqual(applyPolicy({ policy: { numerical: {} }, filterTags: { pattern: '^nomatch' } }, ['a-5']), { ok: false, error: 'version list argument cannot be empty' });
  });
  it('evaluates 100,000 tags and a pathological pattern in linear time', () => {
    const tags = Array.from({ length: 100_000 }, (_, i) => `${Math.floor(i / 1000)}.${i % 1000}.0`);
    const started = performance.now();
    assert.deepEqual(applyPolicy({ policy: { semver: { range: '>=0.0.0' } } }, tags), { ok: true, latest: '99.999.0' });
    const evil = applyPolicy({ policy: { alphabetical: {} }, filterTags: { pattern: '^(a+)+$' } }, ['a'.repeat(5000) + 'b', 'aaa']);
    assert.deepEqual(evil, { ok: true, latest: 'aaa' });
    assert.ok(performance.now() - started < 5000);
  });
});
