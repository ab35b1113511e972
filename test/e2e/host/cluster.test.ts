// Cluster mode in the real extension host, against the real kube-apiserver and image-reflector-controller that
// ../cluster.mjs starts. Contexts `tagline` (cluster-admin, client certificate) and `jane` (a bearer token allowed
// to read namespace `apps` only); `tagline.reconciler.source` starts as `cluster`. The driver answers the
// first-write confirmation, clicks Cancel, pauses the controller and pushes tags when asked over TAGLINE_E2E_PROBE.
import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { TaglineApi } from '../../../client/src/extension';
import type { ClusterObject } from '../../../client/src/kubernetes';
import type { ClusterNode } from '../../../client/src/views/clusterTree';

const probe = process.env.TAGLINE_E2E_PROBE ?? '';
const { root, registry } = JSON.parse(process.env.TAGLINE_E2E_CLUSTER ?? '{}') as { root: string; registry: string };
const CLUSTER_SOURCE = 'tagline (cluster)';
const PODINFO: Extract<ClusterNode, { kind: 'object' }> = { kind: 'object', context: 'tagline', key: 'ImageRepository/apps/podinfo' };

let api: TaglineApi;

const file = (name: string) => vscode.Uri.file(`${root}/${name}`);

async function ask(path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${probe}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`probe ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Resolves when `predicate` holds, re-checked on every change of the cluster host or the state (no polling). */
function until(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  if (predicate()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!predicate()) return;
      finish();
      resolve();
    };
    const subs = [api.cluster.onDidChange(check), api.state.onDidChange(check), vscode.languages.onDidChangeDiagnostics(check)];
    const timer = setTimeout(() => { finish(); reject(new Error(`timed out waiting for ${what}`)); }, timeoutMs);
    const finish = () => { clearTimeout(timer); for (const s of subs) s.dispose(); };
  });
}

const source = () => api.cluster.source('tagline')!;
const clusterObject = (kind: ClusterObject['kind'], name: string) => source().get(kind, 'apps', name);
const ready = (o: ClusterObject | undefined) => o?.status.conditions?.some((c) => c.type === 'Ready' && c.status !== 'Unknown') ?? false;
const clusterDiagnostics = (name: string) => vscode.languages.getDiagnostics(file(name)).filter((d) => d.source === CLUSTER_SOURCE);
const item = (node: ClusterNode) => api.clusterTree.getTreeItem(node);
const iconOf = (i: vscode.TreeItem) => (i.iconPath as vscode.ThemeIcon | undefined)?.id;

async function hoverText(name: string, line: string): Promise<string> {
  const document = await vscode.workspace.openTextDocument(file(name));
  const index = document.getText().split('\n').findIndex((l) => l.includes(line));
  assert.ok(index >= 0, `${line} in ${name}`);
  const at = new vscode.Position(index, document.lineAt(index).text.length - 2);
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, at);
  // appendText escapes spaces as &nbsp;.
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n').replace(/&nbsp;/g, ' ');
}

/** Registry requests of the cluster's repositories so far, by who made them. */
async function registryRequests(): Promise<{ tagline: number; controller: number }> {
  const list = (await ask('/requests')) as { url: string; userAgent?: string }[];
  const tagline = list.filter((r) => r.userAgent?.startsWith('tagline')).length;
  return { tagline, controller: list.length - tagline };
}

describe('cluster mode in the extension host, against a real kube-apiserver and image-reflector-controller', () => {
  before(async () => {
    const ext = vscode.extensions.getExtension<TaglineApi>('tagline.tagline');
    assert.ok(ext);
    api = await ext.activate();
    await until(() => api.state.all().length >= 4 && source()?.state.phase === 'connected'
      && ['podinfo', 'failing', 'drifted'].every((n) => ready(clusterObject('ImageRepository', n)))
      && ready(clusterObject('ImagePolicy', 'podinfo')) && api.cluster.source('jane')?.state.phase === 'connected',
    'both contexts connected, the workspace indexed and the controller done', 90_000).catch((err: Error) => {
      throw new Error(`${err.message} (tagline: ${source()?.state.phase} ${source()?.state.error ?? ''}, jane: ${api.cluster.source('jane')?.state.phase}, `
        + `objects: ${source()?.objects().map((o) => `${o.kind}/${o.name}:${ready(o)}`).join(' ')}, workspace: ${api.state.all().map((v) => v.key).join(' ')})`);
    });
  });

  it('with reconciler.source = cluster, shows the cluster\'s statuses and sends no registry request from the editor', async () => {
    assert.equal(api.host.reconcilerState, 'disabled');
    await until(() => api.state.get('apps/podinfo')?.status?.lastScanResult?.tagCount === 3, 'the cluster status of podinfo in the workspace view');
    const workspaceItem = api.tree.getTreeItem({ kind: 'repository', key: 'apps/podinfo' });
    assert.match(String(workspaceItem.description), /^3 tags · scanned /);
    assert.equal(iconOf(workspaceItem), 'pass-filled');
    const requests = await registryRequests();
    assert.ok(requests.controller > 0, 'the controller scanned the registry');
    assert.equal(requests.tagline, 0, 'no request came from the extension host');
  });

  it('shows a "Cluster: <context>" section per context, with the workspace tree\'s icons and drift on both sides', async () => {
    await until(() => api.cluster.driftFor('apps/drifted').length === 2, 'the drift of both contexts');
    const roots = api.clusterTree.getChildren();
    assert.deepEqual(roots.map((n) => item(n).label), ['Cluster: tagline', 'Cluster: jane']);
    assert.match(String(item(roots[0]).description), /^7 objects · 4 drift$/);
    const namespaces = api.clusterTree.getChildren(roots[0]);
    assert.deepEqual(namespaces.map((n) => item(n).label), ['apps']);
    const rows = api.clusterTree.getChildren(namespaces[0]).map((n) => ({ label: item(n).label, icon: iconOf(item(n)), description: String(item(n).description) }));
    assert.deepEqual(rows.map((r) => `${r.label} ${r.icon}`), [
      'drifted-policy pass-filled', 'podinfo pass-filled',
      'cluster-only pass-filled', 'drifted pass-filled', 'failing error', 'hidden-secret error', 'podinfo pass-filled',
      'local-only diff-removed',
    ]);
    const [driftedPolicy, policy, clusterOnly, drifted, failing, hiddenSecret, podinfo, localOnly] = rows.map((r) => r.description);
    assert.match(podinfo, /^Ready · 3 tags · scanned .+ ago · latest 6\.6\.0$/);
    assert.equal(policy, `ImagePolicy · Ready · latest ${registry}/cluster/podinfo:6.6.0`);
    assert.match(driftedPolicy, /^ImagePolicy · Ready · latest \S+:6\.6\.0 · ⚠ spec differs from the workspace$/);
    assert.match(drifted, / · ⚠ spec differs from the workspace$/);
    assert.match(clusterOnly, / · ⚠ not in the workspace$/);
    assert.match(failing, /^not Ready: \w+/);
    assert.doesNotMatch(hiddenSecret, /⚠/, 'no outcome drift while nothing reconciles locally (source = cluster)');
    assert.equal(localOnly, 'ImageRepository · in the workspace, not in the cluster');
    // The workspace side marks the same drift, per context.
    assert.match(String(api.tree.getTreeItem({ kind: 'repository', key: 'apps/drifted' }).description), /⚠ tagline: spec differs from the cluster · ⚠ jane: spec differs from the cluster$/);
    assert.match(String(api.tree.getTreeItem({ kind: 'repository', key: 'apps/local-only' }).description), /⚠ tagline: not in the cluster · ⚠ jane: not in the cluster$/);
  });

  it('a context allowed in one namespace only says what was refused and shows that namespace', () => {
    const jane = api.clusterTree.getChildren()[1];
    const children = api.clusterTree.getChildren(jane).map((n) => String(item(n).label));
    assert.deepEqual(children, [
      'imagerepositories.image.toolkit.fluxcd.io is forbidden: User "system:serviceaccount:apps:jane" cannot list resource "imagerepositories" in API group "image.toolkit.fluxcd.io" at the cluster scope',
      'imagepolicies.image.toolkit.fluxcd.io is forbidden: User "system:serviceaccount:apps:jane" cannot list resource "imagepolicies" in API group "image.toolkit.fluxcd.io" at the cluster scope',
      'apps',
    ]);
    assert.equal(api.clusterTree.getChildren(api.clusterTree.getChildren(jane)[2]).length, 8);
  });

  it('hover on spec.image and on a policy puts each cluster\'s view under the local one', async () => {
    const image = await hoverText('podinfo.yaml', 'image:');
    assert.match(image, /cluster tagline: Ready · 3 tags · scanned .+ ago · latest 6\.6\.0/);
    assert.match(image, /cluster jane: Ready · 3 tags · scanned .+ ago · latest 6\.6\.0/);
    assert.ok(image.indexOf('6.5.1') < image.indexOf('cluster tagline:'), `the local view (tags) first:\n${image}`);
    const policy = await hoverText('podinfo.yaml', 'range:');
    assert.ok(policy.includes(`cluster tagline: Ready · latest ${registry}/cluster/podinfo:6.6.0`), policy);
    const drifted = await hoverText('drifted.yaml', 'image:');
    assert.match(drifted, /cluster tagline: Ready · \d tags · .* · spec differs from the workspace/);
  });

  it('publishes drift as information and a failing cluster condition as an error, on the manifest', () => {
    const drifted = clusterDiagnostics('drifted.yaml').filter((d) => d.message.includes('cluster tagline'));
    assert.deepEqual(drifted.map((d) => [d.severity, d.code, d.message]).sort(), [
      [vscode.DiagnosticSeverity.Information, 'cluster.SpecDiffers', 'ImagePolicy/apps/drifted-policy: spec differs from cluster tagline: spec.policy.semver.range ">=6.6.0" (cluster: ">=6.5.0")'],
      [vscode.DiagnosticSeverity.Information, 'cluster.SpecDiffers', 'ImageRepository/apps/drifted: spec differs from cluster tagline: spec.interval "5m" (cluster: "10m")'],
    ]);
    const local = clusterDiagnostics('local-only.yaml').filter((d) => d.message.includes('cluster tagline'));
    assert.deepEqual(local.map((d) => [d.severity, d.message]), [[vscode.DiagnosticSeverity.Information, 'ImageRepository/apps/local-only: not in cluster tagline']]);
    const failing = clusterDiagnostics('failing.yaml').filter((d) => d.message.startsWith('cluster tagline: '));
    assert.equal(failing.length, 1, failing.map((d) => d.message).join('\n'));
    assert.equal(failing[0].severity, vscode.DiagnosticSeverity.Error);
    const condition = clusterObject('ImageRepository', 'failing')!.status.conditions!.find((c) => c.type === 'Ready')!;
    assert.equal(failing[0].code, condition.reason);
    assert.equal(failing[0].message, `cluster tagline: ${condition.message}`, 'the controller\'s own text');
    assert.match(condition.message, /NAME_UNKNOWN/);
    assert.equal(clusterDiagnostics('podinfo.yaml').length, 0);
  });

  it('"Reconcile in Cluster" asks once, waits for the real controller, and the editor shows the change within a second', async () => {
    await ask('/push', { repository: 'cluster/podinfo', tags: ['6.7.0'] });
    let arrived = 0;
    let shown = 0;
    const watch = source().onDidChange((c) => {
      if (!arrived && c.type === 'upserted' && c.object.name === 'podinfo' && c.object.kind === 'ImageRepository' && c.object.status.lastScanResult?.tagCount === 4) arrived = performance.now();
    });
    const tree = api.cluster.onDidChange(() => {
      if (arrived && !shown && String(item(PODINFO).description).includes('4 tags')) shown = performance.now();
    });
    try {
      const handled = await vscode.commands.executeCommand<ClusterObject>('tagline.cluster.reconcile', PODINFO);
      assert.ok(handled, 'the command returned the handled object');
      assert.equal(handled.status.lastHandledReconcileAt, handled.requestedAt);
      assert.equal(handled.status.lastScanResult?.tagCount, 4);
      assert.equal(handled.status.lastScanResult?.latestTags?.[0], '6.7.0');
      await until(() => shown > 0, 'the tree to show 4 tags');
      await until(() => api.state.get('apps/podinfo')?.status?.lastScanResult?.tagCount === 4, 'the workspace view (source = cluster) to follow');
    } finally {
      watch.dispose();
      tree.dispose();
    }
    const treeMs = Math.round(shown - arrived);
    await ask('/measure', { what: 'watch event → Cluster tree row', ms: treeMs });
    assert.ok(treeMs < 1000, `${treeMs} ms`);
    const confirmations = (await ask('/dialogs')) as string[];
    assert.equal(confirmations.length, 1);
    assert.match(confirmations[0], /Reconcile ImageRepository apps\/podinfo in cluster tagline\?/);
  });

  it('Cancel stops waiting for the controller; the request is still handled once the controller runs', async () => {
    await ask('/controller', { paused: true });
    // The previous test's "Succeeded" message would sit above the progress toast and move it.
    await vscode.commands.executeCommand('notifications.clearAll');
    try {
      const command = vscode.commands.executeCommand<ClusterObject | undefined>('tagline.cluster.reconcile', PODINFO);
      await ask('/cancel');
      assert.equal(await command, undefined);
      const object = clusterObject('ImageRepository', 'podinfo')!;
      assert.ok(object.requestedAt && object.status.lastHandledReconcileAt !== object.requestedAt, 'not handled while the controller was paused');
    } finally {
      await ask('/controller', { paused: false });
    }
    await source().waitFor('ImageRepository', 'apps', 'podinfo', (o) => o.status.lastHandledReconcileAt === o.requestedAt);
  });

  it('Suspend and Resume in Cluster patch spec.suspend; the drift diagnostic follows within a second', async () => {
    let arrived = 0;
    let shown = 0;
    const uri = file('podinfo.yaml').toString();
    const watch = source().onDidChange((c) => {
      if (!arrived && c.type === 'upserted' && c.object.name === 'podinfo' && c.object.kind === 'ImageRepository' && c.object.spec.suspend === true) arrived = performance.now();
    });
    const diagnostics = vscode.languages.onDidChangeDiagnostics((e) => {
      if (arrived && !shown && e.uris.some((u) => u.toString() === uri) && clusterDiagnostics('podinfo.yaml').some((d) => d.message.includes('spec.suspend'))) shown = performance.now();
    });
    try {
      const suspended = await vscode.commands.executeCommand<ClusterObject>('tagline.cluster.suspend', PODINFO);
      assert.equal(suspended.spec.suspend, true);
      await until(() => shown > 0, 'the spec.suspend drift diagnostic');
    } finally {
      watch.dispose();
      diagnostics.dispose();
    }
    const diagnosticMs = Math.round(shown - arrived);
    await ask('/measure', { what: 'watch event → drift diagnostic', ms: diagnosticMs });
    assert.ok(diagnosticMs < 1000, `${diagnosticMs} ms`);
    assert.ok(clusterDiagnostics('podinfo.yaml').some((d) => d.message === 'ImageRepository/apps/podinfo: spec differs from cluster tagline: spec.suspend (unset) (cluster: true)'));
    assert.equal(item(PODINFO).contextValue, 'clusterImageRepository.suspended');
    assert.match(String(item(PODINFO).description), /^suspended · Ready · /);
    const resumed = await vscode.commands.executeCommand<ClusterObject>('tagline.cluster.resume', PODINFO);
    assert.equal('suspend' in resumed.spec, false);
    await until(() => clusterDiagnostics('podinfo.yaml').length === 0, 'the drift diagnostic to go');
    assert.equal(item(PODINFO).contextValue, 'clusterImageRepository');
    assert.equal(((await ask('/dialogs')) as string[]).length, 1, 'confirmed once, not per write');
  });

  it('with reconciler.source = both, scans locally too and keeps the cluster lines', async () => {
    await vscode.workspace.getConfiguration('tagline').update('reconciler.source', 'both', vscode.ConfigurationTarget.Global);
    await until(() => api.host.reconcilerState === 'running' && api.state.get('apps/local-only')?.status?.conditions.some((c) => c.type === 'Ready' && c.status === 'True') === true,
      'the local reconciler to scan the workspace-only repository');
    assert.ok((await registryRequests()).tagline > 0, 'the extension host scanned the registry');
    await until(() => source().state.phase === 'connected' && clusterObject('ImageRepository', 'podinfo') !== undefined, 'the cluster again');
    assert.match(await hoverText('podinfo.yaml', 'image:'), /cluster tagline: Ready · 4 tags/);
    // Both reconciled it: Ready here with the workspace's pull Secret, failing in the cluster, which lacks it.
    await until(() => api.state.get('apps/hidden-secret')?.status?.conditions.some((c) => c.type === 'Ready' && c.status === 'True') === true
      && api.cluster.driftFor('apps/hidden-secret').some((d) => d.context === 'tagline' && d.drift.type === 'OutcomeDiffers'), 'the different outcome of hidden-secret');
    assert.match(String(api.tree.getTreeItem({ kind: 'repository', key: 'apps/hidden-secret' }).description), /⚠ tagline: different outcome in the cluster/);
    const outcome = clusterDiagnostics('hidden-secret.yaml').filter((d) => d.code === 'cluster.OutcomeDiffers');
    assert.equal(outcome.length, 2, outcome.map((d) => d.message).join('\n'));
    assert.equal(outcome[0].severity, vscode.DiagnosticSeverity.Information);
  });
});
