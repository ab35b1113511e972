// spec.exclusionList: Go RE2 regular expressions, matched unanchored against each tag (image-reflector-controller
// internal/controller/imagerepository_controller.go `filterOutTags`).
// re2js is a port of Go's regexp/syntax (via RE2/J), so it accepts and rejects what Go does and produces
// Go's own error texts (`error parsing regexp: missing closing ]: `[=``).
import type { ImageRepositorySpec } from '../model';
import { compileGoRegexp } from './go-regexp-compat';

/** Excludes Cosign signature tags such as `sha256-<hex>.sig`. */
export const DEFAULT_EXCLUSION = '^.*\\.sig$';

/** GetExclusionList(): an absent *or empty* list means the default, which an empty list cannot switch off. */
export function getExclusionList(spec: Pick<ImageRepositorySpec, 'exclusionList'>): string[] {
  return spec.exclusionList && spec.exclusionList.length > 0 ? spec.exclusionList : [DEFAULT_EXCLUSION];
}

export type CompiledExclusion = { ok: true; matches(tag: string): boolean } | { ok: false; message: string };

export function compileExclusion(pattern: string): CompiledExclusion {
  // Where re2js and Go 1.26 disagree (Unicode class names, duplicate group names, …): go-regexp-compat.ts.
  const compiled = compileGoRegexp(pattern);
  if (!compiled.ok) return compiled;
  const re = compiled.compiled.regexp;
  return { ok: true, matches: (tag) => re.test(tag) };
}

/**
 * filterOutTags(): every pattern is compiled before any tag is looked at; a tag matching any of them is dropped
 * and the kept tags stay in the order given.
 */
export function filterOutTags(tags: readonly string[], patterns: readonly string[]): string[] {
  const compiled = patterns.map((pattern) => {
    const c = compileExclusion(pattern);
    if (!c.ok) throw new Error(`failed to compile regex ${pattern}: ${c.message}`);
    return c;
  });
  if (compiled.length === 0) return [...tags];
  return tags.filter((tag) => !compiled.some((c) => c.matches(tag)));
}

/** How many of `tags` one pattern removes, or the compile error. */
export function countExcluded(tags: readonly string[], pattern: string): { ok: true; count: number } | { ok: false; message: string } {
  const c = compileExclusion(pattern);
  if (!c.ok) return c;
  let count = 0;
  for (const tag of tags) if (c.matches(tag)) count++;
  return { ok: true, count };
}
