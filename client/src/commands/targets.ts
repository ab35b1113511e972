// Which ImageRepository a command is about: the tree node it was run on, the key a hover command link passed,
// or the manifest under the cursor; otherwise the person picks one.
import * as vscode from 'vscode';
import { objectKey } from '../../../common/model';
import type { TaglineState } from '../host/state';
import type { TreeNode } from '../views/repositoryTree';

export async function resolveRepository(arg: unknown, state: TaglineState, placeHolder: string): Promise<string | undefined> {
  const fromArg = keyFromArgument(arg);
  if (fromArg && state.get(fromArg)) return fromArg;
  const fromEditor = keyAtCursor(state);
  if (fromEditor) return fromEditor;
  const all = state.all();
  if (all.length === 0) {
    void vscode.window.showInformationMessage('No ImageRepository found in this workspace.');
    return undefined;
  }
  if (all.length === 1) return all[0].key;
  const pick = await vscode.window.showQuickPick(
    all.map((v) => ({ label: v.key, description: v.object.spec.image, key: v.key })),
    { placeHolder },
  );
  return pick?.key;
}

/** Accepts a tree node, a `namespace/name` string, `{key}` or `{namespace, name}` (hover links send JSON). */
export function keyFromArgument(arg: unknown): string | undefined {
  if (Array.isArray(arg)) return keyFromArgument(arg[0]);
  if (typeof arg === 'string') return arg.includes('/') ? arg : undefined;
  if (arg && typeof arg === 'object') {
    const o = arg as Partial<TreeNode> & { key?: unknown; namespace?: unknown; name?: unknown };
    if (typeof o.key === 'string') return o.key;
    if (typeof o.namespace === 'string' && typeof o.name === 'string') return objectKey({ namespace: o.namespace, name: o.name });
  }
  return undefined;
}

function keyAtCursor(state: TaglineState): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const uri = editor.document.uri.toString();
  const inFile = state.all().filter((v) => v.object.source?.uri === uri);
  if (inFile.length <= 1) return inFile[0]?.key;
  const line = editor.selection.active.line;
  return inFile.find((v) => {
    const r = v.object.source!.range;
    return r.start.line <= line && line <= r.end.line;
  })?.key;
}
