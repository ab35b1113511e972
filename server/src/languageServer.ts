// The language server's state and its LSP handlers. Features are pure functions in features/; this file only
// decides when to run them and what to send.
import {
  DidChangeWatchedFilesNotification, FileChangeType, TextDocuments, TextDocumentSyncKind,
  type Connection, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { describeFluxVersions, servedObjects } from '../../common/manifests';
import {
  StatusNotification, StoredTagsRequest, WorkspaceIndexNotification,
  type StatusParams, type StoredTagsResult, type WorkspaceIndexParams,
} from '../../common/protocol';
import { codeActions } from './features/codeActions';
import { workspaceMigration } from './features/migrateWorkspace';
import { completion } from './features/completion';
import { documentDiagnostics } from './features/diagnostics';
import { hover } from './features/hover';
import { inlayHints } from './features/inlayHints';
import { documentSymbols } from './features/symbols';
import { DEFAULT_SETTINGS, readSettings, type ServerSettings } from './settings';
import type { TaglineDiagnostic } from './validation';
import { isYamlDocument, ManifestDocuments } from './workspace/documents';
import { WorkspaceIndex } from './workspace/index';
import { indexFile, indexFolders } from './workspace/scanner';
import { StatusStore } from './workspace/statuses';

const INDEX_DEBOUNCE_MS = 150;
/** A client without a reconciler (Neovim, Helix) may never answer; a hover must not wait for it. */
const STORED_TAGS_TIMEOUT_MS = 1000;

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const manifests = new ManifestDocuments();
  const index = new WorkspaceIndex();
  const statuses = new StatusStore();
  const published = new Map<string, TaglineDiagnostic[]>();
  let settings: ServerSettings = DEFAULT_SETTINGS;
  let lastSettingError: string | undefined;
  let capabilities: InitializeParams['capabilities'] = {};
  let folders: string[] = [];

  // --- validation, coalesced per tick so a burst of edits is validated once --------------------------------
  const pending = new Set<string>();
  let flushScheduled = false;
  // Nothing is published before the pulled settings are known, or a disabled check would flash up once.
  let settingsLoaded: Promise<void> = Promise.resolve();
  let settingsPulled: () => void = () => undefined;
  const schedule = (uri: string) => {
    pending.add(uri);
    if (!flushScheduled) {
      flushScheduled = true;
      void settingsLoaded.then(() => setImmediate(flush));
    }
  };
  function flush(): void {
    flushScheduled = false;
    const uris = [...pending];
    pending.clear();
    // Update the index for every changed document first, so references see all of them.
    for (const uri of uris) {
      const document = documents.get(uri);
      if (!document || !isYamlDocument(document)) continue;
      try {
        index.setOpen(uri, manifests.manifest(document));
      } catch (err) {
        connection.console.error(`tagline: reading ${uri} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      }
    }
    for (const uri of uris) publish(uri);
  }
  function publish(uri: string): void {
    const document = documents.get(uri);
    if (!document || !isYamlDocument(document)) return;
    try {
      const manifest = manifests.manifest(document);
      const flux = index.flux(settings.fluxVersion).found;
      const diagnostics = documentDiagnostics(manifest, index.references(), statuses, { validationEnabled: settings.validation.enable, flux });
      published.set(uri, diagnostics);
      void connection.sendDiagnostics({ uri, version: document.version, diagnostics });
    } catch (err) {
      connection.console.error(`tagline: validating ${uri} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
  }
  const revalidateAll = () => documents.all().forEach((d) => schedule(d.uri));

  // --- the workspace index for the extension host's reconciler ----------------------------------------------
  let indexTimer: NodeJS.Timeout | undefined;
  let lastIndex = '';
  let lastFlux = index.flux(settings.fluxVersion).found;
  index.onDidChange(({ references }) => {
    // A gotk-components.yaml or FluxInstance edited changes what every document's apiVersion means.
    const flux = index.flux(settings.fluxVersion).found;
    if (references || flux !== lastFlux) for (const d of documents.all()) pending.has(d.uri) || schedule(d.uri);
    lastFlux = flux;
    clearTimeout(indexTimer);
    indexTimer = setTimeout(sendIndex, INDEX_DEBOUNCE_MS);
  });
  function sendIndex(): void {
    const { found, settingError } = index.flux(settings.fluxVersion);
    if (settingError && settingError !== lastSettingError) connection.console.warn(`tagline: ${settingError}`);
    lastSettingError = settingError;
    const params: WorkspaceIndexParams = {
      ...servedObjects(index.objects(), found),
      flux: { found: [...found], description: describeFluxVersions(found), ...(settingError ? { settingError } : {}) },
    };
    const json = JSON.stringify(params);
    if (json === lastIndex) return;
    lastIndex = json;
    void connection.sendNotification(WorkspaceIndexNotification, params);
  }

  // --- lifecycle --------------------------------------------------------------------------------------------
  connection.onInitialize((params): InitializeResult => {
    capabilities = params.capabilities;
    folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    const initial = (params.initializationOptions as { settings?: unknown } | undefined)?.settings;
    if (initial) settings = readSettings(initial);
    if (capabilities.workspace?.configuration) settingsLoaded = new Promise((resolve) => { settingsPulled = resolve; });
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: [':', ' '] },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        documentSymbolProvider: true,
        inlayHintProvider: true,
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'tagline-language-server', version: '0.1.0' },
    };
  });

  connection.onInitialized(async () => {
    await pullSettings();
    settingsPulled();
    if (capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
      await connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/*.{yaml,yml}' }],
      }).catch(() => undefined);
    }
    if (capabilities.workspace?.workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders(async (event) => {
        for (const added of event.added) await indexFolders(index, [added.uri]);
        for (const removed of event.removed) {
          for (const manifest of index.manifests()) if (manifest.uri.startsWith(removed.uri + '/')) index.setDisk(manifest.uri, undefined);
        }
      });
    }
    await indexFolders(index, folders);
  });

  async function pullSettings(): Promise<void> {
    if (!capabilities.workspace?.configuration) return;
    try {
      settings = readSettings(await connection.workspace.getConfiguration('tagline'));
    } catch {
      settings = DEFAULT_SETTINGS;
    }
  }

  connection.onDidChangeConfiguration(async (change) => {
    if (capabilities.workspace?.configuration) await pullSettings();
    else settings = readSettings((change.settings as { tagline?: unknown } | undefined)?.tagline);
    revalidateAll();
    // tagline.fluxVersion decides which objects the reconciler gets.
    clearTimeout(indexTimer);
    indexTimer = setTimeout(sendIndex, INDEX_DEBOUNCE_MS);
  });

  connection.onDidChangeWatchedFiles(async (params) => {
    for (const change of params.changes) {
      if (change.type === FileChangeType.Deleted) index.setDisk(change.uri, undefined);
      else await indexFile(index, change.uri);
    }
  });

  documents.onDidChangeContent((event) => schedule(event.document.uri));
  documents.onDidClose((event) => {
    const { uri } = event.document;
    pending.delete(uri);
    manifests.forget(uri);
    published.delete(uri);
    index.setOpen(uri, undefined);
    void connection.sendDiagnostics({ uri, diagnostics: [] });
  });

  // --- statuses from the extension host's reconciler --------------------------------------------------------
  connection.onNotification(StatusNotification, (params: StatusParams) => {
    for (const uri of statuses.apply(params)) if (documents.get(uri)) schedule(uri);
    if (capabilities.workspace?.inlayHint?.refreshSupport) void connection.languages.inlayHint.refresh().catch(() => undefined);
  });

  async function storedTags(canonicalImageName: string): Promise<string[] | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), STORED_TAGS_TIMEOUT_MS); });
    try {
      const answer = connection.sendRequest<StoredTagsResult>(StoredTagsRequest, { canonicalImageName })
        .then((r) => (Array.isArray(r?.tags) ? r.tags : null), () => null);
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  // --- features ---------------------------------------------------------------------------------------------
  const manifestOf = (uri: string) => {
    const document = documents.get(uri);
    return document && isYamlDocument(document) ? manifests.manifest(document) : undefined;
  };

  connection.onCompletion((params) => {
    const manifest = manifestOf(params.textDocument.uri);
    if (!manifest) return [];
    const snippets = capabilities.textDocument?.completion?.completionItem?.snippetSupport === true;
    return completion(manifest, params.position, index, snippets);
  });

  connection.onHover(async (params) => {
    const manifest = manifestOf(params.textDocument.uri);
    if (!manifest) return null;
    return hover(manifest, params.position, { statuses, storedTags, now: Date.now });
  });

  connection.onCodeAction((params) => codeActions(params.textDocument.uri, params.range, published.get(params.textDocument.uri) ?? [],
    () => workspaceMigration(index.manifests(), index.references(), index.flux(settings.fluxVersion).found)));

  connection.onDocumentSymbol((params) => {
    const manifest = manifestOf(params.textDocument.uri);
    return manifest ? documentSymbols(manifest) : [];
  });

  connection.languages.inlayHint.on((params) => {
    const manifest = manifestOf(params.textDocument.uri);
    return manifest ? inlayHints(manifest, params.range, statuses, Date.now()) : [];
  });

  documents.listen(connection);
  connection.listen();
}
