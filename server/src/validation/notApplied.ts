// A file no Flux Kustomization reaches is never applied by Flux (common/kustomize/reach.ts): what would be its
// problems are not Flux's problems. They collapse into one information, which names how many there were.
import { NOT_APPLIED_MESSAGE } from '../../../common/kustomize/reach';
import { byPosition, Severity, SOURCE, type TaglineDiagnostic } from './types';

export const NOT_APPLIED_CODE = 'kustomize.notApplied';

/**
 * The diagnostics of a file Flux does not apply: none when it has none, else one information on the first
 * problem's range, e.g. `not applied by any Flux Kustomization in this workspace (2 problems not reported:
 * schema.required, image.tag)`.
 */
export function notAppliedDiagnostics(diagnostics: readonly TaglineDiagnostic[]): TaglineDiagnostic[] {
  if (diagnostics.length === 0) return [];
  const [first] = [...diagnostics].sort(byPosition);
  const codes = [...new Set(diagnostics.map((d) => d.code))];
  const count = diagnostics.length === 1 ? '1 problem' : `${diagnostics.length} problems`;
  return [{
    range: first.range,
    severity: Severity.Information,
    code: NOT_APPLIED_CODE,
    source: SOURCE,
    message: `${NOT_APPLIED_MESSAGE} (${count} not reported: ${codes.join(', ')})`,
  }];
}
