// Quick fixes: each diagnostic carries its fixes (validation computes them with the problem), so this only
// turns the published diagnostics that touch the requested range into code actions.
import type { Range } from '../../../common/model';
import type { TaglineDiagnostic } from '../validation';

export interface CodeAction {
  title: string;
  kind: 'quickfix';
  diagnostics: TaglineDiagnostic[];
  isPreferred?: boolean;
  edit: { changes: Record<string, { range: Range; newText: string }[]> };
}

function overlaps(a: Range, b: Range): boolean {
  const before = (p: Range['start'], q: Range['start']) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

export function codeActions(uri: string, range: Range, published: TaglineDiagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of published) {
    if (!diagnostic.data || !overlaps(diagnostic.range, range)) continue;
    for (const fix of diagnostic.data.fixes) {
      actions.push({
        title: fix.title,
        kind: 'quickfix',
        diagnostics: [diagnostic],
        ...(fix.preferred ? { isPreferred: true } : {}),
        edit: { changes: { [uri]: fix.edits } },
      });
    }
  }
  return actions;
}
