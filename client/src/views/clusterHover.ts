// The cluster's view of the ImageRepository under the cursor, one line per watched context, added to the
// language server's hover (VS Code shows every provider's hover for the position).
import * as vscode from 'vscode';
import type { TaglineState } from '../host/state';
import type { ClusterHost } from '../host/clusterHost';
import { clusterSummary, driftWords } from './clusterTree';

export class ClusterHoverProvider implements vscode.HoverProvider {
  constructor(private readonly state: TaglineState, private readonly host: ClusterHost) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const uri = document.uri.toString();
    const view = this.state.all().find((v) => {
      const source = v.object.source;
      if (source?.uri !== uri) return false;
      const r = source.imageRange ?? source.range;
      return r.start.line <= position.line && position.line <= r.end.line;
    });
    if (!view) return undefined;
    const lines = hoverLines(this.host, view.key);
    if (lines.length === 0) return undefined;
    const md = new vscode.MarkdownString();
    for (const line of lines) md.appendMarkdown(`$(cloud) `).appendText(line).appendMarkdown('  \n');
    md.supportThemeIcons = true;
    return new vscode.Hover(md);
  }
}

/** `cluster prod: Ready · 211 tags · scanned 3m ago · latest 6.2.0`, then the drift, for each context. */
export function hoverLines(host: ClusterHost, key: string, now = Date.now()): string[] {
  const lines: string[] = [];
  for (const view of host.views()) {
    const entry = host.clusterObjectsFor(key).find((e) => e.context === view.context);
    const drift = host.driftFor(key).filter((d) => d.context === view.context).map((d) => driftWords(d.drift));
    if (view.state.phase !== 'connected') lines.push(`cluster ${view.context}: disconnected${view.state.error ? ` (${view.state.error})` : ''}`);
    else if (entry) lines.push(`cluster ${view.context}: ${clusterSummary(entry.object, now)}${drift.length ? ` · ${drift.join(', ')}` : ''}`);
    else if (drift.length) lines.push(`cluster ${view.context}: ${drift.join(', ')}`);
  }
  return lines;
}
