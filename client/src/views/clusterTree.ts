// The "Cluster: <context>" sections beside the workspace's tree: per context, its connection state, then
// namespace → ImageRepository / ImagePolicy with the same icons as the workspace side, drift marked.
import * as vscode from 'vscode';
import type { Drift } from '../../../common/flux/drift';
import type { ImageRepositoryObject } from '../../../common/model';
import { clusterObjectKey, clusterSummary, type ClusterObject } from '../kubernetes';

export { clusterSummary };
import { asRepositoryStatus, type ClusterHost, type ClusterView } from '../host/clusterHost';
import { healthOf, type Health } from '../host/health';
import { HEALTH_ICONS } from './repositoryTree';

export type ClusterNode =
  | { kind: 'context'; context: string }
  | { kind: 'message'; context: string; text: string; error: boolean }
  | { kind: 'namespace'; context: string; namespace: string }
  | { kind: 'object'; context: string; key: string }
  | { kind: 'missing'; context: string; drift: Drift };

const DRIFT_WORDS: Record<Drift['type'], string> = {
  SpecDiffers: 'spec differs from the workspace',
  NotInWorkspace: 'not in the workspace',
  NotInCluster: 'in the workspace, not in the cluster',
  OutcomeDiffers: 'different outcome than here',
};

export function driftWords(d: Drift): string {
  return DRIFT_WORDS[d.type];
}

/** The same drift, as the workspace side of the tree says it (of the cluster, not of the workspace). */
const WORKSPACE_DRIFT_WORDS: Record<Drift['type'], string> = {
  SpecDiffers: 'spec differs from the cluster',
  NotInWorkspace: 'not in the workspace',
  NotInCluster: 'not in the cluster',
  OutcomeDiffers: 'different outcome in the cluster',
};

export function workspaceDriftWords(d: Drift): string {
  return WORKSPACE_DRIFT_WORDS[d.type];
}

export class ClusterTree implements vscode.TreeDataProvider<ClusterNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ClusterNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly host: ClusterHost) {
    this.sub = host.onDidChange(() => this.changed.fire(undefined));
  }

  private view(context: string): ClusterView | undefined {
    return this.host.views().find((v) => v.context === context);
  }

  getChildren(node?: ClusterNode): ClusterNode[] {
    if (!node) return this.host.contexts().map((context) => ({ kind: 'context', context }));
    const view = this.view(node.context);
    if (!view) return [];
    if (node.kind === 'context') {
      const messages: ClusterNode[] = [];
      if (view.state.phase === 'disconnected' || view.state.phase === 'failed') {
        messages.push({ kind: 'message', context: node.context, text: `disconnected: ${view.state.error ?? ''}`, error: true });
      } else if (view.state.phase === 'connecting') {
        messages.push({ kind: 'message', context: node.context, text: 'connecting…', error: false });
      }
      for (const refused of view.state.forbidden) messages.push({ kind: 'message', context: node.context, text: refused, error: true });
      const namespaces = [...new Set([...view.objects.map((o) => o.namespace), ...view.drift.filter((d) => d.type === 'NotInCluster').map((d) => d.namespace)])].sort();
      return [...messages, ...namespaces.map((namespace) => ({ kind: 'namespace' as const, context: node.context, namespace }))];
    }
    if (node.kind === 'namespace') {
      const objects = view.objects.filter((o) => o.namespace === node.namespace)
        .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name))
        .map((o) => ({ kind: 'object' as const, context: node.context, key: clusterObjectKey(o) }));
      const missing = view.drift.filter((d) => d.type === 'NotInCluster' && d.namespace === node.namespace)
        .map((drift) => ({ kind: 'missing' as const, context: node.context, drift }));
      return [...objects, ...missing];
    }
    return [];
  }

  getTreeItem(node: ClusterNode): vscode.TreeItem {
    switch (node.kind) {
      case 'context': {
        const view = this.view(node.context);
        const item = new vscode.TreeItem(`Cluster: ${node.context}`, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `cluster:${node.context}`;
        item.iconPath = new vscode.ThemeIcon(view?.state.phase === 'connected' ? 'cloud' : 'debug-disconnect');
        item.description = view ? phaseWords(view) : '';
        item.contextValue = 'cluster';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = `cluster:${node.context}:message:${node.text}`;
        item.iconPath = new vscode.ThemeIcon(node.error ? 'warning' : 'loading~spin');
        item.tooltip = node.text;
        return item;
      }
      case 'namespace': {
        const item = new vscode.TreeItem(node.namespace, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `cluster:${node.context}:ns:${node.namespace}`;
        item.iconPath = new vscode.ThemeIcon('symbol-namespace');
        return item;
      }
      case 'missing': {
        const item = new vscode.TreeItem(node.drift.name, vscode.TreeItemCollapsibleState.None);
        item.id = `cluster:${node.context}:missing:${node.drift.kind}/${node.drift.namespace}/${node.drift.name}`;
        item.iconPath = new vscode.ThemeIcon('diff-removed');
        item.description = `${node.drift.kind} · ${driftWords(node.drift)}`;
        return item;
      }
      case 'object':
        return this.objectItem(node);
    }
  }

  private objectItem(node: Extract<ClusterNode, { kind: 'object' }>): vscode.TreeItem {
    const view = this.view(node.context);
    const object = view?.objects.find((o) => clusterObjectKey(o) === node.key);
    const item = new vscode.TreeItem(node.key.split('/')[2] ?? node.key, vscode.TreeItemCollapsibleState.None);
    item.id = `cluster:${node.context}:obj:${node.key}`;
    if (!object) return item;
    const health = clusterHealth(object);
    item.iconPath = HEALTH_ICONS[health];
    const drift = view!.drift.find((d) => `${d.kind}/${d.namespace}/${d.name}` === node.key);
    item.description = [object.kind === 'ImagePolicy' ? 'ImagePolicy' : '', clusterSummary(object), drift ? `⚠ ${driftWords(drift)}` : '']
      .filter((p) => p !== '').join(' · ');
    item.contextValue = object.kind === 'ImageRepository' ? (object.spec.suspend === true ? 'clusterImageRepository.suspended' : 'clusterImageRepository') : 'clusterImagePolicy';
    item.tooltip = object.status.conditions?.map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`).join('\n') ?? '';
    return item;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}

function phaseWords(view: ClusterView): string {
  const count = `${view.objects.length} object${view.objects.length === 1 ? '' : 's'}`;
  const drift = view.drift.length > 0 ? ` · ${view.drift.length} drift` : '';
  if (view.state.phase === 'connected') return `${count}${drift}`;
  return view.state.phase === 'connecting' ? 'connecting…' : 'disconnected';
}

export function clusterHealth(object: ClusterObject): Health {
  const asObject = { spec: object.spec } as unknown as ImageRepositoryObject;
  return healthOf({ key: clusterObjectKey(object), object: asObject, status: asRepositoryStatus(object), scanning: false });
}

