// Checks of ImagePolicy documents that the CRD schema cannot express, in image-reflector-controller's words
// (internal/policy/factory.go PolicerFromSpec, semver.go NewSemVer, filter.go NewRegexFilter, as wrapped by
// internal/controller/imagepolicy_controller.go applyPolicy).
import type { ParsedChunk } from '../../../common/manifests';
import { newRegexFilter, unknownTemplateGroups } from '../../../common/flux/policy/filter';
import { newSemVer, policyKind } from '../../../common/flux/policy/policies';
import { Severity, SOURCE, type TaglineDiagnostic } from './types';
import { keyAt, nodeAt, nodeRange } from '../../../common/manifests/yamlPath';

const KINDS = ['semver', 'alphabetical', 'numerical'] as const;

function record(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Checks that depend only on this ImagePolicy document's text. */
export function policyDiagnostics(chunk: ParsedChunk): TaglineDiagnostic[] {
  const out: TaglineDiagnostic[] = [];
  const add = (path: (string | number)[], key: boolean, severity: TaglineDiagnostic['severity'], code: string, message: string) => {
    const node = key ? keyAt(chunk.doc, path) : nodeAt(chunk.doc, path);
    const range = nodeRange(chunk.lines, node) ?? nodeRange(chunk.lines, keyAt(chunk.doc, path));
    if (range) out.push({ range, severity, code, source: SOURCE, message });
  };
  const spec = record(record(chunk.value)?.spec);
  if (!spec) return out;

  const policy = record(spec.policy);
  if (spec.policy !== undefined && policy) {
    const set = KINDS.filter((k) => policy[k] !== undefined && policy[k] !== null);
    const kind = policyKind(Object.fromEntries(set.map((k) => [k, {}])));
    if (!kind) {
      add(['spec', 'policy'], true, Severity.Error, 'policy.none', 'invalid policy: given ImagePolicyChoice object is invalid');
    } else {
      for (const ignored of set.filter((k) => k !== kind)) {
        add(['spec', 'policy', ignored], true, Severity.Information, 'policy.ignoredKind',
          `Only one policy kind counts (semver, then alphabetical, then numerical): the controller uses ${kind} and ignores ${ignored}.`);
      }
    }
    const range = record(policy.semver)?.range;
    if (kind === 'semver' && typeof range === 'string') {
      const semver = newSemVer(range);
      if (!semver.ok) add(['spec', 'policy', 'semver', 'range'], false, Severity.Error, 'policy.semver.range', `invalid policy: ${semver.error}`);
    }
  }

  const filterTags = record(spec.filterTags);
  if (filterTags) {
    const pattern = typeof filterTags.pattern === 'string' ? filterTags.pattern : '';
    const extract = typeof filterTags.extract === 'string' ? filterTags.extract : '';
    const filter = newRegexFilter(pattern, extract);
    if (!filter.ok) {
      add(['spec', 'filterTags', 'pattern'], false, Severity.Error, 'filterTags.pattern', `failed to filter tags: ${filter.error}`);
    } else if (extract !== '') {
      const unknown = unknownTemplateGroups(extract, filter.filter);
      if (unknown.length > 0) {
        const names = unknown.map((n) => `$${n}`).join(', ');
        add(['spec', 'filterTags', 'extract'], false, Severity.Warning, 'filterTags.extract.unknownGroup',
          `extract refers to ${names}, which the pattern does not capture: Go's template expansion makes ${unknown.length === 1 ? 'it' : 'them'} an empty string.`);
      }
    }
  }
  return out;
}
