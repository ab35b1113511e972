// The policies of an ImagePolicy (`spec.policy`): image-reflector-controller internal/policy/{semver,
// alphabetical,numerical,factory}.go, and the controller's applyPolicy (internal/controller/
// imagepolicy_controller.go), which builds the policy before it reads any tag, then filters, extracts and picks.
import { parseFloatGo } from './parseFloat';
import { newConstraint, checkConstraints, type Constraints } from './constraints';
import { compareVersions, parseVersion, type SemverVersion } from './semver';
import { applyRegexFilter, newRegexFilter } from './filter';

/** `spec.policy` (ImagePolicyChoice): a union without a one-of rule; semver wins, then alphabetical, then numerical. */
export interface ImagePolicyChoice {
  semver?: { range: string };
  alphabetical?: { order?: string };
  numerical?: { order?: string };
}

/** `spec.filterTags` (TagFilter). */
export interface TagFilter {
  pattern?: string;
  extract?: string;
}

export type PolicyKind = 'semver' | 'alphabetical' | 'numerical';
export type Latest = { ok: true; latest: string } | { ok: false; error: string };

/** A built policy (the controller's Policer). */
export interface Policer {
  readonly kind: PolicyKind;
  /** Latest(versions): the version the policy selects, or the controller's error text. */
  latest(versions: readonly string[]): Latest;
}

export const ErrEmptyVersionList = 'version list argument cannot be empty';
export const ErrNoLatestVersion = 'unable to determine latest version from provided list';
export const ErrInvalidChoice = 'given ImagePolicyChoice object is invalid';
export const ORDER_ASC = 'ASC';
export const ORDER_DESC = 'DESC';

/** Go strings.ToUpper: rune by rune, keeping runes whose upper case is not a single rune (ß stays ß). */
function goToUpper(s: string): string {
  let out = '';
  for (const ch of s) {
    const up = ch.toUpperCase();
    out += [...up].length === 1 ? up : ch;
  }
  return out;
}

function checkOrder(order: string): { ok: true; order: string } | { ok: false; error: string } {
  if (order === '') return { ok: true, order: ORDER_ASC };
  if (order === ORDER_ASC || order === ORDER_DESC) return { ok: true, order };
  return { ok: false, error: `invalid order argument provided: '${order}', must be one of: ${ORDER_ASC}, ${ORDER_DESC}` };
}

const constraintCache = new Map<string, ReturnType<typeof newConstraint>>();

/** NewSemVer(range): Masterminds constraints, with the library's error (`improper constraint: "…"`). Parses are cached. */
export function newSemVer(range: string): { ok: true; policer: Policer & { constraints: Constraints } } | { ok: false; error: string } {
  let parsed = constraintCache.get(range);
  if (!parsed) {
    parsed = newConstraint(range);
    if (constraintCache.size > 10_000) constraintCache.clear();
    constraintCache.set(range, parsed);
  }
  if (!parsed.ok) return parsed;
  const constraints = parsed.constraints;
  return {
    ok: true,
    policer: {
      kind: 'semver',
      constraints,
      latest(versions) {
        if (versions.length === 0) return { ok: false, error: ErrEmptyVersionList };
        let latest: SemverVersion | undefined;
        for (const tag of versions) {
          const v = cachedParseVersion(tag);
          if (v && checkConstraints(constraints, v) && (latest === undefined || compareVersions(v, latest) > 0)) latest = v;
        }
        return latest ? { ok: true, latest: latest.original } : { ok: false, error: ErrNoLatestVersion };
      },
    },
  };
}

const versionCache = new Map<string, SemverVersion | null>();

/** fluxcd/pkg/version ParseVersion, remembered per tag: many policies read the same tags. */
export function cachedParseVersion(tag: string): SemverVersion | undefined {
  let v = versionCache.get(tag);
  if (v === undefined) {
    const r = parseVersion(tag);
    v = r.ok ? r.version : null;
    if (versionCache.size > 200_000) versionCache.clear();
    versionCache.set(tag, v);
  }
  return v ?? undefined;
}

/** NewAlphabetical(order): `asc` (default) selects the greatest string by bytes, `desc` the least. */
export function newAlphabetical(order: string): { ok: true; policer: Policer } | { ok: false; error: string } {
  const o = checkOrder(order);
  if (!o.ok) return o;
  return {
    ok: true,
    policer: {
      kind: 'alphabetical',
      latest(versions) {
        if (versions.length === 0) return { ok: false, error: ErrEmptyVersionList };
        // Tags are ASCII (OCI distribution tag grammar), so UTF-16 order is Go's byte order.
        let best = versions[0];
        for (const v of versions) if (o.order === ORDER_DESC ? v < best : v > best) best = v;
        return { ok: true, latest: best };
      },
    },
  };
}

/**
 * NewNumerical(order): every value must parse with Go's strconv.ParseFloat (`failed to parse invalid numeric
 * value '<v>'` otherwise, also for out-of-range values); `asc` selects the greatest. Ties go to the later value,
 * and a NaN (comparisons false) replaces whatever came before it, as in the controller's loop.
 */
export function newNumerical(order: string): { ok: true; policer: Policer } | { ok: false; error: string } {
  const o = checkOrder(order);
  if (!o.ok) return o;
  return {
    ok: true,
    policer: {
      kind: 'numerical',
      latest(versions) {
        if (versions.length === 0) return { ok: false, error: ErrEmptyVersionList };
        let latest = '';
        let pv = 0;
        for (let i = 0; i < versions.length; i++) {
          const r = parseFloatGo(versions[i]);
          if (!r.ok) return { ok: false, error: `failed to parse invalid numeric value '${versions[i]}'` };
          const cv = r.value;
          if (i !== 0 && ((o.order === ORDER_ASC && cv < pv) || (o.order === ORDER_DESC && cv > pv))) continue;
          latest = versions[i];
          pv = cv;
        }
        return { ok: true, latest };
      },
    },
  };
}

/** The policy kind that counts (semver, then alphabetical, then numerical), or undefined when none is set. */
export function policyKind(choice: ImagePolicyChoice | undefined): PolicyKind | undefined {
  if (choice?.semver) return 'semver';
  if (choice?.alphabetical) return 'alphabetical';
  if (choice?.numerical) return 'numerical';
  return undefined;
}

/** PolicerFromSpec(choice) from internal/policy/factory.go: the error is unprefixed (`given ImagePolicyChoice object is invalid`). */
export function policerFromSpec(choice: ImagePolicyChoice | undefined): { ok: true; policer: Policer } | { ok: false; error: string } {
  switch (policyKind(choice)) {
    case 'semver':
      return newSemVer(choice!.semver!.range ?? '');
    case 'alphabetical':
      return newAlphabetical(goToUpper(choice!.alphabetical!.order ?? ''));
    case 'numerical':
      return newNumerical(goToUpper(choice!.numerical!.order ?? ''));
    default:
      return { ok: false, error: ErrInvalidChoice };
  }
}

/** What applyPolicy returns: the selected tag, or the error and how the reconciler classifies it. */
export type PolicyResult =
  | { ok: true; latest: string }
  /** errInvalidPolicy: the policy is Stalled with reason InvalidPolicy. */
  | { ok: false; invalidPolicy: true; error: string }
  /** errNoTagsInDatabase: DependencyNotReady, retried. */
  | { ok: false; noTags: true; error: string }
  /** Any other failure: Ready=False, reason Failure. */
  | { ok: false; error: string };

export const ErrNoTagsInDatabase = 'no tags in database';

/**
 * applyPolicy(spec, tags) from imagepolicy_controller.go: the policy is built first (`invalid policy: …` before
 * anything else), an empty tag list is `no tags in database`, then `filterTags` (`failed to filter tags: invalid
 * regular expression pattern '…': …`), `extract`, and Latest on the values; the original tag is returned.
 */
export function applyPolicy(spec: { policy?: ImagePolicyChoice; filterTags?: TagFilter }, tags: readonly string[]): PolicyResult {
  const policer = policerFromSpec(spec.policy);
  if (!policer.ok) return { ok: false, invalidPolicy: true, error: `invalid policy: ${policer.error}` };
  if (tags.length === 0) return { ok: false, noTags: true, error: ErrNoTagsInDatabase };
  if (spec.filterTags) {
    const filter = newRegexFilter(spec.filterTags.pattern ?? '', spec.filterTags.extract ?? '');
    if (!filter.ok) return { ok: false, invalidPolicy: true, error: `failed to filter tags: ${filter.error}` };
    const filtered = applyRegexFilter(filter.filter, tags);
    const latest = policer.policer.latest([...filtered.keys()]);
    if (!latest.ok) return latest;
    return { ok: true, latest: filtered.get(latest.latest) ?? '' };
  }
  return policer.policer.latest(tags);
}
