// "Create ImageRepository": a new YAML editor with the ImageRepository snippet, tab stops for the person to fill.
import * as vscode from 'vscode';

const SNIPPET = [
  'apiVersion: image.toolkit.fluxcd.io/v1',
  'kind: ImageRepository',
  'metadata:',
  '  name: ${1:podinfo}',
  '  namespace: ${2:flux-system}',
  'spec:',
  '  image: ${3:ghcr.io/stefanprodan/podinfo}',
  '  interval: ${4:5m}',
  '$0',
].join('\n');

export async function createImageRepository(): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: '' });
  const editor = await vscode.window.showTextDocument(doc);
  await editor.insertSnippet(new vscode.SnippetString(SNIPPET));
  return editor;
}
