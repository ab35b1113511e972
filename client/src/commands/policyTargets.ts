// Which ImagePolicy a command is about, when it is about one: a policy row of the tree, a hover link naming
// `{kind: 'ImagePolicy', namespace, name}`, or the ImagePolicy document under the cursor. Undefined otherwise,
// so the command falls back to its ImageRepository (the two kinds often share `namespace/name`).
import * as vscode from 'vscode';
import { objectKey } from '../../../common/model';
import type { TaglineState } from '../host/state';

export function policyTarget(arg: unknown, state: TaglineState): string | undefined {
  const first = Array.isArray(arg) ? arg[0] : arg;
  if (first && typeof first === 'object') {
    const o = first as { kind?: unknown; key?: unknown; namespace?: unknown; name?: unknown };
    if (o.kind === 'policy' && typeof o.key === 'string') return o.key;
    if (o.kind === 'ImagePolicy' && typeof o.namespace === 'string' && typeof o.name === 'string') return objectKey({ namespace: o.namespace, name: o.name });
    return undefined;
  }
  if (arg !== undefined && !(Array.isArray(arg) && arg.length === 0)) return undefined;
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const uri = editor.document.uri.toString();
  const line = editor.selection.active.line;
  return state.policies.all().find((v) => v.object.source?.uri === uri
    && v.object.source.range.start.line <= line && line <= v.object.source.range.end.line)?.key;
}
