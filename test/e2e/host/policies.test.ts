// ImagePolicies in the running extension: reconciled beside their repository, shown in the tree under it,
// described like kubectl describe, hovered with the reconciler's status, re-evaluated on an unsaved edit, with
// their conditions in Problems and the apiVersion quick fix. The workspace is ../lib/workspace.mjs.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { diagnosticsOf, until as waitUntil } from './waits';
import type { TaglineApi } from '../../../client/src/extension';
import type { TreeNode } from '../../../client/src/views/repositoryTree';

const POLICY = 'apps/podinfo';
const NEXT_MAJOR = 'apps/next-major';
let api: TaglineApi;

const until = (predicate: () => boolean, what: string, timeoutMs = 25_000) => waitUntil(api.state.onDidChange, predicate, what, { timeoutMs });


const latestTag = (key: string) => api.state.policies.get(key)?.status?.latestRef?.tag;
const policiesFile = () => vscode.Uri.joinPath(vscode.workspace.workspaceFolders!.find((f) => f.uri.path.endsWith('/apps'))!.uri, 'policies.yaml');

describe('ImagePolicies in the extension host', () => {
  before(async () => {
    api = await vscode.extensions.getExtension<TaglineApi>('tagline.tagline')!.activate();
    await until(() => latestTag(POLICY) === '6.6.0', 'apps/podinfo to resolve to 6.6.0');
  });

  it('lists each policy under its repository with the tag it resolved to and its condition icon', async () => {
    await until(() => api.state.policies.get(NEXT_MAJOR)?.status?.conditions.some((c) => c.type === 'Ready' && c.status === 'False') ?? false, 'next-major to fail');
    const children = api.tree.getChildren({ kind: 'repository', key: 'apps/podinfo' });
    const policies = children.filter((n): n is Extract<TreeNode, { kind: 'policy' }> => n.kind === 'policy');
    const rows = policies.map((n) => {
      const item = api.tree.getTreeItem(n);
      return `${String(item.label)} · ${String(item.description)} [${(item.iconPath as vscode.ThemeIcon).id}]`;
    });
    const failing = api.state.policies.get(NEXT_MAJOR)!.status!.conditions.find((c) => c.type === 'Ready')!;
    assert.deepEqual(rows, [`next-major · semver >=7.0.0 · ${failing.reason} [error]`, 'podinfo · semver >=6.5.0 → 6.6.0 [pass-filled]']);
    assert.equal(children.indexOf(policies[0]), 0, 'policies come before the tags');
    assert.deepEqual(api.tree.getParent(policies[1]), { kind: 'repository', key: 'apps/podinfo' });
    assert.match(api.state.policies.get(POLICY)!.status!.latestRef!.digest!, /^sha256:[0-9a-f]{64}$/, 'IfNotPresent reflected the digest');
  });

  it('describes a policy in the kubectl describe layout and shows its events', async () => {
    const node: TreeNode = { kind: 'policy', key: POLICY, repository: 'apps/podinfo' };
    const uri = await vscode.commands.executeCommand<string>('tagline.describe', node);
    const text = (await vscode.workspace.openTextDocument(vscode.Uri.parse(uri))).getText();
    assert.match(text, /^Name:\s+podinfo$/m);
    assert.match(text, /^Kind:\s+ImagePolicy$/m);
    assert.match(text, /^  Latest Ref:\n    Digest:\s+sha256:[0-9a-f]{64}\n    Name:\s+127\.0\.0\.1:\d+\/stefanprodan\/podinfo\n    Tag:\s+6\.6\.0$/m);
    assert.match(text, /^  Normal\s+Succeeded\s+\S+\s+image-reflector-controller\s+Latest image tag for 127\.0\.0\.1:\d+\/stefanprodan\/podinfo resolved to 6\.6\.0 with digest sha256:/m);
    const events = await vscode.commands.executeCommand<string>('tagline.showEvents', node);
    assert.equal(events, uri, 'Show Events opens the same document at its Events table');
    assert.ok(!/^Kind:\s+ImageRepository$/m.test(text), 'not the repository of the same name');
  });

  it('puts a failing policy condition on the policy document, with the controller\'s reason and message', async () => {
    const found = await diagnosticsOf(policiesFile(), (ds) => ds.some((d) => d.source === 'tagline (flux)'), 'the condition of next-major');
    const condition = found.find((d) => d.source === 'tagline (flux)')!;
    const ready = api.state.policies.get(NEXT_MAJOR)!.status!.conditions.find((c) => c.type === 'Ready')!;
    assert.equal(condition.code, ready.reason);
    assert.equal(condition.message, ready.message);
    assert.match(condition.message, /unable to determine latest version from provided list/);
    assert.equal(condition.range.start.line, 21, 'on spec.policy of the second document');
  });

  it('hovers a policy with the reconciler\'s Ready message and the selected tag', async () => {
    const document = await vscode.workspace.openTextDocument(policiesFile());
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(1, 8));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.match(text, /Ready=True \(Succeeded\): Latest image tag for 127\.0\.0\.1:\d+\/stefanprodan\/podinfo resolved to 6\.6\.0 with digest sha256:/);
    assert.match(text, /\*\*Selects `6\.6\.0`\*\*/);
  });

  it('re-evaluates an edited policy before it is saved, without a scan', async () => {
    const document = await vscode.workspace.openTextDocument(policiesFile());
    await vscode.window.showTextDocument(document);
    const scanned = api.state.get('apps/podinfo')!.status!.lastScanResult!.scanTime;
    const line = document.getText().split('\n').indexOf("      range: '>=6.5.0'");
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(line, 0, line, document.lineAt(line).text.length), "      range: '<6.6.0'");
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      await until(() => latestTag(POLICY) === '6.5.2', 'the edited policy to resolve to 6.5.2');
      const ready = api.state.policies.get(POLICY)!.status!.conditions.find((c) => c.type === 'Ready')!;
      assert.match(ready.message, /resolved to 6\.5\.2 with digest sha256:[0-9a-f]+ \(previously 127\.0\.0\.1:\d+\/stefanprodan\/podinfo:6\.6\.0@sha256:[0-9a-f]+\)$/);
      assert.equal(api.state.get('apps/podinfo')!.status!.lastScanResult!.scanTime, scanned, 'the repository was not scanned');
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await until(() => latestTag(POLICY) === '6.6.0', 'the reverted policy to resolve to 6.6.0 again');
  });

  it('offers the apiVersion quick fix on a v1beta2 ImagePolicy and applies it', async () => {
    const uri = vscode.Uri.joinPath(policiesFile(), '..', 'legacy-policy.yaml');
    const text = "apiVersion: image.toolkit.fluxcd.io/v1beta2\nkind: ImagePolicy\nmetadata:\n  name: legacy\n  namespace: apps\nspec:\n  imageRepositoryRef:\n    name: podinfo\n  policy:\n    semver:\n      range: '>=6.0.0'\n";
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text));
    try {
      const document = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(document);
      const [diagnostic] = await diagnosticsOf(uri, (ds) => ds.some((d) => d.range.start.line === 0), 'the apiVersion diagnostic');
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic.range);
      const fix = actions.find((a) => a.isPreferred && /image\.toolkit\.fluxcd\.io\/v1\b/.test(a.title));
      assert.ok(fix?.edit, `a preferred migrate fix among: ${actions.map((a) => a.title).join(' | ')}`);
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      assert.equal(document.lineAt(0).text, 'apiVersion: image.toolkit.fluxcd.io/v1');
      await until(() => latestTag('apps/legacy') === '6.6.0', 'the migrated policy to be reconciled');
      await vscode.commands.executeCommand('workbench.action.files.revert');
    } finally {
      await vscode.workspace.fs.delete(uri);
    }
  });
});
