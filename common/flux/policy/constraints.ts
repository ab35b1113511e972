// Masterminds/semver v3.5.0 constraints (constraints.go): what `spec.policy.semver.range` of an ImagePolicy
// means. `||` separates OR groups, spaces or commas separate the ANDs of a group, `a - b` is rewritten to
// `>= a, <= b`, and `x`/`X`/`*`/a missing part make a segment a wildcard. A prerelease version only satisfies
// a group that itself names a prerelease. The library's regular expressions run on re2js, which is Go's
// regexp engine: same leftmost-first submatches, and linear time on absurd ranges.
import { RE2JS } from 're2js';
import { goQuote } from './goQuote';
import {
  compareVersions,
  comparePrerelease,
  compareSegment,
  newVersion,
  strictNewVersion,
  versionString,
  type SemverVersion,
} from './semver';

export const MAX_CONSTRAINT_LEN = 512;
export const MAX_CONSTRAINT_GROUPS = 32;
export const ErrConstraintTooLong = `constraint string is too long (max ${MAX_CONSTRAINT_LEN} bytes)`;
export const ErrTooManyConstraintGroups = `too many constraint groups (max ${MAX_CONSTRAINT_GROUPS})`;

type Operator = '' | '=' | '!=' | '>' | '<' | '>=' | '=>' | '<=' | '=<' | '~' | '~>' | '^';

/** One comparison of an AND group (Masterminds `constraint`). */
export interface Constraint {
  readonly con: SemverVersion;
  /** The version text as written (`4.x` in `!= 4.x`). */
  readonly orig: string;
  readonly origfunc: Operator;
  readonly minorDirty: boolean;
  readonly dirty: boolean;
  readonly patchDirty: boolean;
}

/** Parsed constraints: OR groups of AND constraints, and whether each group names a prerelease. */
export interface Constraints {
  readonly constraints: readonly (readonly Constraint[])[];
  readonly containsPre: readonly boolean[];
  readonly includePrerelease: boolean;
}

export type ConstraintsParse = { ok: true; constraints: Constraints } | { ok: false; error: string };

const CV = String.raw`v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?` +
  String.raw`(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?` +
  String.raw`(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?`;
const OPS = String.raw`=||!=|>|<|>=|=>|<=|=<|~|~>|\^`;

const constraintRegex = RE2JS.compile(String.raw`^\s*(${OPS})\s*(${CV})\s*$`);
const constraintRangeRegex = RE2JS.compile(String.raw`\s*(${CV})\s+-\s+(${CV})\s*`);
const findConstraintRegex = RE2JS.compile(String.raw`(${OPS})\s*(${CV})`);
const validConstraintRegex = RE2JS.compile(
  String.raw`^(\s*(${OPS})\s*(${CV})\s*)((?:\s+|,\s*)(${OPS})\s*(${CV})\s*)*$`,
);

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Regexp.FindAllStringSubmatch(s, -1) with "" for groups that did not take part. */
function findAllSubmatch(re: RE2JS, s: string): string[][] {
  const out: string[][] = [];
  const m = re.matcher(s);
  while (m.find()) {
    const groups: string[] = [];
    for (let i = 0; i <= m.groupCount(); i++) groups.push(m.group(i) ?? '');
    out.push(groups);
  }
  return out;
}

function isX(x: string): boolean {
  return x === 'x' || x === '*' || x === 'X';
}

/** rewriteRange(): each `a - b` becomes `>= a, <= b ` (first occurrence of the matched text, as strings.Replace). */
export function rewriteRange(i: string): string {
  const matches = findAllSubmatch(constraintRangeRegex, i);
  let o = i;
  for (const v of matches) {
    const t = `>= ${v[1]}, <= ${v[11]} `;
    const at = o.indexOf(v[0]);
    if (at >= 0) o = o.slice(0, at) + t + o.slice(at + v[0].length);
  }
  return o;
}

/** parseConstraint(): one `op version` into a constraint; `x`, `*` or a missing part makes it dirty; "" is `*`. */
export function parseConstraint(c: string): { ok: true; constraint: Constraint } | { ok: false; error: string } {
  if (c.length > 0) {
    const mm = constraintRegex.matcher(c);
    if (!mm.find()) return { ok: false, error: `improper constraint: ${goQuote(c)}` };
    const m: string[] = [];
    for (let i = 0; i <= mm.groupCount(); i++) m.push(mm.group(i) ?? '');
    let ver = m[2];
    let minorDirty = false;
    let patchDirty = false;
    let dirty = false;
    if (isX(m[3]) || m[3] === '') {
      ver = `0.0.0${m[6]}`;
      dirty = true;
    } else if (isX(m[4].replace(/^\./, '')) || m[4] === '') {
      minorDirty = true;
      dirty = true;
      ver = `${m[3]}.0.0${m[6]}`;
    } else if (isX(m[5].replace(/^\./, '')) || m[5] === '') {
      dirty = true;
      patchDirty = true;
      ver = `${m[3]}${m[4]}.0${m[6]}`;
    }
    const con = newVersion(ver);
    if (!con.ok) return { ok: false, error: 'constraint parser error' };
    return { ok: true, constraint: { con: con.version, orig: m[2], origfunc: m[1] as Operator, minorDirty, patchDirty, dirty } };
  }
  const con = strictNewVersion('0.0.0');
  if (!con.ok) return { ok: false, error: 'constraint parser error' };
  return { ok: true, constraint: { con: con.version, orig: c, origfunc: '', minorDirty: false, patchDirty: false, dirty: true } };
}

/**
 * NewConstraint(c) from Masterminds/semver v3.5.0 constraints.go. Errors are the library's texts, e.g.
 * `improper constraint: "1.0.0p"` (the offending OR group, Go-quoted), `constraint string is too long (max 512
 * bytes)`, `too many constraint groups (max 32)`.
 */
export function newConstraint(c: string): ConstraintsParse {
  if (utf8Length(c) > MAX_CONSTRAINT_LEN) return { ok: false, error: ErrConstraintTooLong };
  c = rewriteRange(c);
  const ors = c.split('||');
  if (ors.length > MAX_CONSTRAINT_GROUPS) return { ok: false, error: ErrTooManyConstraintGroups };
  const groups: Constraint[][] = [];
  const hasPre: boolean[] = [];
  for (const v of ors) {
    if (!validConstraintRegex.matcher(v).find()) return { ok: false, error: `improper constraint: ${goQuote(v)}` };
    let cs = findAllSubmatch(findConstraintRegex, v).map((m) => m[0]);
    if (cs.length === 0) cs = [v];
    const result: Constraint[] = [];
    let pre = false;
    for (const s of cs) {
      const pc = parseConstraint(s);
      if (!pc.ok) return pc;
      if (pc.constraint.con.pre !== '') pre = true;
      result.push(pc.constraint);
    }
    groups.push(result);
    hasPre.push(pre);
  }
  return { ok: true, constraints: { constraints: groups, containsPre: hasPre, includePrerelease: false } };
}

/**
 * Reasons quote versions as Go does, which is costly for every tag a range refuses; Check needs only the verdict,
 * so the quoted parts are built only while Validate runs (`wantReason`).
 */
let wantReason = false;
const q = (v: SemverVersion): string => (wantReason ? goQuote(versionString(v)) : '');
const qo = (s: string): string => (wantReason ? goQuote(s) : '');
const lessThan = (a: SemverVersion, b: SemverVersion): boolean => compareVersions(a, b) < 0;

function notPrerelease(v: SemverVersion, includePre: boolean): string | undefined {
  if (v.pre !== '' && !includePre) {
    return `${q(v)} is a prerelease version and the constraint is only looking for release versions`;
  }
  return undefined;
}

type CheckFn = (v: SemverVersion, c: Constraint, includePre: boolean) => string | undefined;

const constraintNotEqual: CheckFn = (v, c, includePre) => {
  const pre = notPrerelease(v, includePre);
  if (pre) return pre;
  const equal = `${q(v)} is equal to ${qo(c.orig)}`;
  if (c.dirty) {
    if (c.con.major !== v.major) return undefined;
    if (c.con.minor !== v.minor && !c.minorDirty) return undefined;
    else if (c.minorDirty) return equal;
    else if (c.con.patch !== v.patch && !c.patchDirty) return undefined;
    else if (c.patchDirty) {
      if (v.pre !== '' || c.con.pre !== '') {
        return comparePrerelease(v.pre, c.con.pre) !== 0 ? undefined : equal;
      }
      return equal;
    }
  }
  return compareVersions(v, c.con) === 0 ? equal : undefined;
};

const constraintGreaterThan: CheckFn = (v, c, includePre) => {
  const pre = notPrerelease(v, includePre);
  if (pre) return pre;
  const fail = `${q(v)} is less than or equal to ${qo(c.orig)}`;
  if (!c.dirty) return compareVersions(v, c.con) === 1 ? undefined : fail;
  const major = compareSegment(v.major, c.con.major);
  if (major > 0) return undefined;
  if (major < 0) return fail;
  if (c.minorDirty) return fail;
  if (c.patchDirty) return compareSegment(v.minor, c.con.minor) > 0 ? undefined : fail;
  return compareVersions(v, c.con) === 1 ? undefined : fail;
};

const constraintLessThan: CheckFn = (v, c, includePre) => {
  const pre = notPrerelease(v, includePre);
  if (pre) return pre;
  return compareVersions(v, c.con) < 0 ? undefined : `${q(v)} is greater than or equal to ${qo(c.orig)}`;
};

const constraintGreaterThanEqual: CheckFn = (v, c, includePre) => {
  const pre = notPrerelease(v, includePre);
  if (pre) return pre;
  return compareVersions(v, c.con) >= 0 ? undefined : `${q(v)} is less than ${qo(c.orig)}`;
};

const constraintLessThanEqual: CheckFn = (v, c, includePre) => {
  const pre = notPrerelease(v, includePre);
  if (pre) return pre;
  const fail = `${q(v)} is greater than ${qo(c.orig)}`;
  if (!c.dirty) return compareVersions(v, c.con) <= 0 ? undefined : fail;
  const major = compareSegment(v.major, c.con.major);
  if (major > 0) return fail;
  if (major === 0 && compareSegment(v.minor, c.con.minor) > 0 && !c.minorDirty) return fail;
  return undefined;
};

const constraintTilde: CheckFn = (v, c, includePre) => {
  const pre = notPrerelease(v, includePre);
  if (pre) return pre;
  if (lessThan(v, c.con)) return `${q(v)} is less than ${qo(c.orig)}`;
  if (c.con.major === '0' && c.con.minor === '0' && c.con.patch === '0' && !c.minorDirty && !c.patchDirty) return undefined;
  if (v.major !== c.con.major) return `${q(v)} does not have same major version as ${qo(c.orig)}`;
  if (v.minor !== c.con.minor && !c.minorDirty) return `${q(v)} does not have same major and minor version as ${qo(c.orig)}`;
  return undefined;
};

const constraintTildeOrEqual: CheckFn = (v, c, includePre) => {
  const pre = notPrerelease(v, includePre);
  if (pre) return pre;
  if (c.dirty) return constraintTilde(v, c, includePre);
  return compareVersions(v, c.con) === 0 ? undefined : `${q(v)} is not equal to ${qo(c.orig)}`;
};

const constraintCaret: CheckFn = (v, c, includePre) => {
  const pre = notPrerelease(v, includePre);
  if (pre) return pre;
  if (lessThan(v, c.con)) return `${q(v)} is less than ${qo(c.orig)}`;
  if (c.con.major !== '0' || c.minorDirty) {
    return v.major === c.con.major ? undefined : `${q(v)} does not have same major version as ${qo(c.orig)}`;
  }
  if (c.con.major === '0' && v.major !== '0') return `${q(v)} does not have same major version as ${qo(c.orig)}`;
  if (c.con.minor !== '0' || c.patchDirty) {
    return v.minor === c.con.minor
      ? undefined
      : `${q(v)} does not have same minor version as ${qo(c.orig)}. Expected minor versions to match when constraint major version is 0`;
  }
  if (c.con.minor === '0' && v.minor !== '0') return `${q(v)} does not have same minor version as ${qo(c.orig)}`;
  return c.con.patch === v.patch
    ? undefined
    : `${q(v)} does not equal ${qo(c.orig)}. Expect version and constraint to equal when major and minor versions are 0`;
};

const constraintOps: Record<Operator, CheckFn> = {
  '': constraintTildeOrEqual,
  '=': constraintTildeOrEqual,
  '!=': constraintNotEqual,
  '>': constraintGreaterThan,
  '<': constraintLessThan,
  '>=': constraintGreaterThanEqual,
  '=>': constraintGreaterThanEqual,
  '<=': constraintLessThanEqual,
  '=<': constraintLessThanEqual,
  '~': constraintTilde,
  '~>': constraintTilde,
  '^': constraintCaret,
};

/** constraint.check(): undefined when `v` satisfies `c`, otherwise the library's reason. */
export function checkConstraint(v: SemverVersion, c: Constraint, includePre: boolean): string | undefined {
  return constraintOps[c.origfunc](v, c, includePre);
}

/** Constraints.Check(v): some OR group whose every AND constraint holds (prereleases only where the group names one). */
export function checkConstraints(cs: Constraints, v: SemverVersion): boolean {
  for (let i = 0; i < cs.constraints.length; i++) {
    const includePre = cs.includePrerelease || cs.containsPre[i];
    if (cs.constraints[i].every((c) => checkConstraint(v, c, includePre) === undefined)) return true;
  }
  return false;
}

/**
 * Constraints.Validate(v): whether `v` satisfies the constraints and, if not, the library's reasons (one per
 * failing constraint; the prerelease reason once).
 */
export function validateConstraints(cs: Constraints, v: SemverVersion): { ok: boolean; reasons: string[] } {
  wantReason = true;
  try {
    return validate(cs, v);
  } finally {
    wantReason = false;
  }
}

function validate(cs: Constraints, v: SemverVersion): { ok: boolean; reasons: string[] } {
  const reasons: string[] = [];
  let prerelease = false;
  for (let i = 0; i < cs.constraints.length; i++) {
    let joy = true;
    for (const c of cs.constraints[i]) {
      if (!cs.includePrerelease && !cs.containsPre[i] && v.pre !== '') {
        if (!prerelease) {
          reasons.push(`${q(v)} is a prerelease version and the constraint is only looking for release versions`);
          prerelease = true;
        }
        joy = false;
      } else {
        const err = checkConstraint(v, c, cs.includePrerelease || cs.containsPre[i]);
        if (err !== undefined) {
          reasons.push(err);
          joy = false;
        }
      }
    }
    if (joy) return { ok: true, reasons: [] };
  }
  return { ok: false, reasons };
}

/** Constraints.String(): each group's constraints as `op+orig` joined by a space, groups by ` || `. */
export function constraintsString(cs: Constraints): string {
  return cs.constraints.map((g) => g.map((c) => c.origfunc + c.orig).join(' ')).join(' || ');
}

/** The same Constraints with IncludePrerelease set (Masterminds' option, used by its tests). */
export function withIncludePrerelease(cs: Constraints): Constraints {
  return { ...cs, includePrerelease: true };
}
