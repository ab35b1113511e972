// The "Image Update Automations" tree: each ImageUpdateAutomation Flux applies → the files it would rewrite →
// the markers in them, as the language server finds them (server/src/validation/markerReach.ts automationTargets).
// A marker that no automation writes is not here: it has a warning on it instead.
import * as vscode from 'vscode';
import type { AutomationTarget } from '../../../common/model';
import type { WorkspaceIndexParams } from '../../../common/protocol';

export type AutomationNode =
  | { kind: 'automation'; index: number }
  | { kind: 'file'; index: number; file: number }
  | { kind: 'marker'; index: number; file: number; marker: number };

const relative = (uri: string) => vscode.workspace.asRelativePath(vscode.Uri.parse(uri));

export class AutomationTree implements vscode.TreeDataProvider<AutomationNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<AutomationNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private targets: AutomationTarget[] = [];
  private readonly sub: vscode.Disposable;

  constructor(onWorkspaceIndex: vscode.Event<WorkspaceIndexParams>) {
    this.sub = onWorkspaceIndex((index) => {
      this.targets = index.automations ?? [];
      this.changed.fire(undefined);
    });
  }

  getChildren(node?: AutomationNode): AutomationNode[] {
    if (!node) return this.targets.map((_, index) => ({ kind: 'automation', index }));
    if (node.kind === 'automation') return (this.targets[node.index]?.files ?? []).map((_, file) => ({ kind: 'file', index: node.index, file }));
    if (node.kind === 'file') return (this.targets[node.index]?.files[node.file]?.markers ?? []).map((_, marker) => ({ kind: 'marker', index: node.index, file: node.file, marker }));
    return [];
  }

  getTreeItem(node: AutomationNode): vscode.TreeItem {
    const target = this.targets[node.index];
    if (node.kind === 'automation') {
      const item = new vscode.TreeItem(`${target.namespace}/${target.name}`, target.files.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
      item.id = `automation:${target.namespace}/${target.name}:${target.uri}`;
      item.description = `update.path ${target.path || '.'} · ${target.files.reduce((n, f) => n + f.markers.length, 0)} markers`;
      item.iconPath = new vscode.ThemeIcon('git-commit');
      item.tooltip = `ImageUpdateAutomation ${target.namespace}/${target.name} in ${relative(target.uri)}`;
      item.command = { command: 'vscode.open', title: 'Open manifest', arguments: [vscode.Uri.parse(target.uri)] };
      return item;
    }
    const file = target.files[node.file];
    if (node.kind === 'file') {
      const item = new vscode.TreeItem(relative(file.uri), vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `automation:${target.namespace}/${target.name}:${file.uri}`;
      item.resourceUri = vscode.Uri.parse(file.uri);
      item.iconPath = vscode.ThemeIcon.File;
      item.description = `${file.markers.length} marker${file.markers.length === 1 ? '' : 's'}`;
      return item;
    }
    const marker = file.markers[node.marker];
    const item = new vscode.TreeItem(marker.value, vscode.TreeItemCollapsibleState.None);
    item.id = `automation:${target.namespace}/${target.name}:${file.uri}:${marker.line}`;
    item.description = `$imagepolicy ${marker.setter}`;
    item.iconPath = new vscode.ThemeIcon('tag');
    const position = new vscode.Position(marker.line, 0);
    item.command = { command: 'vscode.open', title: 'Open manifest', arguments: [vscode.Uri.parse(file.uri), { selection: new vscode.Range(position, position) }] };
    return item;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
