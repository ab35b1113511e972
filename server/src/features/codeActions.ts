// Quick fixes: each diagnostic carries its fixes (validation computes them with the problem), so this only
// turns the published diagnostics that touch the requested range into code actions.
import type { Range } from '../../../common/model';
import type { TaglineDiagnostic } from '../validation';
import { isMigration, type WorkspaceMigration } from './migrateWorkspace';

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

/**
 * The fixes of the published diagnostics that touch `range`; beside an apiVersion migration, the same for every
 * document of the workspace (`migration`, computed only when asked for).
 */
export function codeActions(
  uri: string, range: Range, published: TaglineDiagnostic[], migration?: () => WorkspaceMigration | undefined,
): CodeAction[] {
  const actions: CodeAction[] = [];
  const migrations: TaglineDiagnostic[] = [];
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
    if (isMigration(diagnostic)) migrations.push(diagnostic);
  }
  const everywhere = migrations.length > 0 ? migration?.() : undefined;
  // Offered only when it does more than the fix at hand.
  if (everywhere && everywhere.documents > migrations.length) {
    actions.push({ title: everywhere.title, kind: 'quickfix', diagnostics: migrations, edit: { changes: everywhere.changes } });
  }
  return actions;
}
