// Objects as Flux applies them, in the real extension host. The window's folder is test/fixtures/kustomize/marked-repo
// (run.mjs runKustomize, which also runs `tagline check` on it first and leaves its JSON beside the folder): a
// field a patch makes invalid is reported on the patch's line, hover on the base shows the object as applied, and
// the markers of a base Deployment are resolved against the ImagePolicies as applied (the Flux Kustomization's
// targetNamespace `shop`) — each as `tagline check` says it.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { diagnosticsOf } from './waits';

interface Finding { file: string; range: { start: { line: number; character: number } }; code: string; message: string }

const folder = () => vscode.workspace.workspaceFolders![0].uri;
const file = (relative: string) => vscode.Uri.joinPath(folder(), ...relative.split('/'));

/** `tagline check --format json` on the folder, as run.mjs ran it before this window opened. */
function cliFindings(relative: string): string[] {
  const findings = JSON.parse(readFileSync(path.join(path.dirname(folder().fsPath), 'tagline-kustomize-check.json'), 'utf8')) as Finding[];
  return findings.filter((f) => f.file === relative).map((f) => `${f.range.start.line}:${f.range.start.character} ${f.code} ${f.message}`);
}

function shown(diagnostics: readonly vscode.Diagnostic[]): string[] {
  return diagnostics.filter((d) => d.source === 'tagline').map((d) => `${d.range.start.line}:${d.range.start.character} ${String(d.code)} ${d.message}`);
}


async function hoverText(uri: vscode.Uri, position: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
}

describe('kustomize roots in the extension host', function () {
  // The first test waits for the language server's first build: the kustomize module compiles and starts once
  // per language server (seconds on an idle machine, tens of seconds on a loaded one); run.mjs allows the window
  // 150 s, so a slow start is reported here, with what Problems showed, rather than as the window's timeout.
  this.timeout(130_000);

  it('reports a field a patch makes invalid on the patch\'s line in Problems, as tagline check does', async () => {
    const patch = file('apps/base/interval-patch.yaml');
    // Before the first build the patch's own bad value is shown at once, as the file says it (the open file's own
    // findings come first); the built finding names the root that applies it.
    const found = await diagnosticsOf(patch, (ds) => ds.some((d) => d.code === 'schema.pattern' && d.message.includes('(Kustomization ')), 'the patch\'s interval finding from the first build', 120_000, shown);
    assert.deepEqual(shown(found), ['5:12 schema.pattern "every hour" is not a valid interval: use a Go duration with the units ms, s, m or h, e.g. 5m or 1h30m. (Kustomization flux-system/apps in clusters/prod/apps.yaml)']);
    assert.deepEqual(shown(found), cliFindings('apps/base/interval-patch.yaml'));
    assert.deepEqual(shown(vscode.languages.getDiagnostics(file('apps/base/cache.yaml'))), [], 'the base, valid as built, gets nothing');
  });

  it('checks the markers of a base Deployment against the ImagePolicies as applied, as tagline check does', async () => {
    const deployment = file('apps/base/deployment.yaml');
    const found = await diagnosticsOf(deployment, (ds) => ds.some((d) => d.code === 'marker.policyAppliedAs'), 'the marker findings', 20_000, shown);
    assert.deepEqual(shown(found), [
      "17:51 marker.policyNotFound ImagePolicy 'shop/storefrnt' is not in the workspace; it may exist only in the cluster. Without it, the automation leaves this value alone.",
      "19:51 marker.policyAppliedAs ImagePolicy 'flux-system/storefront' is applied as 'shop/storefront' (Kustomization flux-system/apps in clusters/prod/apps.yaml). The automation matches a marker against the ImagePolicies as applied in the cluster, so it leaves this value alone.",
    ]);
    assert.deepEqual(shown(found), cliFindings('apps/base/deployment.yaml'));

    const document = await vscode.workspace.openTextDocument(deployment);
    await vscode.window.showTextDocument(document);
    const marker = await hoverText(deployment, new vscode.Position(15, 20));
    assert.match(marker, /^Image update marker of ImagePolicy `shop\/storefront` \(whole image\)\./);
    assert.match(marker, /Written by `shop\/storefront` \(ImageUpdateAutomation, update\.path `\.\/apps`\)\./);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', deployment, new vscode.Range(19, 60, 19, 60));
    const rename = actions.find((a) => a.title === 'Name the ImagePolicy as applied: shop:storefront');
    assert.ok(rename?.edit, JSON.stringify(actions.map((a) => a.title)));
    assert.deepEqual(rename.edit.get(deployment).map((e) => [e.range.start.line, e.range.start.character, e.range.end.character, e.newText]), [[19, 71, 93, 'shop:storefront']]);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('shows the object as applied on hover over the base document', async () => {
    const cache = file('apps/base/cache.yaml');
    const document = await vscode.workspace.openTextDocument(cache);
    await vscode.window.showTextDocument(document);
    const text = await hoverText(cache, new vscode.Position(1, 2));
    assert.match(text, /\*\*As applied by Kustomization flux-system\/apps in clusters\/prod\/apps\.yaml\*\*/);
    assert.match(text, /`metadata\.namespace: shop` — from clusters\/prod\/apps\.yaml/);
    assert.match(text, /`spec\.interval: every hour` — from apps\/base\/interval-patch\.yaml/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
