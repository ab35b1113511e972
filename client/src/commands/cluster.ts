// "Reconcile in Cluster" and "Suspend/Resume in Cluster": the only writes Tagline makes to a cluster, each as
// the flux CLI makes it (client/src/kubernetes/writes.ts). The first write asks for confirmation once.
import * as vscode from 'vscode';
import { errorMessage } from '../../../common/errors';
import { requestReconciliation, setSuspended, type ClusterObject } from '../kubernetes';
import type { ClusterHost } from '../host/clusterHost';
import type { TaglineLog } from '../host/log';
import type { TaglineState } from '../host/state';
import type { ClusterNode } from '../views/clusterTree';
import { keyFromArgument } from './targets';

const CONFIRMED_KEY = 'tagline.cluster.writeConfirmed';

interface Target {
  context: string;
  object: ClusterObject;
}

async function resolveTarget(arg: unknown, host: ClusterHost, state: TaglineState): Promise<Target | undefined> {
  const node = arg as Partial<ClusterNode> | undefined;
  if (node && node.kind === 'object' && typeof node.context === 'string' && typeof node.key === 'string') {
    const [kind, namespace, name] = node.key.split('/');
    const object = host.source(node.context)?.get(kind as ClusterObject['kind'], namespace, name);
    return object ? { context: node.context, object } : undefined;
  }
  const key = keyFromArgument(arg) ?? keyAtCursor(state);
  const candidates = key
    ? host.clusterObjectsFor(key)
    : host.contexts().flatMap((context) => (host.source(context)?.objects() ?? []).filter((o) => o.kind === 'ImageRepository').map((object) => ({ context, object })));
  if (candidates.length <= 1) {
    if (candidates.length === 0) void vscode.window.showInformationMessage(key ? `${key} is not in any watched cluster.` : 'No ImageRepository in the watched clusters.');
    return candidates[0];
  }
  const pick = await vscode.window.showQuickPick(
    candidates.map((c) => ({ label: `${c.object.namespace}/${c.object.name}`, description: `cluster ${c.context}`, target: c })),
    { placeHolder: 'Which ImageRepository, in which cluster?' },
  );
  return pick?.target;
}

function keyAtCursor(state: TaglineState): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const uri = editor.document.uri.toString();
  const line = editor.selection.active.line;
  return state.all().find((v) => v.object.source?.uri === uri && v.object.source.range.start.line <= line && line <= v.object.source.range.end.line)?.key;
}

/**
 * Asks once, before Tagline's first write to any cluster. A quick pick rather than a modal dialog: it is answered
 * from the keyboard, Escape cancels, and VS Code refuses modal dialogs outright in extension tests and smoke-test
 * mode, so a modal would leave this path untested.
 */
async function confirmFirstWrite(memento: vscode.Memento, what: string): Promise<boolean> {
  if (memento.get<boolean>(CONFIRMED_KEY)) return true;
  const yes = { label: 'Yes, and don\'t ask again', description: 'write now; later writes go ahead without asking' };
  const pick = await vscode.window.showQuickPick([yes, { label: 'Cancel', description: 'write nothing' }], {
    title: `${what}?`,
    placeHolder: 'Tagline writes to a cluster only when you ask: the reconcile.fluxcd.io/requestedAt annotation or spec.suspend, as the flux CLI does.',
    ignoreFocusOut: true,
  });
  if (pick !== yes) return false;
  await memento.update(CONFIRMED_KEY, true);
  return true;
}

export function registerClusterCommands(host: ClusterHost, state: TaglineState, memento: vscode.Memento, log: TaglineLog): vscode.Disposable[] {
  const run = (fn: (arg: unknown) => Promise<unknown>) => async (arg: unknown) => {
    try {
      return await fn(arg);
    } catch (err) {
      // KubernetesError messages are the API server's (a 403 names the verb and resource) and carry no token.
      log.error(errorMessage(err));
      void vscode.window.showErrorMessage(`Tagline: ${errorMessage(err)}`);
      return undefined;
    }
  };
  return [
    vscode.commands.registerCommand('tagline.cluster.reconcile', run(async (arg) => {
      const target = await resolveTarget(arg, host, state);
      if (!target) return undefined;
      const { context, object } = target;
      const label = `${object.kind} ${object.namespace}/${object.name} in cluster ${context}`;
      if (!(await confirmFirstWrite(memento, `Reconcile ${label}`))) return undefined;
      const source = host.source(context)!;
      const ref = { kind: object.kind, namespace: object.namespace, name: object.name, version: source.state.version ?? 'v1' };
      const requestedAt = await requestReconciliation(source.config, ref);
      log.info(`annotated ${label} with reconcile.fluxcd.io/requestedAt=${requestedAt}`);
      return vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Waiting for the controller to reconcile ${label}`, cancellable: true },
        async (_progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          try {
            const handled = await source.waitFor(object.kind, object.namespace, object.name, (o) => o.status.lastHandledReconcileAt === requestedAt, abort.signal);
            const ready = handled.status.conditions?.find((c) => c.type === 'Ready');
            void vscode.window.showInformationMessage(`${label}: ${ready ? `${ready.reason}: ${ready.message}` : 'reconciled'}`);
            return handled;
          } catch (err) {
            if (abort.signal.aborted) return undefined;
            throw err;
          }
        },
      );
    })),
    vscode.commands.registerCommand('tagline.cluster.suspend', run(async (arg) => suspendOrResume(arg, true))),
    vscode.commands.registerCommand('tagline.cluster.resume', run(async (arg) => suspendOrResume(arg, false))),
  ];

  async function suspendOrResume(arg: unknown, suspend: boolean): Promise<ClusterObject | undefined> {
    const target = await resolveTarget(arg, host, state);
    if (!target) return undefined;
    const { context, object } = target;
    const label = `${object.kind} ${object.namespace}/${object.name} in cluster ${context}`;
    if (!(await confirmFirstWrite(memento, `${suspend ? 'Suspend' : 'Resume'} ${label}`))) return undefined;
    const source = host.source(context)!;
    await setSuspended(source.config, { kind: object.kind, namespace: object.namespace, name: object.name, version: source.state.version ?? 'v1' }, suspend);
    log.info(`${suspend ? 'suspended' : 'resumed'} ${label}`);
    return source.waitFor(object.kind, object.namespace, object.name, (o) => (o.spec.suspend === true) === suspend);
  }
}
