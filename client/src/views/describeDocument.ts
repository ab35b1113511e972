// Read-only `kubectl describe imagerepository` documents (scheme tagline-describe:), refreshed as the status
// changes. "Show Events" opens the same document scrolled to its Events table.
import * as vscode from 'vscode';
import type { TaglineState } from '../host/state';
import { describeText } from './describeText';

export const DESCRIBE_SCHEME = 'tagline-describe';

export class DescribeProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly open = new Set<string>();
  private readonly subs: vscode.Disposable[];

  constructor(private readonly state: TaglineState) {
    this.subs = [
      state.onDidChange(() => {
        for (const u of this.open) this.changed.fire(vscode.Uri.parse(u));
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.open.delete(d.uri.toString())),
    ];
  }

  static uriFor(key: string): vscode.Uri {
    const [namespace, name] = key.split('/');
    return vscode.Uri.from({ scheme: DESCRIBE_SCHEME, path: `/${namespace}/${name}.describe`, query: key });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    this.open.add(uri.toString());
    const view = this.state.get(uri.query);
    if (!view) return `Error from server (NotFound): imagerepositories.image.toolkit.fluxcd.io "${uri.query.split('/')[1]}" not found\n`;
    return describeText(view, this.state.eventsFor(view.key));
  }

  async show(key: string, scrollToEvents: boolean): Promise<vscode.TextDocument> {
    const doc = await vscode.workspace.openTextDocument(DescribeProvider.uriFor(key));
    const editor = await vscode.window.showTextDocument(doc, { preview: true });
    if (scrollToEvents) {
      const line = doc.getText().split('\n').findIndex((l) => l.startsWith('Events:'));
      if (line >= 0) {
        const pos = new vscode.Position(line, 0);
        editor.selection = new vscode.Selection(pos, pos);
        editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.AtTop);
      }
    }
    return doc;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
  }
}
