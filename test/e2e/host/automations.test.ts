// Markers and ImageUpdateAutomations in the running extension: the "Image Update Automations" view, the warning on
// a marker no automation rewrites, and an ImageRepository the API server would refuse, listed but never scanned.
// The workspace is ../lib/workspace.mjs (apps/automation.yaml rewrites apps/deploy; apps/outside.yaml is outside).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { until as waitUntil } from './waits';
import type { TaglineApi } from '../../../client/src/extension';
import type { AutomationNode } from '../../../client/src/views/automationTree';
import type { TreeNode } from '../../../client/src/views/repositoryTree';

let api: TaglineApi;

const appsFile = (...parts: string[]) => vscode.Uri.joinPath(vscode.workspace.workspaceFolders!.find((f) => f.uri.path.endsWith('/apps'))!.uri, ...parts);

const until = (event: vscode.Event<unknown>, predicate: () => boolean, what: string, describeNow?: () => string) => waitUntil(event, predicate, what, { describeNow });

/** Every row of the automations view, depth first, as `label · description [icon]`, indented by depth. */
function automationRows(): string[] {
  const rows: string[] = [];
  const walk = (node: AutomationNode | undefined, depth: number) => {
    for (const child of api.automations.getChildren(node)) {
      const item = api.automations.getTreeItem(child);
      const icon = item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : '';
      rows.push(`${'  '.repeat(depth)}${String(item.label)} · ${String(item.description)} [${icon}]`);
      walk(child, depth + 1);
    }
  };
  walk(undefined, 0);
  return rows;
}

describe('ImageUpdateAutomations and markers in the extension host', () => {
  before(async () => {
    api = await vscode.extensions.getExtension<TaglineApi>('tagline.tagline')!.activate();
  });

  it('lists each automation with the files and markers it would write', async () => {
    await until(api.automations.onDidChangeTreeData, () => automationRows().length >= 3, 'the automation, its file and its marker', () => `: ${JSON.stringify(automationRows())}`);
    const rows = automationRows();
    assert.equal(rows.length, 3, rows.join('\n'));
    assert.equal(rows[0], 'apps/podinfo-updates · update.path ./deploy · 1 markers [git-commit]');
    assert.equal(rows[1], '  apps/deploy/frontend.yaml · 1 marker [file]');
    assert.match(rows[2], /^ {4}127\.0\.0\.1:\d+\/stefanprodan\/podinfo:6\.5\.0 · \$imagepolicy apps:podinfo \[tag\]$/);
    // The marker row opens the file at the marker's line.
    const [automation] = api.automations.getChildren();
    const [file] = api.automations.getChildren(automation);
    const [marker] = api.automations.getChildren(file);
    const command = api.automations.getTreeItem(marker).command!;
    assert.equal((command.arguments![0] as vscode.Uri).toString(), appsFile('deploy', 'frontend.yaml').toString());
    assert.equal((command.arguments![1] as { selection: vscode.Range }).selection.start.line, 10);
    assert.ok(!rows.some((r) => r.includes('outside.yaml')), 'a file outside update.path is not listed');
  });

  it('warns in Problems about a marker outside every automation\'s update.path, naming the automation', async () => {
    const outside = appsFile('outside.yaml');
    const reach = () => vscode.languages.getDiagnostics(outside).filter((d) => d.code === 'marker.outsideAutomations');
    await until(vscode.languages.onDidChangeDiagnostics, () => reach().length > 0, 'the marker.outsideAutomations warning',
      () => `: ${JSON.stringify(vscode.languages.getDiagnostics(outside).map((d) => `${String(d.code)} ${d.message}`))}`);
    const [warning] = reach();
    assert.equal(reach().length, 1);
    assert.equal(warning.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(warning.message, 'No ImageUpdateAutomation rewrites this file: apps/podinfo-updates rewrites ./deploy.');
    assert.equal(warning.range.start.line, 10, 'on the marker');
    assert.deepEqual(vscode.languages.getDiagnostics(appsFile('deploy', 'frontend.yaml')).filter((d) => String(d.code).startsWith('marker.')), [],
      'the marker the automation writes has no warning');
  });

  it('says in the marker hover which automation writes it', async () => {
    const document = await vscode.workspace.openTextDocument(appsFile('deploy', 'frontend.yaml'));
    const column = document.lineAt(10).text.indexOf('$imagepolicy') + 2;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(10, column));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.match(text, /Written by[^\n]*apps\/podinfo-updates/);
  });

  it('lists an ImageRepository the API server would refuse with its own icon and the reason, and never scans it', async () => {
    const skippedNode = () => api.tree.getChildren({ kind: 'namespace', namespace: 'apps' })
      .find((n): n is Extract<TreeNode, { kind: 'skipped' }> => n.kind === 'skipped' && String(api.tree.getTreeItem(n).label) === 'no-interval');
    await until(api.state.onDidChange, () => skippedNode() !== undefined, 'apps/no-interval in the tree');
    const item = api.tree.getTreeItem(skippedNode()!);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'eye-closed');
    assert.equal(item.contextValue, 'imageRepository.skipped');
    assert.equal(item.description, 'not scanned: spec.interval is missing');
    const podinfoIcon = (api.tree.getTreeItem({ kind: 'repository', key: 'apps/podinfo' }).iconPath as vscode.ThemeIcon).id;
    assert.notEqual(podinfoIcon, 'eye-closed', 'the icon is its own');
    // The same image as apps/podinfo, which is scanned: this one is not an object the reconciler holds.
    assert.equal(api.state.get('apps/no-interval'), undefined);
    assert.deepEqual(api.state.eventsFor('apps/no-interval'), []);
    assert.match(api.statusBar.text, /\b\d+ not scanned\b/);
  });
});
