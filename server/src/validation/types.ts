// Diagnostics as plain data: the language server publishes them as they are (they are LSP-shaped) and
// `tagline check` prints them, so both show exactly the same thing.
import type { Range } from '../../../common/model';
import { shiftRange } from '../../../common/manifests';

/** LSP DiagnosticSeverity values. */
export const Severity = { Error: 1, Warning: 2, Information: 3, Hint: 4 } as const;
export type SeverityValue = (typeof Severity)[keyof typeof Severity];

/** Schema, syntax and semantic checks of the manifest text. */
export const SOURCE = 'tagline';
/** Conditions reported by the reconciler (Ready/Stalled/Reconciling), distinct so both can be told apart. */
export const CONDITION_SOURCE = 'tagline (flux)';

export interface TextEdit { range: Range; newText: string }
export interface QuickFix { title: string; edits: TextEdit[]; preferred?: boolean }

export interface TaglineDiagnostic {
  range: Range;
  severity: SeverityValue;
  code: string;
  source: string;
  message: string;
  /** Quick fixes, computed with the diagnostic so the code-action handler needs no second analysis. */
  data?: { fixes: QuickFix[] };
}

export function shiftDiagnostic(diagnostic: TaglineDiagnostic, lines: number): TaglineDiagnostic {
  if (lines === 0) return diagnostic;
  const shifted: TaglineDiagnostic = { ...diagnostic, range: shiftRange(diagnostic.range, lines) };
  if (diagnostic.data) {
    shifted.data = {
      fixes: diagnostic.data.fixes.map((fix) => ({
        ...fix,
        edits: fix.edits.map((edit) => ({ range: shiftRange(edit.range, lines), newText: edit.newText })),
      })),
    };
  }
  return shifted;
}

/** Problems panel order: by start line, then start character. */
export function byPosition(a: TaglineDiagnostic, b: TaglineDiagnostic): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
}
