// Starts the built server (`node dist/server.js --stdio`) and drives it with a real JSON-RPC client, as
// yaml-language-server's tests do with an in-process server, but over the wire.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, InitializeParams, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { StoredTagsRequest } from '../../common/protocol';

export const SERVER = resolve(__dirname, '../../dist/server.js');

/**
 * How long a test lets one `tagline` CLI run before killing it (ms). It only bounds a hang: a run that builds
 * kustomize roots first starts the WebAssembly module, which alone took 36 s on a loaded 2-core machine (README,
 * Performance), and a CI run killed at 30 s while the CLI was printing its findings (`null !== 0`).
 */
export const CLI_TIMEOUT_MS = 300_000;

export interface ServerOptions {
  rootUri?: string | null;
  settings?: unknown;
  /** Answer `workspace/configuration` (as VS Code does) with these `tagline` settings. */
  configuration?: unknown;
  /** Answer `tagline/storedTags` (as the extension host does). */
  storedTags?: (canonicalImageName: string) => string[] | null;
  snippetSupport?: boolean;
}

/** Splits a fixture with one `|` caret into its text and the caret's position. */
export function caret(fixture: string): { text: string; position: { line: number; character: number } } {
  const offset = fixture.indexOf('|');
  if (offset === -1) throw new Error('fixture has no | caret');
  const before = fixture.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { text: before + fixture.slice(offset + 1), position: { line, character: offset - (before.lastIndexOf('\n') + 1) } };
}

export class TestServer {
  readonly connection: MessageConnection;
  private readonly process: ChildProcess;
  private readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  private readonly diagnosticWaiters: { uri: string; version?: number; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private readonly notificationWaiters = new Map<string, ((params: unknown) => void)[]>();
  readonly notifications: { method: string; params: unknown }[] = [];
  /** Every publishDiagnostics received, in order, with `performance.now()` at arrival. */
  readonly published: (PublishDiagnosticsParams & { at: number })[] = [];
  stderr = '';

  constructor(private readonly options: ServerOptions = {}) {
    if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` first (npm test does)`);
    this.process = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr!.on('data', (chunk: Buffer) => { this.stderr += chunk.toString(); });
    this.connection = createMessageConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.published.push({ ...params, at: performance.now() });
      this.diagnostics.set(params.uri, params);
      for (const waiter of [...this.diagnosticWaiters]) {
        if (waiter.uri === params.uri && (waiter.version === undefined || waiter.version === params.version)) {
          this.diagnosticWaiters.splice(this.diagnosticWaiters.indexOf(waiter), 1);
          waiter.resolve(params);
        }
      }
    });
    this.connection.onNotification((method: string, params: unknown) => {
      this.notifications.push({ method, params });
      const waiters = this.notificationWaiters.get(method) ?? [];
      this.notificationWaiters.delete(method);
      for (const w of waiters) w(params);
    });
    this.connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
      params.items.map(() => options.configuration ?? null));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('workspace/inlayHint/refresh', () => {
      this.notifications.push({ method: 'workspace/inlayHint/refresh', params: null });
      return null;
    });
    if (options.storedTags) {
      this.connection.onRequest(StoredTagsRequest, (p) => ({ tags: options.storedTags!(p.canonicalImageName) }));
    }
    this.connection.listen();
  }

  async initialize(): Promise<void> {
    const params: InitializeParams = {
      processId: process.pid,
      rootUri: this.options.rootUri ?? null,
      workspaceFolders: this.options.rootUri ? [{ uri: this.options.rootUri, name: 'root' }] : null,
      initializationOptions: this.options.settings ? { settings: this.options.settings } : undefined,
      capabilities: {
        workspace: {
          configuration: this.options.configuration !== undefined,
          didChangeWatchedFiles: { dynamicRegistration: true },
          inlayHint: { refreshSupport: true },
          workspaceFolders: true,
        },
        textDocument: {
          completion: { completionItem: { snippetSupport: this.options.snippetSupport ?? true } },
          publishDiagnostics: { versionSupport: true },
        },
      },
    };
    await this.connection.sendRequest('initialize', params);
    await this.connection.sendNotification('initialized', {});
  }

  /** Resolves with the next diagnostics for `uri` (at `version`, when given). */
  nextDiagnostics(uri: string, version?: number): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => this.diagnosticWaiters.push({ uri, version, resolve }));
  }

  /** The next diagnostics published for `uri` that satisfy `accept` (earlier ones are skipped). */
  async diagnosticsWhere(uri: string, accept: (d: Diagnostic[]) => boolean): Promise<Diagnostic[]> {
    for (;;) {
      const next = await this.nextDiagnostics(uri);
      if (accept(next.diagnostics)) return next.diagnostics;
    }
  }

  nextNotification<T>(method: string): Promise<T> {
    return new Promise((resolve) => {
      const list = this.notificationWaiters.get(method) ?? [];
      list.push(resolve as (p: unknown) => void);
      this.notificationWaiters.set(method, list);
    });
  }

  async open(uri: string, text: string, version = 1): Promise<Diagnostic[]> {
    const next = this.nextDiagnostics(uri, version);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version, text } });
    return (await next).diagnostics;
  }

  async replace(uri: string, text: string, version: number): Promise<Diagnostic[]> {
    const next = this.nextDiagnostics(uri, version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    return (await next).diagnostics;
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // The process may already be gone; the kill below makes sure.
    }
    this.connection.dispose();
    if (this.process.exitCode === null) {
      const exited = new Promise((r) => this.process.once('exit', r));
      this.process.kill();
      await exited;
    }
  }
}

/** The codes of `diagnostics`, in order. */
export function codes(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => String(d.code));
}

/** Diagnostics in a compact, exact form for assertions. */
export function brief(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) =>
    `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.severity} ${String(d.code)} ${d.message}`);
}
