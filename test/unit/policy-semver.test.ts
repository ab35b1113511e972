// Masterminds/semver v3.5.0 as image-reflector-controller uses it, checked against the library's own test tables
// (test/unit/fixtures/masterminds-semver-v3.5.0.ts) and fluxcd/pkg/version ParseVersion.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as T from './fixtures/masterminds-semver-v3.5.0';
import {
  compareVersions,
  newVersion,
  parseVersion,
  strictNewVersion,
  validatePrerelease,
  versionString,
  type SemverVersion,
} from '../../common/flux/policy/semver';
import {
  checkConstraint,
  checkConstraints,
  constraintsString,
  newConstraint,
  parseConstraint,
  rewriteRange,
  validateConstraints,
  withIncludePrerelease,
} from '../../common/flux/policy/constraints';

const ERRORS: Record<string, string> = {
  ErrInvalidSemVer: 'invalid semantic version',
  ErrSegmentStartsZero: 'version segment starts with 0',
  ErrInvalidPrerelease: 'invalid prerelease string',
  ErrInvalidMetadata: 'invalid metadata string',
};

function mustParse(v: string, coerce = true): SemverVersion {
  const r = newVersion(v, { coerce });
  assert.ok(r.ok, `${v}: ${r.ok ? '' : r.error}`);
  return r.version;
}

function mustConstraint(c: string) {
  const r = newConstraint(c);
  assert.ok(r.ok, `${c}: ${r.ok ? '' : r.error}`);
  return r.constraints;
}

describe('Masterminds semver v3.5.0 versions (upstream tables)', () => {
  it('StrictNewVersion accepts and refuses as TestStrictNewVersion', () => {
    for (const [version, err] of T.TestStrictNewVersion[0]) assert.equal(!strictNewVersion(version).ok, err, version);
  });
  it('NewVersion with coercion (the default Flux uses) accepts and refuses as TestNewVersion', () => {
    for (const [version, err] of T.TestNewVersion[0]) assert.equal(!newVersion(version).ok, err, version);
  });
  it('NewVersion without coercion accepts and refuses as TestNewVersion', () => {
    for (const [version, err] of T.TestNewVersion[1]) assert.equal(!newVersion(version, { coerce: false }).ok, err, version);
  });
  it('gives the detailed errors of TestNewVersionCheckError', () => {
    for (const [version, want] of T.TestNewVersionCheckError[0]) {
      const r = newVersion(version, { coerce: false });
      assert.equal(r.ok ? null : r.error, want === null ? null : ERRORS[want], version);
    }
  });
  it('keeps the original string and prints the coerced one (TestOriginal, TestCoerceString)', () => {
    for (const v of T.TestOriginal[0]) assert.equal(mustParse(v).original, v);
    for (const [v, s] of T.TestCoerceString[0]) assert.equal(versionString(mustParse(v)), s);
  });
  it('compares as TestCompare, TestLessThan, TestGreaterThan and the *Equal tables', () => {
    for (const [a, b, want] of T.TestCompare[0]) assert.equal(compareVersions(mustParse(a), mustParse(b)), want, `${a} ${b}`);
    for (const [a, b, want] of T.TestLessThan[0]) assert.equal(compareVersions(mustParse(a), mustParse(b)) < 0, want);
    for (const [a, b, want] of T.TestLessThanEqual[0]) assert.equal(compareVersions(mustParse(a), mustParse(b)) <= 0, want);
    for (const [a, b, want] of T.TestGreaterThan[0]) assert.equal(compareVersions(mustParse(a), mustParse(b)) > 0, want, `${a} ${b}`);
    for (const [a, b, want] of T.TestGreaterThanEqual[0]) assert.equal(compareVersions(mustParse(a), mustParse(b)) >= 0, want);
  });
  it('validates prereleases as TestValidatePrerelease', () => {
    for (const [pre, want] of T.TestValidatePrerelease[0]) assert.equal(validatePrerelease(pre) ?? null, want === null ? null : ERRORS[want], pre);
  });
  it('refuses versions longer than 256 bytes and segments beyond uint64 with the library texts', () => {
    assert.deepEqual(newVersion('1.2.' + '3'.repeat(254)), { ok: false, error: 'version string is too long (max 256 bytes)' });
    assert.deepEqual(newVersion('18446744073709551616.0.0'), {
      ok: false,
      error: 'error parsing version segment: strconv.ParseUint: parsing "18446744073709551616": value out of range',
    });
    assert.equal(mustParse('18446744073709551615.0.0').major, '18446744073709551615');
    assert.equal(compareVersions(mustParse('18446744073709551615.0.0'), mustParse('9999999999999999999.0.0')), 1);
  });
});

describe('fluxcd/pkg/version ParseVersion', () => {
  it('needs exactly three dot-separated parts, then coerces', () => {
    for (const tag of ['1.2.3', 'v1.2.3', '01.02.03', '1.2.3-rc.1+build.5', 'v2025.02.03-rc.1']) assert.ok(parseVersion(tag).ok, tag);
    for (const tag of ['1.2', '1', 'v1', '1.0.0.1', '1.0.0p', 'V1.2.3', 'latest', '', '1.2.3-01']) assert.equal(parseVersion(tag).ok, false, tag);
    assert.deepEqual(parseVersion('1.2'), { ok: false, error: 'invalid semantic version' });
  });
});

describe('Masterminds semver v3.5.0 constraints (upstream tables)', () => {
  it('parses single constraints as TestParseConstraint', () => {
    const fn: Record<string, string[]> = {
      constraintGreaterThanEqual: ['>=', '=>'],
      constraintTildeOrEqual: ['', '='],
      constraintLessThanEqual: ['<=', '=<'],
      constraintGreaterThan: ['>'],
      constraintLessThan: ['<'],
    };
    for (const [input, f, v, err] of T.TestParseConstraint[0]) {
      const r = newConstraint(input);
      assert.equal(!r.ok, err, input);
      if (!r.ok) continue;
      const c = r.constraints.constraints[0][0];
      assert.equal(versionString(c.con), v, input);
      assert.ok(fn[f as string].includes(c.origfunc), `${input}: ${c.origfunc}`);
    }
  });
  it('checks one constraint as TestConstraintCheck', () => {
    for (const [constraint, version, check] of T.TestConstraintCheck[0]) {
      const pc = parseConstraint(constraint);
      assert.ok(pc.ok, constraint);
      const c = pc.constraint;
      const v = mustParse(version);
      assert.equal(checkConstraint(v, c, c.con.pre !== '') === undefined, check, `${constraint} ${version}`);
    }
  });
  it('splits ORs and ANDs as TestNewConstraint', () => {
    for (const [input, ors, count, err] of T.TestNewConstraint[0]) {
      const r = newConstraint(input);
      assert.equal(!r.ok, err, input);
      if (!r.ok) continue;
      assert.equal(r.constraints.constraints.length, ors, input);
      assert.equal(r.constraints.constraints[0].length, count, input);
    }
  });
  it('checks versions as TestConstraintsCheck', () => {
    for (const [constraint, version, check] of T.TestConstraintsCheck[0]) {
      assert.equal(checkConstraints(mustConstraint(constraint), mustParse(version)), check, `${constraint} ${version}`);
    }
  });
  it('checks versions with IncludePrerelease as TestConstraintsCheckIncludePrerelease', () => {
    for (const [constraint, version, check] of T.TestConstraintsCheckIncludePrerelease[0]) {
      assert.equal(checkConstraints(withIncludePrerelease(mustConstraint(constraint)), mustParse(version)), check, `${constraint} ${version}`);
    }
  });
  it('rewrites ranges as TestRewriteRange', () => {
    for (const [c, nc] of T.TestRewriteRange[0]) assert.equal(rewriteRange(c), nc);
  });
  it('validates with the reasons of TestConstraintsValidate', () => {
    for (const [constraint, version, check] of T.TestConstraintsValidate[0]) {
      const r = validateConstraints(mustConstraint(constraint), mustParse(version));
      assert.equal(r.ok, check, `${constraint} ${version}`);
      if (!r.ok) assert.ok(r.reasons.length > 0);
    }
    const v = strictNewVersion('1.2.3');
    assert.ok(v.ok);
    assert.deepEqual(validateConstraints(mustConstraint('!= 1.2.5, ^2, <= 1.1.x'), v.version).reasons, [
      '"1.2.3" is less than "2"',
      '"1.2.3" is greater than "1.1.x"',
    ]);
    for (const [constraint, version, msg] of T.TestConstraintsValidate[1]) {
      const sv = strictNewVersion(version);
      assert.ok(sv.ok);
      assert.equal(validateConstraints(mustConstraint(constraint), sv.version).reasons[0], msg, `${constraint} ${version}`);
    }
  });
  it('validates with IncludePrerelease as TestConstraintsValidateIncludePrerelease', () => {
    for (const [constraint, version, check] of T.TestConstraintsValidateIncludePrerelease[0]) {
      const r = validateConstraints(withIncludePrerelease(mustConstraint(constraint)), mustParse(version));
      assert.equal(r.ok, check, `${constraint} ${version}`);
    }
    for (const [constraint, version, msg] of T.TestConstraintsValidateIncludePrerelease[1]) {
      const sv = strictNewVersion(version);
      assert.ok(sv.ok);
      assert.equal(validateConstraints(withIncludePrerelease(mustConstraint(constraint)), sv.version).reasons[0], msg, `${constraint} ${version}`);
    }
  });
  it('prints constraints as TestConstraintString', () => {
    for (const [constraint, st] of T.TestConstraintString[0]) {
      assert.equal(constraintsString(mustConstraint(constraint)), st);
      assert.ok(newConstraint(st).ok);
    }
  });
  it('refuses over-long constraints and too many OR groups (TestNewConstraintTooLong, TooManyGroups)', () => {
    assert.deepEqual(newConstraint('>= 1.0.0 || '.repeat(100)), { ok: false, error: 'constraint string is too long (max 512 bytes)' });
    assert.deepEqual(newConstraint(Array(33).fill('>= 1.0.0').join(' || ')), { ok: false, error: 'too many constraint groups (max 32)' });
  });
  it('names the offending OR group, Go-quoted, in improper constraint errors', () => {
    assert.deepEqual(newConstraint('1.0.0p'), { ok: false, error: 'improper constraint: "1.0.0p"' });
    assert.deepEqual(newConstraint(''), { ok: false, error: 'improper constraint: ""' });
    assert.deepEqual(newConstraint('>=1.0 || foo\tbar'), { ok: false, error: 'improper constraint: " foo\\tbar"' });
    assert.deepEqual(newConstraint('*-*'), { ok: false, error: 'improper constraint: "*-*"' });
  });
  it('parses an absurd range in linear time (Go RE2), not with backtracking', () => {
    const absurd = Array(120).fill('1').join('   ') + ' !';
    const started = performance.now();
    const r = newConstraint(absurd);
    assert.equal(r.ok, false);
    assert.ok(performance.now() - started < 2000);
  });
});
