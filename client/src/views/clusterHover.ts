// The cluster's view of the ImageRepository or ImagePolicy under the cursor, one line per watched context, added
// under the language server's hover (through the language client's hover middleware, so the order is fixed).
import * as vscode from 'vscode';
import type { FluxImageKind } from '../../../common/flux/drift';
import { objectKey } from '../../../common/model';
import type { TaglineState } from '../host/state';
import type { ClusterHost } from '../host/clusterHost';
import { clusterSummary, driftWords } from './clusterTree';

export class ClusterHoverProvider {
  constructor(private readonly state: TaglineState, private readonly host: ClusterHost) {}

  /** The language server's hover (`local`) with the cluster's lines under it; `local` alone when there are none. */
  below(local: vscode.Hover | undefined, document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const target = this.objectAt(document.uri.toString(), position.line);
    if (!target) return local;
    const lines = hoverLines(this.host, target.key, Date.now(), target.kind);
    if (lines.length === 0) return local;
    const md = new vscode.MarkdownString();
    for (const line of lines) md.appendMarkdown(`$(cloud) `).appendText(line).appendMarkdown('  \n');
    md.supportThemeIcons = true;
    return local ? new vscode.Hover(beforeFieldDocs(local.contents, md), local.range) : new vscode.Hover(md);
  }

  /** An ImageRepository on its `spec.image` line(s) (or anywhere when it has none), else an ImagePolicy's document. */
  private objectAt(uri: string, line: number): { kind: FluxImageKind; key: string } | undefined {
    const repository = this.state.all().find((v) => {
      const source = v.object.source;
      if (source?.uri !== uri) return false;
      const r = source.imageRange ?? source.range;
      return r.start.line <= line && line <= r.end.line;
    });
    if (repository) return { kind: 'ImageRepository', key: repository.key };
    const policy = this.host.policyAt(uri, line);
    return policy ? { kind: 'ImagePolicy', key: objectKey(policy.metadata) } : undefined;
  }
}

/**
 * The server's hover ends with the field's documentation (`**spec.image** — …`, after a `---` rule): the cluster's
 * lines go before it, next to the local status they are compared with.
 */
function beforeFieldDocs(contents: vscode.Hover['contents'], lines: vscode.MarkdownString): vscode.Hover['contents'] {
  const last = contents[contents.length - 1];
  const at = last instanceof vscode.MarkdownString ? last.value.lastIndexOf('\n\n---\n\n**') : -1;
  if (at < 0) return [...contents, lines];
  const piece = (value: string) => {
    const md = new vscode.MarkdownString(value, (last as vscode.MarkdownString).supportThemeIcons);
    md.isTrusted = (last as vscode.MarkdownString).isTrusted;
    md.supportHtml = (last as vscode.MarkdownString).supportHtml;
    return md;
  };
  const text = (last as vscode.MarkdownString).value;
  return [...contents.slice(0, -1), piece(text.slice(0, at)), lines, piece(text.slice(at + '\n\n---\n\n'.length))];
}

/**
 * `cluster prod: Ready · 211 tags · scanned 3m ago · latest 6.2.0` (an ImagePolicy: `latest` its `latestRef`),
 * then the drift, for each context.
 */
export function hoverLines(host: ClusterHost, key: string, now = Date.now(), kind: FluxImageKind = 'ImageRepository'): string[] {
  const lines: string[] = [];
  for (const view of host.views()) {
    const entry = host.clusterObjectsFor(key, kind).find((e) => e.context === view.context);
    const drift = host.driftFor(key, kind).filter((d) => d.context === view.context).map((d) => driftWords(d.drift));
    if (view.state.phase !== 'connected') lines.push(`cluster ${view.context}: disconnected${view.state.error ? ` (${view.state.error})` : ''}`);
    else if (entry) lines.push(`cluster ${view.context}: ${clusterSummary(entry.object, now)}${drift.length ? ` · ${drift.join(', ')}` : ''}`);
    else if (drift.length) lines.push(`cluster ${view.context}: ${drift.join(', ')}`);
  }
  return lines;
}
