// spec.filterTags of an ImagePolicy: image-reflector-controller internal/policy/filter.go RegexFilter. The pattern
// is a Go regular expression (re2js is Go's regexp/syntax and engine, with Go's error texts), matched unanchored;
// with `extract`, each kept tag is replaced by the Go template expansion (regexp.Regexp.ExpandString) of its
// first match, and the policy then runs on those values and reports the original tag.
import type { RE2JS } from 're2js';
import { compileGoRegexp } from '../go-regexp-compat';

/** A compiled filterTags: the regexp and its group names (index → name, "" for unnamed groups). */
export interface RegexFilter {
  readonly pattern: string;
  readonly extract: string;
  readonly regexp: RE2JS;
  readonly subexpNames: readonly string[];
  /** Tag → value the policy sees (null: no match), remembered: tags repeat across evaluations. */
  readonly memo: Map<string, string | null>;
}

const compiled = new Map<string, RegexFilterCompile>();
const MAX_MEMO = 100_000;

export type RegexFilterCompile = { ok: true; filter: RegexFilter } | { ok: false; error: string };

/**
 * NewRegexFilter(pattern, extract): compiles the pattern; the error is the controller's
 * `invalid regular expression pattern '<p>': error parsing regexp: …` (before the reconciler's
 * `failed to filter tags: ` prefix).
 */
export function newRegexFilter(pattern: string, extract: string): RegexFilterCompile {
  const key = `${pattern}\u0000${extract}`;
  let result = compiled.get(key);
  if (!result) {
    result = compileRegexFilter(pattern, extract);
    if (compiled.size > 5000) compiled.clear();
    compiled.set(key, result);
  }
  return result;
}

function compileRegexFilter(pattern: string, extract: string): RegexFilterCompile {
  // Go's regexp.Compile, with Go's texts, where re2js alone would differ (go-regexp-compat.ts).
  const compiled = compileGoRegexp(pattern);
  if (!compiled.ok) return { ok: false, error: `invalid regular expression pattern '${pattern}': ${compiled.message}` };
  const { regexp, subexpNames } = compiled.compiled;
  return { ok: true, filter: { pattern, extract, regexp, subexpNames, memo: new Map() } };
}

/** Go regexp extract(): the name after `$` (letters, digits, `_`, or `{…}`), its number, and the rest. */
function extractName(str: string): { name: string; num: number; rest: string } | undefined {
  if (str === '') return undefined;
  let brace = false;
  if (str[0] === '{') {
    brace = true;
    str = str.slice(1);
  }
  let i = 0;
  while (i < str.length) {
    const ch = String.fromCodePoint(str.codePointAt(i)!);
    if (!/^[\p{L}\p{Nd}_]$/u.test(ch)) break;
    i += ch.length;
  }
  if (i === 0) return undefined;
  const name = str.slice(0, i);
  if (brace) {
    if (i >= str.length || str[i] !== '}') return undefined;
    i++;
  }
  let num = 0;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c < 0x30 || c > 0x39 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + c - 0x30;
  }
  if (name[0] === '0' && name.length > 1) num = -1;
  return { name, num, rest: str.slice(i) };
}

/**
 * Regexp.ExpandString(template, src, match) from Go's regexp package: `$1`, `$name`, `${name}` are replaced by
 * the submatch (empty when the group did not take part or does not exist), `$$` is `$`, and a malformed `$` is
 * kept as is. `$1x` names the group "1x", not group 1. `match` holds [start, end] pairs, -1 when absent.
 */
export function expandTemplate(template: string, src: string, match: readonly number[], subexpNames: readonly string[]): string {
  let dst = '';
  while (template.length > 0) {
    const at = template.indexOf('$');
    if (at < 0) break;
    dst += template.slice(0, at);
    template = template.slice(at + 1);
    if (template !== '' && template[0] === '$') {
      dst += '$';
      template = template.slice(1);
      continue;
    }
    const ex = extractName(template);
    if (!ex) {
      dst += '$';
      continue;
    }
    template = ex.rest;
    if (ex.num >= 0) {
      if (2 * ex.num + 1 < match.length && match[2 * ex.num] >= 0) dst += src.slice(match[2 * ex.num], match[2 * ex.num + 1]);
    } else {
      for (let i = 0; i < subexpNames.length; i++) {
        if (ex.name === subexpNames[i] && 2 * i + 1 < match.length && match[2 * i] >= 0) {
          dst += src.slice(match[2 * i], match[2 * i + 1]);
          break;
        }
      }
    }
  }
  return dst + template;
}

/** FindStringSubmatchIndex(s): [start, end] of the match and of every group (-1 when absent), or undefined. */
export function findSubmatchIndex(regexp: RE2JS, s: string): number[] | undefined {
  const m = regexp.matcher(s);
  if (!m.find()) return undefined;
  const out: number[] = [];
  for (let i = 0; i <= m.groupCount(); i++) {
    const start = m.start(i);
    out.push(start, start < 0 ? -1 : m.end(i));
  }
  return out;
}

/**
 * RegexFilter.Apply + Items: the values the policy sees, each mapped to the tag it came from. A tag whose
 * value another tag already produced replaces it (the later tag wins, as the controller's map assignment).
 * Go iterates that map in random order; here the order is that of first appearance, which only matters for
 * values a policy ranks equal (`1.0` and `1` numerically).
 */
export function applyRegexFilter(filter: RegexFilter, tags: readonly string[]): Map<string, string> {
  const filtered = new Map<string, string>();
  const { memo } = filter;
  for (const item of tags) {
    let tag = memo.get(item);
    if (tag === undefined) {
      tag = filterValue(filter, item);
      if (memo.size >= MAX_MEMO) memo.clear();
      memo.set(item, tag);
    }
    if (tag !== null) filtered.set(tag, item);
  }
  return filtered;
}

function filterValue(filter: RegexFilter, item: string): string | null {
  if (filter.extract === '') return filter.regexp.test(item) ? item : null;
  const submatches = findSubmatchIndex(filter.regexp, item);
  return submatches ? expandTemplate(filter.extract, item, submatches, filter.subexpNames) : null;
}

/** Group references of an `extract` template that the pattern does not have (numbers beyond its groups, unknown names). */
export function unknownTemplateGroups(template: string, filter: RegexFilter): string[] {
  const unknown: string[] = [];
  let rest = template;
  while (rest.length > 0) {
    const at = rest.indexOf('$');
    if (at < 0) break;
    rest = rest.slice(at + 1);
    if (rest[0] === '$') {
      rest = rest.slice(1);
      continue;
    }
    const ex = extractName(rest);
    if (!ex) continue;
    rest = ex.rest;
    const known = ex.num >= 0 ? ex.num < filter.subexpNames.length : filter.subexpNames.includes(ex.name) && ex.name !== '';
    if (!known) unknown.push(ex.name);
  }
  return unknown;
}
