// A workspace with a Flux Kustomization: a file none of them reaches is never applied by Flux, so it gets the one
// information kustomize.notApplied instead of its problems, and its ImageRepository is not scanned. The folder is
// written by ../lib/workspace.mjs writeAppliedWorkspace (clusters/home is reached, examples/ is not).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TaglineApi } from '../../../client/src/extension';

describe('Files no Flux Kustomization reaches, in the extension host', () => {
  it('gives a file no Flux Kustomization applies one information in Problems in place of its problems, and leaves its ImageRepository out', async () => {
    const api = await vscode.extensions.getExtension<TaglineApi>('tagline.tagline')!.activate();
    const example = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'examples', 'example.yaml');
    const found = await new Promise<vscode.Diagnostic[]>((resolve, reject) => {
      const check = () => {
        const now = vscode.languages.getDiagnostics(example);
        if (now.length === 0) return;
        clearTimeout(timer);
        sub.dispose();
        resolve(now);
      };
      const timer = setTimeout(() => { sub.dispose(); reject(new Error('no diagnostics for examples/example.yaml')); }, 25_000);
      const sub = vscode.languages.onDidChangeDiagnostics(check);
      check();
    });
    assert.deepEqual(found.map((d) => [d.code, d.severity, d.message]), [[
      'kustomize.notApplied', vscode.DiagnosticSeverity.Information,
      'not applied by any Flux Kustomization in this workspace (1 problem not reported: schema.required)',
    ]]);
    assert.deepEqual(vscode.languages.getDiagnostics(vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'clusters', 'home', 'sync.yaml'))
      .filter((d) => d.code === 'kustomize.notApplied'), [], 'the file declaring the Kustomization is applied');
    assert.equal(api.state.get('flux-system/example'), undefined);
    assert.ok(!api.state.skipped().some((s) => s.metadata.name === 'example'), 'not listed as a refused object either');
  });
});
