/**
 * Policy choices that look right and silently stop advancing, shown on the stored tags: an alphabetical or
 * numerical order over tags that carry a semantic version (`prod-v1.9.0` sorts above `prod-v1.10.0`), a semver
 * range no stored tag satisfies while other versions exist, a `filterTags.pattern` that matches no stored tag, and
 * an `extract` that yields one value for different tags (the controller keeps only one of them). Each warning
 * names the concrete tags. The selection itself is always applyPolicy's (image-reflector-controller
 * internal/controller/imagepolicy_controller.go), so what is shown is what the controller would pick.
 */
import { cachedParseVersion, policyKind, applyPolicy, type ImagePolicyChoice, type TagFilter } from './policies';
import { applyRegexFilter, newRegexFilter } from './filter';
import { compareVersions, type SemverVersion } from './semver';

export type PitfallKind = 'orderOverSemver' | 'rangeMatchesNothing' | 'patternMatchesNothing' | 'extractCollides';

export interface PolicyPitfall {
  kind: PitfallKind;
  message: string;
  /** For `orderOverSemver` when every considered tag is `[v]MAJOR.MINOR.PATCH`: the `policy` to use instead. */
  fix?: { policy: ImagePolicyChoice };
}

/** A semantic version inside a tag (`prod-v1.10.0` → 1.10.0), as a person reading the tag sees it. */
const EMBEDDED_SEMVER = /(?:^|[^0-9.])v?((?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?)(?:$|[^0-9.])/;
const PLAIN_SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

function embeddedVersion(tag: string): SemverVersion | undefined {
  const match = EMBEDDED_SEMVER.exec(tag);
  return match ? cachedParseVersion(match[1]) : undefined;
}

const list = (tags: readonly string[], max = 3) => tags.slice(0, max).map((t) => `'${t}'`).join(', ') + (tags.length > max ? `, … (${tags.length} in all)` : '');

/** The stored tags the policy considers (after filterTags), each with the value the policy compares. */
function considered(filterTags: TagFilter | undefined, tags: readonly string[]): { tag: string; value: string }[] | undefined {
  if (!filterTags) return tags.map((tag) => ({ tag, value: tag }));
  const filter = newRegexFilter(filterTags.pattern ?? '', filterTags.extract ?? '');
  if (!filter.ok) return undefined;
  const out: { tag: string; value: string }[] = [];
  for (const tag of tags) {
    const [value] = applyRegexFilter(filter.filter, [tag]).keys();
    if (value !== undefined) out.push({ tag, value });
  }
  return out;
}

/** The pitfalls of a policy (`spec`) on the stored tags of its repository (any order); none without tags. */
export function policyPitfalls(spec: { policy?: ImagePolicyChoice; filterTags?: TagFilter }, tags: readonly string[]): PolicyPitfall[] {
  if (tags.length === 0) return [];
  const kind = policyKind(spec.policy);
  const values = considered(spec.filterTags, tags);
  if (!kind || !values) return [];
  const out: PolicyPitfall[] = [];
  if (spec.filterTags?.pattern && values.length === 0) {
    out.push({ kind: 'patternMatchesNothing', message: `filterTags.pattern '${spec.filterTags.pattern}' matches none of the ${tags.length} stored tags (e.g. ${list([...tags].sort().reverse())}); the policy selects nothing.` });
    return out;
  }
  const byValue = new Map<string, string[]>();
  for (const { tag, value } of values) byValue.set(value, [...(byValue.get(value) ?? []), tag]);
  const collision = [...byValue.entries()].find(([, same]) => same.length > 1);
  if (spec.filterTags?.extract && collision) {
    out.push({ kind: 'extractCollides', message: `extract '${spec.filterTags.extract}' yields '${collision[0]}' for different tags (${list(collision[1])}); the controller keeps only one of them.` });
  }
  const result = applyPolicy(spec, tags);
  if (kind === 'semver') {
    if (!result.ok && !('invalidPolicy' in result)) {
      const versions = values.map(({ tag, value }) => ({ tag, v: cachedParseVersion(value) })).filter((x): x is { tag: string; v: SemverVersion } => x.v !== undefined);
      versions.sort((a, b) => compareVersions(b.v, a.v));
      if (versions.length > 0) {
        out.push({ kind: 'rangeMatchesNothing', message: `no stored tag satisfies semver range '${spec.policy!.semver!.range}', while the stored versions go up to ${list(versions.map((x) => x.tag))}; the policy selects nothing.` });
      }
    }
    return out;
  }
  if (!result.ok) return out;
  const versions = values.map(({ tag }) => ({ tag, v: embeddedVersion(tag) })).filter((x): x is { tag: string; v: SemverVersion } => x.v !== undefined);
  if (versions.length < 2) return out;
  versions.sort((a, b) => compareVersions(b.v, a.v));
  const highest = versions[0];
  const picked = versions.find((x) => x.tag === result.latest);
  if (!picked || compareVersions(highest.v, picked.v) <= 0) return out;
  const allPlain = values.every(({ tag }) => PLAIN_SEMVER.test(tag));
  out.push({
    kind: 'orderOverSemver',
    message: `${kind} order selects '${picked.tag}' over '${highest.tag}': these tags carry semantic versions, which ${kind} order does not compare as versions; use policy.semver${allPlain ? '' : ' with filterTags.extract naming the version'}.`,
    ...(allPlain ? { fix: { policy: { semver: { range: '>=0.0.0' } } } } : {}),
  });
  return out;
}
