// Behaviour of the running extension seen through the VS Code API: activation, multi-root index, tree data,
// commands, status bar, trust gate. The workspace and registries are set up by ../run.mjs.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { until as waitUntil } from './waits';
import type { TaglineApi } from '../../../client/src/extension';
import type { TreeNode } from '../../../client/src/views/repositoryTree';

const PODINFO = 'apps/podinfo';
const NGINX = 'flux-system/nginx';
const PRIVATE = 'apps/private-app';

let api: TaglineApi;

/** Resolves when `predicate` holds, re-checking on every state change. */
const until = (predicate: () => boolean, what: string, timeoutMs = 20_000) => waitUntil(api.state.onDidChange, predicate, what, { timeoutMs });

const ready = (key: string) => api.state.get(key)?.status?.conditions.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe('Tagline in the extension host', () => {
  before(async () => {
    const ext = vscode.extensions.getExtension<TaglineApi>('tagline.tagline');
    assert.ok(ext, 'the extension is installed');
    api = await ext.activate();
    await until(() => ready(PODINFO) && ready(NGINX), 'podinfo and nginx to be Ready', 25_000).catch((err: Error) => {
      throw new Error(`${err.message} (reconciler ${api.host.reconcilerState}, index received: ${api.state.hasIndex}, `
        + `language client running: ${api.client.running}, workspace folders: ${vscode.workspace.workspaceFolders?.length ?? 0}, objects: ${api.state.all().map((v) => v.key).join(' ') || 'none'})`);
    });
  });

  it('activates with the reconciler running in a trusted workspace', () => {
    assert.equal(vscode.workspace.isTrusted, true);
    assert.equal(api.host.reconcilerState, 'running');
  });

  it('indexes ImageRepositories from every folder of a multi-root workspace', () => {
    assert.equal(vscode.workspace.workspaceFolders?.length, 2);
    const keys = api.state.all().map((v) => v.key);
    for (const k of [PODINFO, NGINX, PRIVATE]) assert.ok(keys.includes(k), `${k} in ${keys.join(', ')}`);
  });

  it('groups the tree by namespace and lists latestTags under each repository', () => {
    const namespaces = api.tree.getChildren().map((n) => (n as { namespace: string }).namespace);
    assert.deepEqual(namespaces.filter((n) => n !== undefined), ['apps', 'flux-system']);
    const tags = api.tree.getChildren({ kind: 'repository', key: PODINFO }).flatMap((n) => (n.kind === 'tag' ? [n.tag] : []));
    assert.deepEqual(tags, ['latest', '6.6.0', '6.5.2', '6.5.1', '6.5.0']);
    const item = api.tree.getTreeItem({ kind: 'repository', key: PODINFO });
    assert.match(String(item.description), /^5 tags · scanned /);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'pass-filled');
  });

  it('shows a failing repository with the error icon once its retry settles', async () => {
    // private-app retries with backoff; between retries it is failing, during one it is scanning.
    await until(() => api.state.get(PRIVATE)?.scanning === false && api.state.get(PRIVATE)?.status !== undefined, 'a settled private-app');
    const failing = api.tree.getTreeItem({ kind: 'repository', key: PRIVATE });
    assert.equal((failing.iconPath as vscode.ThemeIcon).id, 'error');
    assert.match(String(failing.description), /^ReadOperationFailed\b/);
  });

  it('summarises the repositories in the status bar', async () => {
    await until(() => /failing/.test(api.statusBar.text), 'a failing count');
    // podinfo and nginx are Ready, private-app fails; signed-in-app is Ready once the UI suite signed in.
    assert.match(api.statusBar.text, /\b[23] ready · [12] failing\b/);
  });

  it('rescans one ImageRepository with a status-bar spinner and returns its new status', async () => {
    let spinnerWhileScanning = false;
    const sub = api.state.onDidChange(() => {
      if (api.state.get(PODINFO)?.scanning) spinnerWhileScanning ||= api.statusBar.spinning;
    });
    const result = await vscode.commands.executeCommand<{ status: { lastScanResult?: { tagCount: number } } }>('tagline.rescan', PODINFO);
    sub.dispose();
    assert.equal(result?.status.lastScanResult?.tagCount, 5);
    assert.ok(spinnerWhileScanning, 'the spinner was shown while the scan ran');
    assert.equal(api.statusBar.spinning, false);
  });

  it('withdraws a cancelled rescan: no reconcile result and no event for it', async () => {
    await until(() => api.state.get(PODINFO)?.scanning === false, 'podinfo idle');
    const before = structuredClone(api.state.get(PODINFO)!.status);
    const seen = new Set(api.state.eventsFor(PODINFO));
    const cts = new vscode.CancellationTokenSource();
    const cancelled = api.host.rescan(PODINFO, cts.token);
    cts.cancel();
    assert.equal(await cancelled, undefined);
    assert.deepEqual(api.state.get(PODINFO)?.status, before);
    // A rescan that is not cancelled runs after whatever the cancelled one left running: had that one gone on,
    // its own event would show up here too.
    const result = await api.host.rescan(PODINFO);
    assert.ok(result?.status.lastHandledReconcileAt);
    assert.equal(api.state.eventsFor(PODINFO).filter((e) => !seen.has(e)).length, 1);
    cts.dispose();
  });

  it('shows the problems and conditions of files that are not open in the Problems panel', async () => {
    const folder = vscode.workspace.workspaceFolders!.find((f) => f.name === 'apps' || f.uri.path.endsWith('/apps'))!.uri;
    const file = (name: string) => vscode.Uri.joinPath(folder, name);
    const isOpen = (uri: vscode.Uri) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());
    const diagnosticsOf = (uri: vscode.Uri, predicate: (ds: vscode.Diagnostic[]) => boolean, what: string) => new Promise<vscode.Diagnostic[]>((resolve, reject) => {
      const check = () => {
        const found = vscode.languages.getDiagnostics(uri);
        if (!predicate(found)) return false;
        clearTimeout(timer);
        sub.dispose();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => { sub.dispose(); reject(new Error(`timed out waiting for ${what}`)); }, 20_000);
      const sub = vscode.languages.onDidChangeDiagnostics(() => { check(); });
      check();
    });
    const privateApp = file('private-app.yaml');
    const broken = file('broken.yaml');
    assert.ok(!isOpen(privateApp) && !isOpen(broken), 'neither file is open in an editor');
    const failing = await diagnosticsOf(privateApp, (ds) => ds.some((d) => d.source === 'tagline (flux)'), 'the failing condition of private-app.yaml');
    assert.match(String(failing.find((d) => d.source === 'tagline (flux)')!.code), /^(ReadOperationFailed|AuthenticationFailed)$/);
    const schema = await diagnosticsOf(broken, (ds) => ds.some((d) => d.code === 'schema.pattern'), 'the schema error of broken.yaml');
    assert.equal(schema[0]!.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual(vscode.languages.getDiagnostics(file('web.yaml')), [], 'a file without Flux documents gets nothing');
  });

  it('turns the reconciler off and on with tagline.reconciler.enable', async () => {
    const config = vscode.workspace.getConfiguration('tagline');
    const changed = (want: string) => new Promise<void>((resolve) => {
      const sub = api.host.onDidChangeState((s) => { if (s === want) { sub.dispose(); resolve(); } });
    });
    const off = changed('disabled');
    await config.update('reconciler.enable', false, vscode.ConfigurationTarget.Global);
    await off;
    assert.ok(api.state.all().every((v) => v.status === undefined), 'statuses are withdrawn');
    const on = changed('running');
    await config.update('reconciler.enable', undefined, vscode.ConfigurationTarget.Global);
    await on;
    await until(() => ready(PODINFO) && ready(NGINX), 'statuses back from the database');
  });

  it('builds the scan queue with tagline.reconciler.concurrency, and rebuilds it when the setting changes', async () => {
    assert.equal(api.host.concurrencyPerHost, 4, 'the default');
    const config = vscode.workspace.getConfiguration('tagline');
    const restarted = () => new Promise<void>((resolve) => {
      const sub = api.host.onDidChangeState((s) => { if (s === 'running') { sub.dispose(); resolve(); } });
    });
    let running = restarted();
    await config.update('reconciler.concurrency', 2, vscode.ConfigurationTarget.Global);
    await running;
    assert.equal(api.host.concurrencyPerHost, 2);
    running = restarted();
    await config.update('reconciler.concurrency', undefined, vscode.ConfigurationTarget.Global);
    await running;
    assert.equal(api.host.concurrencyPerHost, 4);
    await until(() => ready(PODINFO) && ready(NGINX), 'statuses back after the rebuild');
  });

  it('follows tagline.logLevel', async () => {
    const config = vscode.workspace.getConfiguration('tagline');
    // run.mjs sets trace in the user settings (post-mortems); put it back afterwards.
    const original = config.inspect<string>('logLevel')?.globalValue;
    assert.equal(api.log.currentLevel, original ?? 'info');
    // The extension subscribed first, so it has read the setting by the time this listener runs.
    const set = async (value: string | undefined) => {
      const changed = new Promise<void>((resolve) => {
        const sub = vscode.workspace.onDidChangeConfiguration((e) => {
          if (e.affectsConfiguration('tagline.logLevel')) { sub.dispose(); setImmediate(resolve); }
        });
      });
      await config.update('logLevel', value, vscode.ConfigurationTarget.Global);
      await changed;
    };
    await set('warning');
    assert.equal(api.log.currentLevel, 'warning');
    await set('trace');
    assert.equal(api.log.currentLevel, 'trace');
    await set(undefined);
    assert.equal(api.log.currentLevel, 'info', 'the default');
    if (original !== undefined) await set(original);
    assert.equal(api.log.currentLevel, original ?? 'info');
  });

  it('explains a wrong password with the controller\'s reason and message', () => {
    const view = api.state.get(PRIVATE)!;
    const readyCondition = view.status!.conditions.find((c) => c.type === 'Ready')!;
    const host = view.object.spec.image.split('/')[0];
    // The Secret is found and the options build (not AuthenticationFailed): the registry refuses the listing.
    assert.equal(readyCondition.status, 'False');
    assert.equal(readyCondition.reason, 'ReadOperationFailed');
    assert.equal(readyCondition.message, `scan failed: GET http://${host}/v2/team/private-app/tags/list?n=1000: UNAUTHORIZED: authentication required; [map[Action:pull Class: Name:team/private-app Type:repository]]`);
  });

  it('describes an ImageRepository in the kubectl describe layout with its events', async () => {
    const uri = await vscode.commands.executeCommand<string>('tagline.describe', PODINFO);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri)!;
    const text = doc.getText();
    assert.match(text, /^Name:\s+podinfo$/m);
    assert.match(text, /^Namespace:\s+apps$/m);
    assert.match(text, /Canonical Image Name:\s+127\.0\.0\.1:\d+\/stefanprodan\/podinfo/);
    assert.match(text, /^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message/m);
    // A first scan gives `successful scan: …`; a window that finds the tags in the database gives Flux's
    // Trace messages, which kubectl shows as Normal.
    assert.match(text, /^  Normal\s+Succeeded\s+\S+\s+image-reflector-controller\s+(successful scan: found 5 tags with checksum|no change in repository configuration since last scan|tags did not change)/m);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('shows the events of an ImageRepository', async () => {
    const uri = await vscode.commands.executeCommand<string>('tagline.showEvents', PRIVATE);
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.toString(), uri);
    assert.equal(editor.document.lineAt(editor.selection.active.line).text, 'Events:');
    assert.match(editor.document.getText(), /^  Warning\s+(ReadOperationFailed|AuthenticationFailed)\s/m);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('copies a tag and the canonical image name to the clipboard', async () => {
    await vscode.commands.executeCommand('tagline.copyTag', { kind: 'tag', key: PODINFO, tag: '6.6.0' } satisfies TreeNode);
    assert.equal(await vscode.env.clipboard.readText(), '6.6.0');
    await vscode.commands.executeCommand('tagline.copyCanonicalName', PODINFO);
    assert.match(await vscode.env.clipboard.readText(), /^127\.0\.0\.1:\d+\/stefanprodan\/podinfo$/);
  });

  it('suspends and resumes by editing spec.suspend in the manifest', async () => {
    const uri = vscode.Uri.parse(api.state.get(NGINX)!.object.source!.uri);
    assert.equal(await vscode.commands.executeCommand('tagline.suspend', NGINX), true);
    assert.match((await vscode.workspace.openTextDocument(uri)).getText(), /^spec:\n  suspend: true\n  image: /m);
    await until(() => api.state.get(NGINX)?.object.spec.suspend === true, 'the index to see suspend: true');
    assert.equal(api.tree.getTreeItem({ kind: 'repository', key: NGINX }).contextValue, 'imageRepository.suspended');
    assert.equal(await vscode.commands.executeCommand('tagline.resume', NGINX), true);
    assert.match((await vscode.workspace.openTextDocument(uri)).getText(), /^  suspend: false$/m);
    await until(() => api.state.get(NGINX)?.object.spec.suspend === false, 'the index to see suspend: false');
  });

  it('clears the tag database and scans every repository again as a first scan', async () => {
    const firstScans = () => api.state.eventsFor(PODINFO).filter((e) => e.type === 'Normal' && e.message.startsWith('successful scan: found 5 tags')).length;
    const before = firstScans();
    assert.equal(await vscode.commands.executeCommand('tagline.clearDatabase', true), true);
    // With no stored status the object is new to the controller: not Ready → Ready emits a Normal event again.
    await until(() => ready(PODINFO) && ready(NGINX) && firstScans() > before, 'first scans after clearing');
  });

  it('passes tagline.validation.enable to the language server', async () => {
    const broken = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'broken.yaml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(broken));
    const schemaErrors = () => vscode.languages.getDiagnostics(broken).filter((d) => d.message.includes('Go duration')).length;
    const diagnosticsUntil = (want: (n: number) => boolean, what: string) => new Promise<void>((resolve, reject) => {
      if (want(schemaErrors())) return resolve();
      const timer = setTimeout(() => { sub.dispose(); reject(new Error(`timed out waiting for ${what}`)); }, 20_000);
      const sub = vscode.languages.onDidChangeDiagnostics(() => {
        if (!want(schemaErrors())) return;
        clearTimeout(timer);
        sub.dispose();
        resolve();
      });
    });
    await diagnosticsUntil((n) => n > 0, 'the schema error');
    const config = vscode.workspace.getConfiguration('tagline');
    await config.update('validation.enable', false, vscode.ConfigurationTarget.Global);
    await diagnosticsUntil((n) => n === 0, 'validation to switch off');
    await config.update('validation.enable', undefined, vscode.ConfigurationTarget.Global);
    await diagnosticsUntil((n) => n > 0, 'validation to switch on again');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('indexes an ImageRepository written to disk in a file nobody opened, and forgets it when the file goes', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const file = vscode.Uri.joinPath(folder, 'written-on-disk.yaml');
    const image = api.state.get(PODINFO)!.object.spec.image;
    const manifest = `apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: from-disk\n  namespace: apps\nspec:\n  image: ${image}\n  interval: 5m\n`;
    await vscode.workspace.fs.writeFile(file, Buffer.from(manifest));
    await until(() => api.state.get('apps/from-disk') !== undefined, 'the file watcher to index apps/from-disk');
    await vscode.workspace.fs.delete(file);
    await until(() => api.state.get('apps/from-disk') === undefined, 'apps/from-disk to leave the index');
  });

  it('creates an ImageRepository from the snippet in a new YAML editor', async () => {
    const uri = await vscode.commands.executeCommand<string>('tagline.createImageRepository');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri)!;
    assert.equal(doc.languageId, 'yaml');
    assert.match(doc.getText(), /^kind: ImageRepository$/m);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('warns in the status bar when the tag database cannot be saved, and clears the warning once it is', async () => {
    const file = api.host.databaseFile!;
    const changed = (what: string, predicate: () => boolean) => new Promise<void>((resolve, reject) => {
      if (predicate()) return resolve();
      const timer = setTimeout(() => { sub.dispose(); reject(new Error(`timed out waiting for ${what}`)); }, 20_000);
      const sub = api.state.onDidChange(() => { if (predicate()) { clearTimeout(timer); sub.dispose(); resolve(); } });
    });
    // The file replaced by a directory: the next background write fails with EISDIR.
    await fs.rm(file, { force: true });
    await fs.mkdir(file);
    try {
      await api.host.rescan(PODINFO);
      await changed('the database warning', () => api.state.databaseProblem !== undefined);
      assert.match(api.statusBar.databaseWarning ?? '', /^\$\(warning\) tag database not saved: EISDIR: illegal operation on a directory/);
    } finally {
      await fs.rm(file, { recursive: true, force: true });
    }
    await changed('a retried write to succeed', () => api.state.databaseProblem === undefined);
    assert.equal(api.statusBar.databaseWarning, undefined);
  });
});
