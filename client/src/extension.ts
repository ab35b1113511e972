// Wiring only: the language server, the reconciler host, and the views over them.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { TaglineLog } from './host/log';
import { ReconcilerHost } from './host/reconcilerHost';
import { affectsCluster, affectsReconciler, readClusterSettings, readSettings } from './host/settings';
import { ClusterHost } from './host/clusterHost';
import { registerClusterCommands } from './commands/cluster';
import { ClusterTree } from './views/clusterTree';
import { ClusterHoverProvider } from './views/clusterHover';
import { workspaceDriftWords } from './views/clusterTree';
import { SignIns } from './host/signIns';
import { TaglineState } from './host/state';
import { TaglineLanguageClient } from './lsp/languageClient';
import { TaglineStatusBar } from './status/statusBar';
import { DESCRIBE_SCHEME, DescribeProvider } from './views/describeDocument';
import { RepositoryTree } from './views/repositoryTree';
import { AutomationTree } from './views/automationTree';
import { errorMessage } from '../../common/errors';

/** What activate() returns: the extension-host tests inspect the running extension through it. */
export interface TaglineApi {
  state: TaglineState;
  host: ReconcilerHost;
  statusBar: TaglineStatusBar;
  tree: RepositoryTree;
  client: TaglineLanguageClient;
  cluster: ClusterHost;
  clusterTree: ClusterTree;
  automations: AutomationTree;
  log: TaglineLog;
}

let client: TaglineLanguageClient | undefined;
let reconcilerHost: ReconcilerHost | undefined;

export function activate(context: vscode.ExtensionContext): TaglineApi {
  const log = new TaglineLog();
  log.setLevel(readSettings().logLevel);
  const state = new TaglineState();
  const signIns = new SignIns(context.secrets, context.globalState);
  const host = (reconcilerHost = new ReconcilerHost(context, state, log, signIns));
  const server = (client = new TaglineLanguageClient(context, log, (name) => host.storedTags(name)));
  let hasRepositories: boolean | undefined;
  const statusBar = new TaglineStatusBar(state);
  const tree = new RepositoryTree(state);
  const describe = new DescribeProvider(state);
  const treeView = vscode.window.createTreeView('tagline.repositories', { treeDataProvider: tree, showCollapseAll: true });
  const cluster = new ClusterHost(log, {
    repositories: () => new Map(state.all().flatMap((v) => (v.status ? [[v.key, v.status] as const] : []))),
    policies: () => new Map(state.policies.all().flatMap((v) => (v.status ? [[v.key, v.status] as const] : []))),
  });
  const clusterTree = new ClusterTree(cluster);
  const automations = new AutomationTree(server.onWorkspaceIndex);
  const clusterHover = new ClusterHoverProvider(state, cluster);
  server.hoverBelow = (local, document, position) => clusterHover.below(local, document, position);
  tree.driftOf = (key, kind) => cluster.driftFor(key, kind).map(({ context, drift }) => `⚠ ${context}: ${workspaceDriftWords(drift)}`);
  let clusterStatusKeys = new Set<string>();
  // With tagline.reconciler.source = cluster, the statuses the editor shows are the cluster's.
  const publishClusterStatuses = () => {
    if (readClusterSettings().source !== 'cluster') return;
    const statuses = cluster.clusterStatuses();
    const list = [...statuses].map(([key, status]) => ({ key, uri: state.get(key)?.object.source?.uri ?? '', status, scanning: false }));
    for (const s of list) state.setStatus(s.key, s.status, false);
    const removed = [...clusterStatusKeys].filter((k) => !statuses.has(k));
    clusterStatusKeys = new Set(statuses.keys());
    void server.sendStatus({ statuses: list, removed });
  };

  context.subscriptions.push(
    server.onWorkspaceIndex((index) => host.onWorkspaceIndex(index)),
    host.onDidChangeStatuses((statuses) => {
      void server.sendStatus(statuses);
      cluster.onLocalStatuses();
    }),
    host.policies.onDidChangeStatuses((statuses) => {
      void server.sendPolicyStatus(statuses);
      cluster.onLocalStatuses();
    }),
    log, state, statusBar, tree, describe, treeView, cluster, clusterTree,
    vscode.window.createTreeView('tagline.cluster', { treeDataProvider: clusterTree, showCollapseAll: true }),
    automations, vscode.window.createTreeView('tagline.automations', { treeDataProvider: automations, showCollapseAll: true }),
    ...registerClusterCommands(cluster, state, context.globalState, log),
    server.onWorkspaceIndex((index) => cluster.onWorkspaceIndex(index)),
    cluster.onDidChange(() => {
      tree.refresh();
      publishClusterStatuses();
    }),
    vscode.workspace.registerTextDocumentContentProvider(DESCRIBE_SCHEME, describe),
    ...registerCommands({ state, host, statusBar, describe, signIns, log }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      void host.restart();
      cluster.restart();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('tagline.logLevel')) log.setLevel(readSettings().logLevel);
      if (affectsReconciler(e)) void host.restart();
      if (affectsCluster(e)) cluster.restart();
    }),
    // A new sign-in may fix an AuthenticationFailed/ReadOperationFailed object; rescan with the new credentials.
    signIns.onDidChange(() => void host.restart()),
    // The server sends no index for a workspace without YAML, so the welcome view keys on "none found yet".
    state.onDidChange(() => {
      const now = state.all().length > 0 || state.skipped().length > 0;
      if (now !== hasRepositories) void vscode.commands.executeCommand('setContext', 'tagline.hasImageRepositories', (hasRepositories = now));
    }),
  );
  // Not awaited: activation stays fast, and the views fill in as the server's index and statuses arrive.
  server.start().then(
    () => log.debug('language server started'),
    (err: unknown) => log.error(`the Tagline language server did not start: ${errorMessage(err)}`),
  );
  void host.restart();
  cluster.restart();
  return { state, host, statusBar, tree, client: server, cluster, clusterTree, automations, log };
}

/** Awaited by VS Code: the reconciler stops and the tag database is written before the server goes. */
export async function deactivate(): Promise<void> {
  await reconcilerHost?.dispose();
  reconcilerHost = undefined;
  await client?.dispose();
  client = undefined;
}
