// Restricted Mode: the workspace is not trusted (the trust prompt is refused in tests). Language features
// work; the reconciler never starts, so no registry is contacted and no credential helper runs.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TaglineApi } from '../../../client/src/extension';

function onceDiagnostics(uri: vscode.Uri, timeoutMs = 20_000): Promise<vscode.Diagnostic[]> {
  const now = vscode.languages.getDiagnostics(uri);
  if (now.length > 0) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`no diagnostics for ${uri.fsPath}`)); }, timeoutMs);
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === uri.toString())) return;
      const d = vscode.languages.getDiagnostics(uri);
      if (d.length === 0) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(d);
    });
  });
}

describe('Tagline in Restricted Mode', () => {
  let api: TaglineApi;

  before(async () => {
    api = await vscode.extensions.getExtension<TaglineApi>('tagline.tagline')!.activate();
  });

  it('runs in an untrusted workspace without starting the reconciler', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    assert.equal(api.host.reconcilerState, 'untrusted');
  });

  it('still validates manifests', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const broken = vscode.Uri.joinPath(folder, 'apps', 'broken.yaml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(broken));
    const diagnostics = await onceDiagnostics(broken);
    assert.ok(diagnostics.some((d) => d.message.includes('Go duration')), diagnostics.map((d) => d.message).join('; '));
  });

  it('indexes the ImageRepositories but shows no registry status', async () => {
    await new Promise<void>((resolve) => {
      if (api.state.all().length > 0) return resolve();
      const sub = api.state.onDidChange(() => { if (api.state.all().length > 0) { sub.dispose(); resolve(); } });
    });
    assert.ok(api.state.all().some((v) => v.key === 'apps/podinfo'));
    assert.ok(api.state.all().every((v) => v.status === undefined));
    assert.match(api.statusBar.text, /ImageRepositories/);
  });

  it('refuses to rescan and says why', async () => {
    assert.equal(api.host.lastRefusal, undefined);
    assert.equal(await vscode.commands.executeCommand('tagline.rescan', 'apps/podinfo'), undefined);
    assert.equal(api.host.lastRefusal, 'Tagline contacts registries only in trusted workspaces (Restricted Mode is on).');
  });
});
