// The "Image Repositories" tree: namespace → ImageRepository → its ImagePolicies (policyNodes.ts) and latest tags, as `flux get image repository -A`
// groups them. Icons follow the conditions (host/health.ts); ImageRepositories found and not reconciled (an
// apiVersion the workspace's Flux does not serve, a spec the CRD rejects) are listed too, with the reason.
import * as vscode from 'vscode';
import { getCondition } from '../../../common/flux/conditions';
import type { SkippedObject } from '../../../common/model';
import { healthOf, type Health } from '../host/health';
import type { RepositoryView, TaglineState } from '../host/state';
import { timeAgo } from '../../../common/timeAgo';
import { policyItem } from './policyNodes';

export type TreeNode =
  | { kind: 'namespace'; namespace: string }
  | { kind: 'repository'; key: string }
  | { kind: 'skipped'; namespace: string; index: number }
  | { kind: 'policy'; key: string; repository: string }
  | { kind: 'tag'; key: string; tag: string; canonicalImageName?: string }
  | { kind: 'info'; key: string; text: string };

export const HEALTH_ICONS: Record<Health, vscode.ThemeIcon> = {
  ready: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
  failing: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  stalled: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  scanning: new vscode.ThemeIcon('sync~spin'),
  suspended: new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('disabledForeground')),
  unknown: new vscode.ThemeIcon('circle-large-outline'),
};
const SKIPPED_ICON = new vscode.ThemeIcon('eye-closed', new vscode.ThemeColor('problemsWarningIcon.foreground'));

export class RepositoryTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;
  // Nodes are re-created on each refresh; VS Code matches them by TreeItem.id, so expansion state survives.
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly state: TaglineState) {
    this.sub = state.onDidChange(() => this.changed.fire(undefined));
    // "scanned 3 minutes ago" ages by itself.
    this.timer = setInterval(() => this.changed.fire(undefined), 60_000);
  }

  getChildren(node?: TreeNode): TreeNode[] {
    const all = this.state.all();
    const skipped = this.state.skipped();
    if (!node) {
      const namespaces = [...new Set([...all.map((v) => v.object.metadata.namespace), ...skipped.map((s) => s.metadata.namespace)])].sort();
      return namespaces.map((namespace) => ({ kind: 'namespace', namespace }));
    }
    if (node.kind === 'namespace') {
      return [
        ...all.filter((v) => v.object.metadata.namespace === node.namespace).map((v): TreeNode => ({ kind: 'repository', key: v.key })),
        ...skipped.flatMap((s, index): TreeNode[] => (s.metadata.namespace === node.namespace ? [{ kind: 'skipped', namespace: node.namespace, index }] : [])),
      ];
    }
    if (node.kind === 'repository') {
      const view = this.state.get(node.key);
      const policies = this.state.policies.forRepository(node.key).map((p): TreeNode => ({ kind: 'policy', key: p.key, repository: node.key }));
      const tags = view?.status?.lastScanResult?.latestTags ?? [];
      if (tags.length === 0) {
        const ready = view?.status && getCondition(view.status, 'Ready');
        return [...policies, { kind: 'info', key: node.key, text: ready?.status === 'False' ? ready.message : 'no tags scanned yet' }];
      }
      return [...policies, ...tags.map((tag): TreeNode => ({ kind: 'tag', key: node.key, tag, canonicalImageName: view?.status?.canonicalImageName }))];
    }
    return [];
  }

  getParent(node: TreeNode): TreeNode | undefined {
    if (node.kind === 'repository') return { kind: 'namespace', namespace: node.key.split('/')[0] };
    if (node.kind === 'skipped') return { kind: 'namespace', namespace: node.namespace };
    if (node.kind === 'tag' || node.kind === 'info') return { kind: 'repository', key: node.key };
    if (node.kind === 'policy') return { kind: 'repository', key: node.repository };
    return undefined;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'namespace': {
        const item = new vscode.TreeItem(node.namespace, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `ns:${node.namespace}`;
        item.iconPath = new vscode.ThemeIcon('symbol-namespace');
        item.contextValue = 'namespace';
        return item;
      }
      case 'repository':
        return this.repositoryItem(node.key);
      case 'skipped':
        return skippedItem(this.state.skipped()[node.index]);
      case 'policy':
        return policyItem(this.state.policies.get(node.key), node.key, HEALTH_ICONS, this.driftOf?.(node.key, 'ImagePolicy') ?? []);
      case 'tag': {
        const item = new vscode.TreeItem(node.tag, vscode.TreeItemCollapsibleState.None);
        item.id = `tag:${node.key}:${node.tag}`;
        item.iconPath = new vscode.ThemeIcon('tag');
        item.contextValue = 'tag';
        item.tooltip = node.canonicalImageName ? `${node.canonicalImageName}:${node.tag}` : node.tag;
        return item;
      }
      case 'info': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = `info:${node.key}`;
        item.contextValue = 'info';
        return item;
      }
    }
  }

  private repositoryItem(key: string): vscode.TreeItem {
    const view = this.state.get(key);
    const name = key.split('/')[1] ?? key;
    const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `repo:${key}`;
    if (!view) return item;
    const health = healthOf(view);
    item.iconPath = HEALTH_ICONS[health];
    const drift = this.driftOf?.(key) ?? [];
    item.description = [describeShort(view, health), ...drift].filter((p) => p !== '').join(' · ');
    item.tooltip = tooltip(view, health);
    item.contextValue = view.object.spec.suspend === true ? 'imageRepository.suspended' : 'imageRepository';
    item.accessibilityInformation = { label: `${name}, ${health}, ${item.description}` };
    return item;
  }

  /** Cluster mode marks drift on the workspace side too: words per kind and key (e.g. `⚠ prod: not in the cluster`). */
  driftOf?: (key: string, kind?: 'ImageRepository' | 'ImagePolicy') => string[];

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    clearInterval(this.timer);
    this.sub.dispose();
    this.changed.dispose();
  }
}

function skippedItem(object: SkippedObject | undefined): vscode.TreeItem {
  const name = object?.metadata.name || '(no name)';
  const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.None);
  item.id = `skipped:${object?.metadata.namespace}/${name}:${object?.source?.uri ?? ''}:${object?.source?.range.start.line ?? ''}`;
  if (!object) return item;
  item.iconPath = SKIPPED_ICON;
  item.description = `not scanned: ${object.reason}`;
  item.tooltip = new vscode.MarkdownString().appendMarkdown(`**${object.metadata.namespace}/${name}** — not scanned\n\n`).appendText(object.reason);
  item.contextValue = 'imageRepository.skipped';
  item.accessibilityInformation = { label: `${name}, not scanned: ${object.reason}` };
  if (object.source) {
    const r = object.source.range;
    item.command = {
      command: 'vscode.open', title: 'Open manifest',
      arguments: [vscode.Uri.parse(object.source.uri), { selection: new vscode.Range(r.start.line, 0, r.start.line, 0) }],
    };
  }
  return item;
}

/** e.g. `12 tags · scanned 3 minutes ago`, or the failure reason when there is no scan to show. */
export function describeShort(view: RepositoryView, health: Health): string {
  const scan = view.status?.lastScanResult;
  const parts: string[] = [];
  if (scan) parts.push(`${scan.tagCount} tag${scan.tagCount === 1 ? '' : 's'}`, `scanned ${timeAgo(scan.scanTime, Date.now())}`);
  const ready = view.status && getCondition(view.status, 'Ready');
  if (health === 'suspended') parts.unshift('suspended');
  else if (health === 'scanning') parts.unshift('scanning…');
  else if ((health === 'failing' || health === 'stalled') && ready) parts.unshift(ready.reason);
  else if (!view.status) parts.push(view.object.spec.image);
  return parts.join(' · ');
}

function tooltip(view: RepositoryView, health: Health): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${view.key}** — ${health}\n\n`);
  md.appendMarkdown(`\`spec.image\`: \`${view.object.spec.image}\`  \n`);
  if (view.status?.canonicalImageName) md.appendMarkdown(`canonical name: \`${view.status.canonicalImageName}\`  \n`);
  const scan = view.status?.lastScanResult;
  if (scan) md.appendMarkdown(`last scan: ${scan.tagCount} tags, ${scan.scanTime} (${timeAgo(scan.scanTime, Date.now())}), revision \`${scan.revision}\`  \n`);
  for (const c of view.status?.conditions ?? []) {
    md.appendMarkdown(`\n$(${c.status === 'True' ? 'check' : c.status === 'False' ? 'x' : 'question'}) **${c.type}=${c.status}** ${c.reason}: `);
    md.appendText(c.message);
  }
  return md;
}
