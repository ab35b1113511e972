// Objects as Flux applies them, in the real extension host: a kustomization written into a workspace folder is built
// by the kustomize module, a field a patch makes invalid is reported on the patch's line (the same finding as
// `tagline check`), and hover on the base document shows the object as applied. Runs last: it adds an
// ImageRepository to the workspace and removes it again.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** The repository the tests were bundled from (test/e2e/.harness/host/index.js). */
const REPOSITORY = path.resolve(__dirname, '..', '..', '..', '..');

const FILES: Record<string, string> = {
  'kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: flux-system\nresources:\n  - cache.yaml\npatches:\n  - path: interval-patch.yaml\n    target:\n      kind: ImageRepository\n',
  'cache.yaml': 'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: kz-cache\nspec:\n  image: 127.0.0.1:9/nowhere/kz-cache\n',
  'interval-patch.yaml': 'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: any\nspec:\n  interval: every hour\n',
};

function diagnosticsOf(uri: vscode.Uri, predicate: (ds: readonly vscode.Diagnostic[]) => boolean, what: string, timeoutMs = 100_000): Promise<readonly vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = vscode.languages.getDiagnostics(uri);
      if (!predicate(found)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(found);
    };
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(vscode.languages.getDiagnostics(uri).map((d) => d.message))}`)); }, timeoutMs);
    const sub = vscode.languages.onDidChangeDiagnostics(() => check());
    check();
  });
}

describe('kustomize roots in the extension host', function () {
  // The kustomize module starts once per language server (seconds, more on a busy machine).
  this.timeout(120_000);
  let folder: vscode.Uri;
  let base: vscode.Uri;
  const file = (name: string) => vscode.Uri.joinPath(base, name);

  before(async () => {
    folder = vscode.workspace.workspaceFolders!.find((f) => f.uri.path.endsWith('/infra'))!.uri;
    base = vscode.Uri.joinPath(folder, 'kz', 'base');
    await fs.mkdir(base.fsPath, { recursive: true });
    for (const [name, text] of Object.entries(FILES)) await fs.writeFile(file(name).fsPath, text);
  });
  after(async () => {
    await fs.rm(vscode.Uri.joinPath(folder, 'kz').fsPath, { recursive: true, force: true });
  });

  it('reports a field a patch makes invalid on the patch\'s line, as tagline check does', async () => {
    const patch = file('interval-patch.yaml');
    // The file's own diagnostics come first; the built objects' findings (naming their root) follow the build.
    const found = await diagnosticsOf(patch, (ds) => ds.some((d) => d.message.endsWith('(kustomization kz/base)')), 'the patch\'s interval finding from the build');
    const shown = found.filter((d) => d.code === 'schema.pattern').map((d) => `${d.range.start.line}:${d.range.start.character} ${d.message}`);
    assert.deepEqual(shown, ['5:12 "every hour" is not a valid interval: use a Go duration with the units ms, s, m or h, e.g. 5m or 1h30m. (kustomization kz/base)']);
    assert.deepEqual(vscode.languages.getDiagnostics(file('cache.yaml')), [], 'the base, valid as built, gets nothing');

    const run = execFileSync(process.execPath, [path.join(REPOSITORY, 'dist', 'cli.js'), 'check', folder.fsPath, '--format', 'json'],
      { cwd: folder.fsPath, encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }).toString();
    const cli = (JSON.parse(run) as { file: string; range: { start: { line: number; character: number } }; message: string }[])
      .filter((f) => f.file.endsWith('interval-patch.yaml')).map((f) => `${f.range.start.line}:${f.range.start.character} ${f.message}`);
    assert.deepEqual(cli, shown);
  });

  it('shows the object as applied on hover over the base document', async () => {
    const document = await vscode.workspace.openTextDocument(file('cache.yaml'));
    await vscode.window.showTextDocument(document);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(1, 2));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
    assert.match(text, /\*\*As applied by kustomization kz\/base\*\*/);
    assert.match(text, /`metadata\.namespace: flux-system` — from kz\/base\/kustomization\.yaml/);
    assert.match(text, /`spec\.interval: every hour` — from kz\/base\/interval-patch\.yaml/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
