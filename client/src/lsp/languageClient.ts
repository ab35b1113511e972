// Starts the Tagline language server (dist/server.js) over IPC and exposes the custom messages of
// common/protocol.ts: the server's workspace index comes out as an event (onWorkspaceIndex), statuses go in
// through sendStatus, and `tagline/storedTags` is answered by the function given at construction. Settings under
// `tagline` are synchronized; the server keeps its own workspace index and registers its own YAML file watcher
// (dynamic registration), so the client forwards no file events itself.
import { appendFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  Commands,
  PolicyStatusNotification,
  StatusNotification,
  StoredTagsRequest,
  WorkspaceIndexNotification,
  type PolicyStatusParams,
  type StatusParams,
  type WorkspaceIndexParams,
} from '../../../common/protocol';

import type { TaglineLog } from '../host/log';
import { errorMessage } from '../../../common/errors';

/** Every stored tag of an image before exclusion, or null when it was never scanned (or nothing scans). */
export type StoredTags = (canonicalImageName: string) => Promise<string[] | null>;

export class TaglineLanguageClient implements vscode.Disposable {
  private readonly client: LanguageClient;
  private readonly workspaceIndex = new vscode.EventEmitter<WorkspaceIndexParams>();
  /** The server's index of the workspace's Flux objects (`tagline/workspaceIndex`), after every change. */
  readonly onWorkspaceIndex = this.workspaceIndex.event;

  constructor(context: vscode.ExtensionContext, private readonly log: TaglineLog, storedTags: StoredTags) {
    const module = context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'yaml' },
        { scheme: 'untitled', language: 'yaml' },
      ],
      synchronize: { configurationSection: 'tagline' },
      // Hovers carry "Rescan" and "copy" command links; only Tagline's own commands may run from them.
      markdown: { isTrusted: { enabledCommands: [Commands.rescan, Commands.copyTag] }, supportHtml: false },
      // VS Code orders hovers of several providers by arrival: lines added here stay under the server's.
      middleware: {
        provideHover: async (document, position, token, next) => {
          const local = await next(document, position, token);
          return this.hoverBelow ? this.hoverBelow(local ?? undefined, document, position) : local;
        },
      },
    };
    const traceFile = process.env.TAGLINE_LSP_TRACE_FILE;
    if (traceFile) clientOptions.traceOutputChannel = fileChannel(traceFile);
    this.client = new LanguageClient('tagline', 'Tagline Language Server', serverOptions, clientOptions);
    this.client.onNotification(WorkspaceIndexNotification, (params) => this.workspaceIndex.fire(params));
    this.client.onRequest(StoredTagsRequest, async (params) => ({
      tags: await storedTags(params.canonicalImageName),
    }));
  }

  /** Adds lines under the server's hover (cluster mode), or makes a hover of them when the server has none. */
  hoverBelow?: (local: vscode.Hover | undefined, document: vscode.TextDocument, position: vscode.Position) => vscode.Hover | undefined;

  start(): Promise<void> {
    return this.client.start();
  }

  get running(): boolean {
    return this.client.isRunning();
  }

  /** Sends statuses to the server; one that cannot be sent (server not running) is dropped and logged. */
  async sendStatus(params: StatusParams): Promise<void> {
    if (!this.client.isRunning()) return;
    if (params.statuses.length === 0 && params.removed.length === 0) return;
    await this.client.sendNotification(StatusNotification, params).catch((err: unknown) =>
      this.log.debug(`status not sent: ${errorMessage(err)}`));
  }

  /** Sends ImagePolicy statuses to the server, like sendStatus. */
  async sendPolicyStatus(params: PolicyStatusParams): Promise<void> {
    if (!this.client.isRunning()) return;
    if (params.statuses.length === 0 && params.removed.length === 0) return;
    await this.client.sendNotification(PolicyStatusNotification, params).catch((err: unknown) =>
      this.log.debug(`policy status not sent: ${errorMessage(err)}`));
  }

  async dispose(): Promise<void> {
    this.workspaceIndex.dispose();
    // A window closed while the server is still starting: languageclient refuses to stop a starting client,
    // and the server process ends with the extension host anyway.
    await this.client.dispose().catch(() => undefined);
  }
}

/**
 * An output channel that appends to a file: with TAGLINE_LSP_TRACE_FILE set (and `tagline.trace.server`), the
 * LSP trace survives the window, for post-mortems of the e2e suite.
 */
function fileChannel(file: string): vscode.LogOutputChannel {
  const write = (text: string) => appendFileSync(file, text);
  const line = (level: string) => (message: string | Error) => write(`${new Date().toISOString()} [${level}] ${String(message)}\n`);
  return {
    name: 'Tagline Language Server Trace',
    logLevel: vscode.LogLevel.Trace,
    onDidChangeLogLevel: new vscode.EventEmitter<vscode.LogLevel>().event,
    trace: line('trace'),
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    append: write,
    appendLine: line('info'),
    replace: write,
    clear: () => undefined,
    show: () => undefined,
    hide: () => undefined,
    dispose: () => undefined,
  };
}
