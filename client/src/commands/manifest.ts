// Commands that act on the manifest file itself, the way a person edits it: open it, and suspend/resume by
// writing `spec.suspend` with a WorkspaceEdit (undoable, and the file stays the source of truth).
import * as vscode from 'vscode';
import { isMap, isScalar, parseAllDocuments, type YAMLMap } from 'yaml';
import type { TaglineState } from '../host/state';

export async function openManifest(key: string, state: TaglineState): Promise<vscode.TextEditor | undefined> {
  const source = state.get(key)?.object.source;
  if (!source) return undefined;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(source.uri));
  const r = source.imageRange ?? source.range;
  const selection = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
  return vscode.window.showTextDocument(doc, { selection, preview: false });
}

/** Sets `spec.suspend` of the ImageRepository; returns false (with a message) when the YAML cannot be edited safely. */
export async function setSuspend(key: string, suspend: boolean, state: TaglineState): Promise<boolean> {
  const source = state.get(key)?.object.source;
  if (!source) return false;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(source.uri));
  const edit = suspendEdit(doc.getText(), source.documentIndex, suspend);
  if (typeof edit === 'string') {
    void vscode.window.showErrorMessage(`Cannot ${suspend ? 'suspend' : 'resume'} ${key}: ${edit}`);
    return false;
  }
  if (!edit) return true;
  const we = new vscode.WorkspaceEdit();
  we.replace(doc.uri, new vscode.Range(doc.positionAt(edit.start), doc.positionAt(edit.end)), edit.text);
  const ok = await vscode.workspace.applyEdit(we);
  return ok && (await doc.save());
}

export interface TextEdit { start: number; end: number; text: string }

/** The text edit that makes `spec.suspend` equal `suspend`, undefined if it already is, or why it cannot. */
export function suspendEdit(text: string, documentIndex: number, suspend: boolean): TextEdit | undefined | string {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return 'the file is empty';
  const doc = docs[documentIndex];
  if (!doc || doc.errors.length > 0) return 'the YAML document has syntax errors';
  const root = doc.contents;
  if (!isMap(root)) return 'the document is not a mapping';
  const spec = root.get('spec', true);
  if (!isMap(spec)) return 'it has no spec mapping';
  const value = String(suspend);
  const existing = (spec as YAMLMap).items.find((p) => isScalar(p.key) && p.key.value === 'suspend');
  if (existing) {
    if (isScalar(existing.value) && existing.value.value === suspend) return undefined;
    const range = (existing.value as { range?: [number, number, number] } | null)?.range;
    if (!range) return 'spec.suspend has no value to replace';
    return { start: range[0], end: range[1], text: value };
  }
  if (!suspend) return undefined;
  const first = (spec as YAMLMap).items[0];
  const firstKeyRange = isScalar(first?.key) ? first.key.range : undefined;
  if (!firstKeyRange) return 'spec is empty';
  if ((spec as YAMLMap).flow) return { start: firstKeyRange[0], end: firstKeyRange[0], text: `suspend: ${value}, ` };
  const lineStart = text.lastIndexOf('\n', firstKeyRange[0] - 1) + 1;
  const indent = text.slice(lineStart, firstKeyRange[0]);
  if (!/^[ \t]*$/.test(indent)) return 'spec is not laid out one key per line';
  return { start: firstKeyRange[0], end: firstKeyRange[0], text: `suspend: ${value}\n${indent}` };
}
