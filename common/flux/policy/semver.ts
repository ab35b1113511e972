// Masterminds/semver v3.5.0 versions (version.go), the library image-reflector-controller's semver policy uses,
// and fluxcd/pkg/version v0.16.0 ParseVersion, which the policy parses tags with. Ported rather than taken from
// npm `semver`, whose rules differ (coercion of `1.2`, `v` prefixes, leading zeros, prerelease comparison).
// Segments are uint64 in Go; they are kept here as decimal strings without leading zeros, compared by length
// and then by bytes, so 2^64-1 is exact and a larger value fails as Go's ParseUint does.

/** A parsed version: Masterminds semver `Version`. */
export interface SemverVersion {
  /** uint64 segments as decimal strings without leading zeros. */
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  readonly pre: string;
  readonly metadata: string;
  /** The string as given (Version.Original()). */
  readonly original: string;
}

export type SemverParse = { ok: true; version: SemverVersion } | { ok: false; error: string };

export const ErrInvalidSemVer = 'invalid semantic version';
export const ErrEmptyString = 'version string empty';
export const ErrInvalidCharacters = 'invalid characters in version';
export const ErrSegmentStartsZero = 'version segment starts with 0';
export const ErrInvalidMetadata = 'invalid metadata string';
export const ErrInvalidPrerelease = 'invalid prerelease string';
export const MAX_VERSION_LEN = 256;
export const ErrVersionTooLong = `version string is too long (max ${MAX_VERSION_LEN} bytes)`;

const MAX_UINT64 = '18446744073709551615';

// versionRegex / looseVersionRegex from version.go; `\d` is ASCII in both Go and JavaScript.
const versionRegex = new RegExp(
  '^v?(0|[1-9]\\d*)(?:\\.(0|[1-9]\\d*))?(?:\\.(0|[1-9]\\d*))?' +
    '(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?' +
    '(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$',
);
const looseVersionRegex = new RegExp(
  '^v?([0-9]+)(\\.[0-9]+)?(\\.[0-9]+)?' +
    '(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?' +
    '(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?$',
);

const ONLY_DIGITS = /^[0-9]*$/;
const ONLY_ALLOWED = /^[0-9A-Za-z-]*$/;

function byteLength(s: string): number {
  // Versions are ASCII when valid; count UTF-8 bytes only when needed.
  return /^[\x00-\x7f]*$/.test(s) ? s.length : Buffer.byteLength(s, 'utf8');
}

/** strconv.ParseUint(s, 10, 64) on a string of ASCII digits: the normalised value or Go's range error. */
function parseUint64(digits: string): { ok: true; value: string } | { ok: false; error: string } {
  const value = digits.replace(/^0+(?=.)/, '');
  if (value.length > MAX_UINT64.length || (value.length === MAX_UINT64.length && value > MAX_UINT64)) {
    return { ok: false, error: `strconv.ParseUint: parsing ${JSON.stringify(digits)}: value out of range` };
  }
  return { ok: true, value };
}

/** validatePrerelease(): dot-separated [0-9A-Za-z-] identifiers, numeric ones without a leading zero. */
export function validatePrerelease(p: string): string | undefined {
  for (const part of p.split('.')) {
    if (part === '') return ErrInvalidPrerelease;
    if (ONLY_DIGITS.test(part)) {
      if (part.length > 1 && part[0] === '0') return ErrSegmentStartsZero;
    } else if (!ONLY_ALLOWED.test(part)) {
      return ErrInvalidPrerelease;
    }
  }
  return undefined;
}

/** validateMetadata(): dot-separated non-empty [0-9A-Za-z-] identifiers. */
export function validateMetadata(m: string): string | undefined {
  for (const part of m.split('.')) {
    if (part === '' || !ONLY_ALLOWED.test(part)) return ErrInvalidMetadata;
  }
  return undefined;
}

function segment(s: string | undefined): { ok: true; value: string } | { ok: false; error: string } {
  if (!s) return { ok: true, value: '0' };
  const r = parseUint64(s.startsWith('.') ? s.slice(1) : s);
  return r.ok ? r : { ok: false, error: `error parsing version segment: ${r.error}` };
}

function build(original: string, m: [string | undefined, string | undefined, string | undefined], pre: string, metadata: string): SemverParse {
  const parts: string[] = [];
  for (const s of m) {
    const r = segment(s);
    if (!r.ok) return r;
    parts.push(r.value);
  }
  if (pre !== '') {
    const e = validatePrerelease(pre);
    if (e) return { ok: false, error: e };
  }
  if (metadata !== '') {
    const e = validateMetadata(metadata);
    if (e) return { ok: false, error: e };
  }
  return { ok: true, version: { major: parts[0], minor: parts[1], patch: parts[2], pre, metadata, original } };
}

/** validateVersion(): the detailed error for a string the strict regex refused but the loose one took. */
function validateVersion(m: RegExpExecArray): string | undefined {
  for (const raw of [m[1], m[2], m[3]]) {
    if (!raw) continue;
    const v = raw.startsWith('.') ? raw.slice(1) : raw;
    if (v.length > 1 && v[0] === '0') return ErrSegmentStartsZero;
    const r = parseUint64(v);
    if (!r.ok) return `error parsing version segment: ${r.error}`;
  }
  if (m[5]) {
    const e = validatePrerelease(m[5]);
    if (e) return e;
  }
  if (m[8]) {
    const e = validateMetadata(m[8]);
    if (e) return e;
  }
  return undefined;
}

/**
 * NewVersion(v) from Masterminds/semver v3.5.0 version.go. With `coerce` (the library default,
 * `CoerceNewVersion = true`, which Flux uses) a missing minor/patch is 0 and leading zeros are accepted
 * (`01.2.3`); without it the semver regex applies with detailed errors. Errors are the library's texts.
 */
export function newVersion(v: string, options: { coerce?: boolean } = {}): SemverParse {
  if (v.length > MAX_VERSION_LEN && byteLength(v) > MAX_VERSION_LEN) return { ok: false, error: ErrVersionTooLong };
  if (options.coerce !== false) {
    const m = looseVersionRegex.exec(v);
    if (!m) return { ok: false, error: ErrInvalidSemVer };
    return build(v, [m[1], m[2], m[3]], m[5] ?? '', m[8] ?? '');
  }
  const m = versionRegex.exec(v);
  if (!m) {
    const loose = looseVersionRegex.exec(v);
    if (!loose) return { ok: false, error: ErrInvalidSemVer };
    return { ok: false, error: validateVersion(loose) ?? ErrInvalidSemVer };
  }
  return build(v, [m[1], m[2], m[3]], m[4] ?? '', m[5] ?? '');
}

/** StrictNewVersion(v) from Masterminds/semver v3.5.0: exactly MAJOR.MINOR.PATCH, no `v`, no leading zeros. */
export function strictNewVersion(v: string): SemverParse {
  if (v.length === 0) return { ok: false, error: ErrEmptyString };
  if (byteLength(v) > MAX_VERSION_LEN) return { ok: false, error: ErrVersionTooLong };
  const parts = splitN(v, '.', 3);
  if (parts.length !== 3) return { ok: false, error: ErrInvalidSemVer };
  let metadata = '';
  let pre = '';
  if (parts[2].includes('+')) {
    const i = parts[2].indexOf('+');
    metadata = parts[2].slice(i + 1);
    parts[2] = parts[2].slice(0, i);
    const e = validateMetadata(metadata);
    if (e) return { ok: false, error: e };
  }
  if (parts[2].includes('-')) {
    const i = parts[2].indexOf('-');
    pre = parts[2].slice(i + 1);
    parts[2] = parts[2].slice(0, i);
    const e = validatePrerelease(pre);
    if (e) return { ok: false, error: e };
  }
  for (const p of parts) {
    if (!ONLY_DIGITS.test(p)) return { ok: false, error: ErrInvalidCharacters };
    if (p.length > 1 && p[0] === '0') return { ok: false, error: ErrSegmentStartsZero };
  }
  const values: string[] = [];
  for (const p of parts) {
    // ParseUint("") fails in Go with `strconv.ParseUint: parsing "": invalid syntax`.
    if (p === '') return { ok: false, error: 'strconv.ParseUint: parsing "": invalid syntax' };
    const r = parseUint64(p);
    if (!r.ok) return r;
    values.push(r.value);
  }
  return { ok: true, version: { major: values[0], minor: values[1], patch: values[2], pre, metadata, original: v } };
}

/** strings.SplitN(s, sep, n) for n > 0. */
function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

/**
 * ParseVersion(tag) from fluxcd/pkg/version v0.16.0, which image-reflector-controller's semver policy applies to
 * every tag: the tag must have exactly three dot-separated parts (`1.2` and `1.2.3.4` fail) and then goes
 * through NewVersion with coercion (`v1.2.3` and `01.02.03` are fine).
 */
export function parseVersion(tag: string): SemverParse {
  if (splitN(tag, '.', 3).length !== 3) return { ok: false, error: ErrInvalidSemVer };
  return newVersion(tag);
}

/** Version.String(): `MAJOR.MINOR.PATCH[-pre][+metadata]` without the `v`. */
export function versionString(v: SemverVersion): string {
  let s = `${v.major}.${v.minor}.${v.patch}`;
  if (v.pre !== '') s += `-${v.pre}`;
  if (v.metadata !== '') s += `+${v.metadata}`;
  return s;
}

/** compareSegment() on normalised uint64 decimal strings. */
export function compareSegment(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Go strconv.ParseUint(s, 10, 64) succeeds: digits only, at most 2^64-1. */
function isUint64(s: string): boolean {
  return s !== '' && ONLY_DIGITS.test(s) && parseUint64(s).ok;
}

/** comparePrePart(): numeric identifiers below alphanumeric ones, numbers by value, strings by bytes. */
function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === '') return o !== '' ? -1 : 1;
  if (o === '') return s !== '' ? 1 : -1;
  const oNum = isUint64(o);
  const sNum = isUint64(s);
  if (!oNum && !sNum) return s > o ? 1 : -1;
  if (!oNum) return -1;
  if (!sNum) return 1;
  // Equal values written differently (`01`, `1`) compare as -1, as in Go.
  return compareSegment(s.replace(/^0+(?=.)/, ''), o.replace(/^0+(?=.)/, '')) > 0 ? 1 : -1;
}

/** comparePrerelease() from version.go: dot parts compared one by one, a missing part is "". */
export function comparePrerelease(v: string, o: string): number {
  const sparts = v.split('.');
  const oparts = o.split('.');
  const l = Math.max(sparts.length, oparts.length);
  for (let i = 0; i < l; i++) {
    const d = comparePrePart(i < sparts.length ? sparts[i] : '', i < oparts.length ? oparts[i] : '');
    if (d !== 0) return d;
  }
  return 0;
}

/** Version.Compare(): -1, 0 or 1 by MAJOR.MINOR.PATCH, then prerelease (none is higher); metadata is ignored. */
export function compareVersions(v: SemverVersion, o: SemverVersion): number {
  let d = compareSegment(v.major, o.major);
  if (d !== 0) return d;
  d = compareSegment(v.minor, o.minor);
  if (d !== 0) return d;
  d = compareSegment(v.patch, o.patch);
  if (d !== 0) return d;
  if (v.pre === '' && o.pre === '') return 0;
  if (v.pre === '') return 1;
  if (o.pre === '') return -1;
  return comparePrerelease(v.pre, o.pre);
}
