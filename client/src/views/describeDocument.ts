// Read-only `kubectl describe imagerepository` (and `imagepolicy`) documents (scheme tagline-describe:), refreshed as the status
// changes. "Show Events" opens the same document scrolled to its Events table.
import * as vscode from 'vscode';
import type { TaglineState } from '../host/state';
import { describePolicyText, describeText } from './describeText';

export const DESCRIBE_SCHEME = 'tagline-describe';
const POLICY_QUERY = 'ImagePolicy:';

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

  /** The describe document of an ImagePolicy (its key may also name an ImageRepository). */
  static policyUriFor(key: string): vscode.Uri {
    const [namespace, name] = key.split('/');
    return vscode.Uri.from({ scheme: DESCRIBE_SCHEME, path: `/${namespace}/${name}.imagepolicy.describe`, query: `${POLICY_QUERY}${key}` });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    this.open.add(uri.toString());
    if (uri.query.startsWith(POLICY_QUERY)) {
      const key = uri.query.slice(POLICY_QUERY.length);
      const policy = this.state.policies.get(key);
      if (!policy) return `Error from server (NotFound): imagepolicies.image.toolkit.fluxcd.io "${key.split('/')[1]}" not found\n`;
      return describePolicyText(policy, this.state.policies.eventsFor(key));
    }
    const view = this.state.get(uri.query);
    if (!view) return `Error from server (NotFound): imagerepositories.image.toolkit.fluxcd.io "${uri.query.split('/')[1]}" not found\n`;
    return describeText(view, this.state.eventsFor(view.key));
  }

  async show(key: string, scrollToEvents: boolean, kind: 'ImageRepository' | 'ImagePolicy' = 'ImageRepository'): Promise<vscode.TextDocument> {
    const doc = await vscode.workspace.openTextDocument(kind === 'ImagePolicy' ? DescribeProvider.policyUriFor(key) : DescribeProvider.uriFor(key));
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
