// "Create ImageRepository": a new YAML editor with the ImageRepository snippet, tab stops for the person to fill.
import * as vscode from 'vscode';
import { IMAGE_REPOSITORY_SNIPPET } from '../../../common/flux/snippet';

export async function createImageRepository(): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: '' });
  const editor = await vscode.window.showTextDocument(doc);
  await editor.insertSnippet(new vscode.SnippetString(IMAGE_REPOSITORY_SNIPPET));
  return editor;
}
