// The Flux version a repository runs, as a version or a range (Flux Operator's `spec.distribution.version`), resolved
// against the releases in servedVersions.ts.
import type { DetectedFlux, FluxSourceKind } from '../model';
import { FLUX_RELEASES, LATEST_FLUX_MINOR } from './servedVersions';

/** Where the Flux version was found. The first kind found wins over the later ones. */
export const FLUX_SOURCE_KINDS: readonly FluxSourceKind[] = ['setting', 'FluxInstance', 'install', 'controller', 'crd'];
export type { DetectedFlux, FluxSourceKind };

type Version = [number, number, number];

function known(): Version[] {
  return FLUX_RELEASES.flatMap((r) => r.patches.map((p): Version => [Number(r.minor.split('.')[0]), Number(r.minor.split('.')[1]), p]));
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

interface Partial { parts: (number | undefined)[] }

/** `2`, `2.6`, `v2.6.4`, `2.x`, `2.6.*` → numbers with undefined for a wildcard or a missing part. */
function parsePartial(text: string): Partial | undefined {
  const m = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:[-+].*)?$/.exec(text.trim());
  if (!m) return undefined;
  const part = (s: string | undefined) => (s === undefined || /^[xX*]$/.test(s) ? undefined : Number(s));
  return { parts: [part(m[1]), part(m[2]), part(m[3])] };
}

function lowest(p: Partial): Version {
  return [p.parts[0] ?? 0, p.parts[1] ?? 0, p.parts[2] ?? 0];
}

/** The smallest version above every version the partial names (`2.6` → `2.7.0`, `2` → `3.0.0`). */
function above(p: Partial): Version {
  const [major, minor, patch] = p.parts;
  if (major === undefined) return [Infinity, 0, 0];
  if (minor === undefined) return [major + 1, 0, 0];
  if (patch === undefined) return [major, minor + 1, 0];
  return [major, minor, patch + 1];
}

type Check = (v: Version) => boolean;

/** One comparison of a Masterminds/semver constraint (`>=2.5`, `~2.6`, `^2`, `2.x`, `!=2.7.1`). */
function comparison(text: string): Check | undefined {
  const m = /^(!=|>=|=>|<=|=<|>|<|=|~>|~|\^)?\s*(.+)$/.exec(text.trim());
  if (!m) return undefined;
  const p = parsePartial(m[2]);
  if (!p) return undefined;
  const lo = lowest(p);
  const hi = above(p);
  const inRange = (v: Version) => compare(v, lo) >= 0 && compare(v, hi) < 0;
  switch (m[1] ?? '=') {
    case '=': return inRange;
    case '!=': return (v) => !inRange(v);
    case '>': return (v) => compare(v, hi) >= 0;
    case '>=': case '=>': return (v) => compare(v, lo) >= 0;
    case '<': return (v) => compare(v, lo) < 0;
    case '<=': case '=<': return (v) => compare(v, hi) < 0;
    case '~': case '~>': {
      // ~2.6 and ~2.6.3 allow patches of 2.6; ~2 allows 2.x.
      const upper: Version = p.parts[1] === undefined ? [lo[0] + 1, 0, 0] : [lo[0], lo[1] + 1, 0];
      return (v) => compare(v, lo) >= 0 && compare(v, upper) < 0;
    }
    case '^': {
      const upper: Version = lo[0] > 0 ? [lo[0] + 1, 0, 0] : lo[1] > 0 ? [0, lo[1] + 1, 0] : [0, 0, lo[2] + 1];
      return (v) => compare(v, lo) >= 0 && compare(v, upper) < 0;
    }
  }
  return undefined;
}

/**
 * A Masterminds/semver v3 constraint (what Flux Operator's `spec.distribution.version` takes): `||` between
 * alternatives, `,` or spaces between comparisons that must all hold, `a - b` ranges and `x`/`*` wildcards.
 * Follows github.com/Masterminds/semver/v3 constraints.go (`NewConstraint`, `Check`); pre-releases are not
 * considered (Flux's releases have none in the table). Returns undefined for text that is not a constraint.
 */
export function parseConstraint(text: string): Check | undefined {
  const alternatives: Check[] = [];
  for (const alternative of text.split('||')) {
    const checks: Check[] = [];
    const hyphen = /^\s*(\S+)\s+-\s+(\S+)\s*$/.exec(alternative);
    const parts = hyphen ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`] : alternative.trim().replace(/([<>=~^!]+)\s+/g, '$1').split(/[\s,]+/).filter(Boolean);
    if (parts.length === 0) return undefined;
    for (const part of parts) {
      const check = comparison(part);
      if (!check) return undefined;
      checks.push(check);
    }
    alternatives.push((v) => checks.every((c) => c(v)));
  }
  return (v) => alternatives.some((a) => a(v));
}

/**
 * A version or range → the newest known Flux release it allows, e.g. `2.x` → `{ version: '2.9.5', minor: '2.9' }`,
 * `v2.6.4` → `2.6.4`. A minor newer than the table (`2.12`) is kept as written and judged like the newest known
 * minor. Undefined when the text is not a version or allows no known release.
 */
export function resolveFluxVersion(text: string): { version: string; minor: string } | undefined {
  const trimmed = text.trim();
  const exact = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(trimmed);
  if (exact) {
    const minor = `${exact[1]}.${exact[2]}`;
    const [latestMajor, latestMinor] = LATEST_FLUX_MINOR.split('.').map(Number);
    const newer = Number(exact[1]) > latestMajor || (Number(exact[1]) === latestMajor && Number(exact[2]) > latestMinor);
    if (newer) return { version: trimmed.replace(/^v/, ''), minor: LATEST_FLUX_MINOR };
    if (!FLUX_RELEASES.some((r) => r.minor === minor)) return undefined;
    return { version: trimmed.replace(/^v/, ''), minor };
  }
  const check = parseConstraint(trimmed);
  if (!check) return undefined;
  const best = known().filter(check).sort(compare).pop();
  return best ? { version: best.join('.'), minor: `${best[0]}.${best[1]}` } : undefined;
}

/** `Flux 2.6.4` or `Flux 2.9.5 (2.x)`, for messages and the status bar. */
export function fluxLabel(flux: DetectedFlux): string {
  return `Flux ${flux.version}${flux.constraint && flux.constraint !== flux.version ? ` (${flux.constraint})` : ''}`;
}
