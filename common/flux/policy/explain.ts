// Why a policy selects what it selects: the candidates in the policy's order and what dropped the other tags.
// For hovers and inlay hints; the selection itself is always applyPolicy's, so both agree.
import { applyPolicy, cachedParseVersion, newSemVer, policerFromSpec, policyKind, type ImagePolicyChoice, type PolicyResult, type TagFilter } from './policies';
import { applyRegexFilter, newRegexFilter } from './filter';
import { checkConstraints, withIncludePrerelease } from './constraints';
import { compareVersions, type SemverVersion } from './semver';
import { parseFloatGo } from './parseFloat';

export interface PolicyExplanation {
  result: PolicyResult;
  /** Original tags, best first (the first is the selected one when the result is ok), at most `limit`. */
  candidates: string[];
  /** Tags the filterTags pattern did not match. */
  filteredOut: number;
  /** semver: tags that are not MAJOR.MINOR.PATCH (fluxcd/pkg/version ParseVersion). */
  notSemver: number;
  /** semver: release tags outside the range. */
  outsideRange: number;
  /** semver: prerelease tags no OR group of the range admits. */
  prerelease: number;
}

/**
 * The policy of `spec` on `tags` (storage order), with the best `limit` candidates in policy order and counts of
 * dropped tags. Ties keep the order applyPolicy resolves them in.
 */
export function explainPolicy(spec: { policy?: ImagePolicyChoice; filterTags?: TagFilter }, tags: readonly string[], limit = 5): PolicyExplanation {
  const result = applyPolicy(spec, tags);
  const out: PolicyExplanation = { result, candidates: [], filteredOut: 0, notSemver: 0, outsideRange: 0, prerelease: 0 };
  if (!policerFromSpec(spec.policy).ok) return out;
  let values: [string, string][] = tags.map((t) => [t, t]);
  if (spec.filterTags) {
    const filter = newRegexFilter(spec.filterTags.pattern ?? '', spec.filterTags.extract ?? '');
    if (!filter.ok) return out;
    const filtered = applyRegexFilter(filter.filter, tags);
    out.filteredOut = tags.length - [...new Set(filtered.values())].length;
    values = [...filtered.entries()];
  }
  const kind = policyKind(spec.policy)!;
  if (kind === 'semver') {
    const semver = newSemVer(spec.policy!.semver!.range);
    if (!semver.ok) return out;
    const withPre = withIncludePrerelease(semver.policer.constraints);
    const kept: [SemverVersion, string][] = [];
    for (const [value, tag] of values) {
      const v = cachedParseVersion(value);
      if (!v) out.notSemver++;
      else if (checkConstraints(semver.policer.constraints, v)) kept.push([v, tag]);
      else if (v.pre !== '' && checkConstraints(withPre, v)) out.prerelease++;
      else out.outsideRange++;
    }
    // Stable sort: among equal versions the first stays first, as Latest keeps the first.
    kept.sort((a, b) => compareVersions(b[0], a[0]));
    out.candidates = kept.slice(0, limit).map(([, tag]) => tag);
  } else if (kind === 'alphabetical') {
    const desc = (spec.policy!.alphabetical!.order ?? '').toUpperCase() === 'DESC';
    const sorted = [...values].sort((a, b) => (a[0] === b[0] ? 0 : (a[0] < b[0]) === desc ? -1 : 1));
    out.candidates = sorted.slice(0, limit).map(([, tag]) => tag);
  } else {
    const desc = (spec.policy!.numerical!.order ?? '').toUpperCase() === 'DESC';
    const numbers = values.map(([value, tag], i) => ({ n: parseFloatGo(value), tag, i }));
    if (numbers.some((x) => !x.n.ok)) return out;
    // Later values win ties in the controller's loop.
    numbers.sort((a, b) => (a.n.value === b.n.value ? b.i - a.i : (a.n.value < b.n.value) === desc ? -1 : 1));
    out.candidates = numbers.slice(0, limit).map((x) => x.tag);
  }
  return out;
}
