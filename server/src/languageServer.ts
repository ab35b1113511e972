// The language server: its state has one owner, TaglineLanguageServer (open documents, the workspace index,
// the reconciler's statuses, settings, what was published and what waits to be), and its LSP handlers.
// Features are pure functions in features/; this file only decides when to run them and what to send.
import {
  DidChangeWatchedFilesNotification, FileChangeType, TextDocuments, TextDocumentSyncKind,
  type Connection, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import type { DetectedFlux } from '../../common/flux/fluxVersion';
import { describeFluxVersions, servedObjects } from '../../common/manifests';
import {
  PolicyStatusNotification, StatusNotification, StoredTagsRequest, WorkspaceIndexNotification,
  type WorkspaceIndexParams,
} from '../../common/protocol';
import { codeActions } from './features/codeActions';
import { markerCodeActions } from './features/markerActions';
import { workspaceMigration } from './features/migrateWorkspace';
import { completion } from './features/completion';
import { documentDiagnostics, type DiagnosticsSettings } from './features/diagnostics';
import { appliedHover } from './features/appliedHover';
import { hover } from './features/hover';
import { inlayHints } from './features/inlayHints';
import { markerInlayHints, repositoryPolicyLabels, type PolicyInlayContext } from './features/policyInlays';
import { documentSymbols } from './features/symbols';
import { DEFAULT_SETTINGS, readSettings, type ServerSettings } from './settings';
import { byPosition, type ObjectIndex, type TaglineDiagnostic } from './validation';
import { markerPolicyIndex } from './validation/appliedPolicies';
import type { MarkerPolicyIndex } from './validation/markers';
import { pitfallImages, policyPitfallDiagnostics } from './validation/policyPitfalls';
import type { ParsedManifest } from '../../common/manifests';
import { isYamlDocument, ManifestDocuments } from './workspace/documents';
import { WorkspaceIndex } from './workspace/index';
import { DiskDiagnostics } from './workspace/diskDiagnostics';
import { indexFile, indexFolders } from './workspace/scanner';
import { KustomizeRoots } from './workspace/kustomize';
import { AppliedFilesCache } from './workspace/applied';
import { automationBuilds } from './validation/builtAutomations';
import { automationTargets, markerWritersOf, type MarkerReachContext } from './validation/markerReach';
import { appliedObjectsOnly, uriPath } from '../../common/kustomize';
import { StatusStore } from './workspace/statuses';
import { StoredTagsCache } from './workspace/storedTags';

const INDEX_DEBOUNCE_MS = 150;
/** A client without a reconciler (Neovim, Helix) may never answer; a hover must not wait for it. */
const STORED_TAGS_TIMEOUT_MS = 1000;

/** Starts the Tagline language server on `connection` (stdio or IPC) and listens. */
export function startServer(connection: Connection): void {
  new TaglineLanguageServer(connection).listen();
}

export class TaglineLanguageServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly manifests = new ManifestDocuments();
  private readonly index = new WorkspaceIndex();
  private readonly statuses = new StatusStore();
  private readonly tags = new StoredTagsCache((name) => this.askStoredTags(name));
  /** The diagnostics last sent per document; quick fixes are read from them. */
  private readonly published = new Map<string, TaglineDiagnostic[]>();
  private settings: ServerSettings = DEFAULT_SETTINGS;
  private capabilities: InitializeParams['capabilities'] = {};
  private folders: string[] = [];

  /** Documents to validate at the next tick: a burst of edits is validated once. */
  private readonly pending = new Set<string>();
  private flushScheduled = false;
  /** Documents being published by the current flush: an index change they cause does not queue them again. */
  private flushing = new Set<string>();
  /** Nothing is published before the pulled settings are known, or a disabled check would flash up once. */
  private settingsLoaded: Promise<void> = Promise.resolve();
  private settingsPulled: () => void = () => undefined;

  private indexTimer: NodeJS.Timeout | undefined;
  /** The JSON of the last index sent to the extension host: an unchanged index is not sent again. */
  private lastIndex = '';
  /** The Flux found at the last index change: when it changes, every open document is judged again. */
  private lastFlux: readonly DetectedFlux[] | undefined;
  private lastSettingError: string | undefined;
  /** Kustomize roots, built after the open file's own diagnostics; then every open file is published again. */
  private readonly kustomize = new KustomizeRoots(() => this.index.manifests(), (result) => {
    // Kustomizations the builds produced change which files Flux applies (common/kustomize/builtRoots.ts), and
    // automations are read as built (post-build variables in update.path, namespaces, prefixes).
    this.applied.useBuild(this.kustomize.workspace);
    this.applied.setBuilds(automationBuilds(result));
    this.refreshApplied();
    this.revalidateAll();
    if (this.diskIndexed) this.disk.scheduleAll();
    clearTimeout(this.indexTimer);
    this.indexTimer = setTimeout(() => this.sendIndex(), INDEX_DEBOUNCE_MS);
  }, (message) => this.connection.console.error(message), () => this.flux(), () => this.settings.kustomize.buildTimeout * 1000);

  /** Diagnostics of files that are not open (the whole workspace in Problems). */
  private readonly disk = new DiskDiagnostics({
    closedManifest: (uri) => this.index.closedManifest(uri),
    diskUris: () => this.index.diskUris(),
    diagnose: (manifest) => documentDiagnostics(manifest, this.index.references(), this.statuses,
      this.diagnosticsSettings(manifest.uri), this.builtFor(manifest.uri)),
    send: (uri, diagnostics) => void this.connection.sendDiagnostics({ uri, diagnostics }),
    enabled: () => this.settings.diagnostics.scope === 'workspace',
  });
  /** Which files the workspace's Flux Kustomizations reach; known once the first indexing is done. */
  private readonly applied = new AppliedFilesCache();
  private lastMarkerReach: { references: object; version: number; ctx: MarkerReachContext } | undefined;
  /** Files on disk are published once the first indexing is done, not file by file while it runs. */
  private diskIndexed = false;

  constructor(private readonly connection: Connection) {}

  listen(): void {
    this.registerLifecycle();
    this.registerDocuments();
    this.registerStatuses();
    this.registerFeatures();
    this.lastFlux = this.flux();
    this.index.onDidChange(({ references, policyReferences, uri }) => {
      // A gotk-components.yaml or FluxInstance edited changes what every document's apiVersion means.
      const flux = this.flux();
      const appliedChanged = this.refreshApplied();
      const fluxChanged = flux !== this.lastFlux || appliedChanged;
      this.lastFlux = flux;
      if (references || fluxChanged) for (const d of this.documents.all()) this.pending.has(d.uri) || this.schedule(d.uri);
      else if (policyReferences) {
        for (const d of this.documents.all()) {
          if (this.pending.has(d.uri) || this.flushing.has(d.uri) || !isYamlDocument(d)) continue;
          if (d.getText().includes('"$imagepolicy"') || this.manifests.manifest(d).documents.some((doc) => doc.chunk.isImagePolicy)) this.schedule(d.uri);
        }
      }
      if (this.diskIndexed) {
        if (references || policyReferences || fluxChanged) this.disk.scheduleAll();
        else this.disk.schedule(uri);
      }
      this.kustomize.schedule(uri);
      clearTimeout(this.indexTimer);
      this.indexTimer = setTimeout(() => this.sendIndex(), INDEX_DEBOUNCE_MS);
    });
    this.documents.listen(this.connection);
    this.connection.listen();
  }

  // --- validation, coalesced per tick so a burst of edits is validated once --------------------------------
  private schedule(uri: string): void {
    this.pending.add(uri);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      void this.settingsLoaded.then(() => setImmediate(() => this.flush()));
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const uris = [...this.pending];
    this.pending.clear();
    this.flushing = new Set(uris);
    // Update the index for every changed document first, so references see all of them.
    for (const uri of uris) {
      const document = this.documents.get(uri);
      if (!document || !isYamlDocument(document)) continue;
      try {
        this.index.setOpen(uri, this.manifests.manifest(document));
      } catch (err) {
        this.connection.console.error(`tagline: reading ${uri} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      }
    }
    this.flushing = new Set();
    for (const uri of uris) this.publish(uri);
  }

  private publish(uri: string): void {
    const document = this.documents.get(uri);
    if (!document || !isYamlDocument(document)) return;
    try {
      const manifest = this.manifests.manifest(document);
      const diagnostics = documentDiagnostics(manifest, this.index.references(), this.statuses, this.diagnosticsSettings(uri), this.builtFor(uri));
      this.published.set(uri, diagnostics);
      void this.connection.sendDiagnostics({ uri, version: document.version, diagnostics });
      if (manifest.objects.imagePolicies?.length && this.settings.validation.enable && this.applied.applies(uri)) {
        void this.publishPolicyPitfalls(uri, document.version, manifest, diagnostics);
      }
    } catch (err) {
      this.connection.console.error(`tagline: validating ${uri} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
  }

  /**
   * The stored tags come from the extension host (tagline/storedTags), so policy pitfalls follow the first
   * publish: the file is sent again, with them, unless it changed meanwhile.
   */
  private async publishPolicyPitfalls(uri: string, version: number, manifest: ParsedManifest, diagnostics: TaglineDiagnostic[]): Promise<void> {
    const references = this.index.references();
    const names = pitfallImages(manifest, references);
    if (names.length === 0) return;
    const tags = new Map(await Promise.all(names.map(async (name) => [name, await this.storedTags(name)] as const)));
    if (this.documents.get(uri)?.version !== version || this.published.get(uri) !== diagnostics) return;
    const pitfalls = policyPitfallDiagnostics(manifest, references, (name) => tags.get(name));
    if (pitfalls.length === 0) return;
    const all = [...diagnostics, ...pitfalls].sort(byPosition);
    this.published.set(uri, all);
    void this.connection.sendDiagnostics({ uri, version, diagnostics: all });
  }

  /** Recomputes which files Flux applies (after the first indexing); true when that changed. */
  private refreshApplied(): boolean {
    if (!this.diskIndexed) return false;
    return this.applied.update(this.index.manifests(), this.folders.map(uriPath).filter((p): p is string => p !== undefined));
  }

  /**
   * What decides whether an automation writes a marker: the automations and policies Flux applies. The same
   * object while none of them changes, so per-document results (markerReachDiagnostics) survive other edits.
   */
  private markerReach(): MarkerReachContext {
    const policies = this.markerPolicies();
    const { automations, version } = this.applied;
    const last = this.lastMarkerReach;
    if (last && last.references === policies && last.version === version) return last.ctx;
    const ctx: MarkerReachContext = {
      automations,
      imagePolicies: (namespace, name) => policies.imagePolicies(namespace, name),
      appliedAs: policies.appliedAs && ((namespace, name) => policies.appliedAs!(namespace, name)),
      applies: (uri) => this.applied.applies(uri),
    };
    this.lastMarkerReach = { references: policies, version, ctx };
    return ctx;
  }

  /** The objects markers are resolved against: as Flux applies them once the kustomize roots are built. */
  private markerPolicies(): ObjectIndex & MarkerPolicyIndex {
    return markerPolicyIndex(this.index.references(), this.kustomize.result, () => this.kustomize.objects(this.index.objects()));
  }

  private diagnosticsSettings(uri: string): DiagnosticsSettings {
    return {
      validationEnabled: this.settings.validation.enable, flux: this.flux(), notApplied: !this.applied.applies(uri),
      markerReach: this.markerReach(), markerPolicies: this.markerPolicies(),
    };
  }

  /** The Flux the workspace runs: tagline.fluxVersion, or what its manifests say (the same array until it changes). */
  private flux(): readonly DetectedFlux[] {
    return this.index.flux(this.settings.fluxVersion).found;
  }

  /** What the kustomize roots say of `uri`: whether a root reads it (so it is not checked alone) and its findings. */
  private builtFor(uri: string) {
    const coverage = this.kustomize.coverage(uri);
    const result = this.kustomize.result;
    return { covered: coverage === 'built', pending: coverage === 'pending', diagnostics: result?.diagnostics.get(uri) ?? [], built: result !== undefined };
  }

  private revalidateAll(): void {
    this.documents.all().forEach((d) => this.schedule(d.uri));
    if (this.diskIndexed) this.disk.scheduleAll();
  }

  // --- the workspace index for the extension host's reconciler ----------------------------------------------
  private sendIndex(): void {
    const { found, settingError } = this.index.flux(this.settings.fluxVersion);
    if (settingError && settingError !== this.lastSettingError) this.connection.console.warn(`tagline: ${settingError}`);
    this.lastSettingError = settingError;
    const params: WorkspaceIndexParams = {
      ...servedObjects(appliedObjectsOnly(this.kustomize.objects(this.index.objects()), (uri) => this.applied.applies(uri)), found),
      flux: { found: [...found], description: describeFluxVersions(found), ...(settingError ? { settingError } : {}) },
    };
    if (this.applied.automations.length > 0) params.automations = automationTargets(this.index.manifests(), this.markerReach());
    const json = JSON.stringify(params);
    if (json === this.lastIndex) return;
    this.lastIndex = json;
    void this.connection.sendNotification(WorkspaceIndexNotification, params);
  }

  // --- lifecycle --------------------------------------------------------------------------------------------
  private registerLifecycle(): void {
    const { connection } = this;
    connection.onInitialize((params): InitializeResult => {
      this.capabilities = params.capabilities;
      this.folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
      this.kustomize.expectFolders(this.folders);
      const initial = (params.initializationOptions as { settings?: unknown } | undefined)?.settings;
      if (initial) this.settings = readSettings(initial);
      if (this.capabilities.workspace?.configuration) this.settingsLoaded = new Promise((resolve) => { this.settingsPulled = resolve; });
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
      await this.pullSettings();
      this.settingsPulled();
      if (this.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
        await connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: '**/*.{yaml,yml}' }],
        }).catch(() => undefined);
      }
      if (this.capabilities.workspace?.workspaceFolders) {
        connection.workspace.onDidChangeWorkspaceFolders(async (event) => {
          for (const added of event.added) await indexFolders(this.index, [added.uri]);
          for (const removed of event.removed) {
            for (const manifest of this.index.manifests()) if (manifest.uri.startsWith(removed.uri + '/')) this.index.setDisk(manifest.uri, undefined);
          }
          this.folders = [...this.folders.filter((f) => !event.removed.some((r) => r.uri === f)), ...event.added.map((a) => a.uri)];
          this.kustomize.setFolders(this.folders);
        });
      }
      await indexFolders(this.index, this.folders);
      this.diskIndexed = true;
      if (this.refreshApplied()) this.revalidateAll();
      this.disk.scheduleAll();
      clearTimeout(this.indexTimer);
      this.indexTimer = setTimeout(() => this.sendIndex(), INDEX_DEBOUNCE_MS);
      this.kustomize.setFolders(this.folders);
    });
    connection.onShutdown(() => this.kustomize.dispose());

    connection.onDidChangeConfiguration(async (change) => {
      if (this.capabilities.workspace?.configuration) await this.pullSettings();
      else this.settings = readSettings((change.settings as { tagline?: unknown } | undefined)?.tagline);
      this.revalidateAll();
      // tagline.fluxVersion judges the built objects too, and decides which objects the reconciler gets.
      this.kustomize.schedule();
      clearTimeout(this.indexTimer);
      this.indexTimer = setTimeout(() => this.sendIndex(), INDEX_DEBOUNCE_MS);
    });

    connection.onDidChangeWatchedFiles(async (params) => {
      for (const change of params.changes) {
        if (change.type === FileChangeType.Deleted) this.index.setDisk(change.uri, undefined);
        else await indexFile(this.index, change.uri);
      }
    });
  }

  private async pullSettings(): Promise<void> {
    if (!this.capabilities.workspace?.configuration) return;
    try {
      this.settings = readSettings(await this.connection.workspace.getConfiguration('tagline'));
    } catch {
      this.settings = DEFAULT_SETTINGS;
    }
  }

  private registerDocuments(): void {
    this.documents.onDidChangeContent((event) => this.schedule(event.document.uri));
    this.documents.onDidClose((event) => {
      const { uri } = event.document;
      this.pending.delete(uri);
      this.manifests.forget(uri);
      this.published.delete(uri);
      this.index.setOpen(uri, undefined);
      // The file stays in Problems (as the disk has it) when it holds a Flux image document.
      if (!this.disk.publish(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    });
    this.documents.onDidOpen((event) => this.disk.opened(event.document.uri));
  }

  // --- statuses from the extension host's reconciler --------------------------------------------------------
  private registerStatuses(): void {
    this.connection.onNotification(StatusNotification, (params) => {
      this.tags.invalidate();
      for (const uri of this.statuses.apply(params)) {
        if (this.documents.get(uri)) this.schedule(uri);
        else if (this.diskIndexed) this.disk.schedule(uri);
      }
      if (this.capabilities.workspace?.inlayHint?.refreshSupport) void this.connection.languages.inlayHint.refresh().catch(() => undefined);
    });
    this.connection.onNotification(PolicyStatusNotification, (params) => {
      for (const uri of this.statuses.applyPolicies(params)) {
        if (this.documents.get(uri)) this.schedule(uri);
        else if (this.diskIndexed) this.disk.schedule(uri);
      }
      if (this.capabilities.workspace?.inlayHint?.refreshSupport) void this.connection.languages.inlayHint.refresh().catch(() => undefined);
    });
  }

  private storedTags(canonicalImageName: string): Promise<string[] | null> {
    return this.tags.get(canonicalImageName);
  }

  /** Asks the extension host; `undefined` when it does not answer in time. */
  private async askStoredTags(canonicalImageName: string): Promise<string[] | null | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), STORED_TAGS_TIMEOUT_MS); });
    try {
      const answer = this.connection.sendRequest(StoredTagsRequest, { canonicalImageName })
        .then((r) => (Array.isArray(r?.tags) ? r.tags : null), () => null);
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  // --- features ---------------------------------------------------------------------------------------------
  private manifestOf(uri: string) {
    const document = this.documents.get(uri);
    return document && isYamlDocument(document) ? this.manifests.manifest(document) : undefined;
  }

  private registerFeatures(): void {
    const { connection } = this;
    connection.onCompletion((params) => {
      const manifest = this.manifestOf(params.textDocument.uri);
      if (!manifest) return [];
      const snippets = this.capabilities.textDocument?.completion?.completionItem?.snippetSupport === true;
      const applied = { objects: this.kustomize.objects(this.index.objects()), namespaces: (uri: string, index: number) => this.kustomize.appliedNamespaces(uri, index) };
      return completion(manifest, params.position, this.index, snippets, this.flux(), applied);
    });

    connection.onHover(async (params) => {
      const manifest = this.manifestOf(params.textDocument.uri);
      if (!manifest) return null;
      // Markers name ImagePolicies as Flux applies them, which reference ImageRepositories as applied; an
      // ImagePolicy document's own hover looks its repository up as written.
      const applied = this.markerPolicies();
      const own = await hover(manifest, params.position, {
        statuses: this.statuses, storedTags: (name) => this.storedTags(name), now: Date.now,
        imageRepositories: (namespace, name) => {
          const found = applied.imageRepositories(namespace, name);
          return found.length > 0 ? found : this.index.references().imageRepositories(namespace, name);
        },
        imagePolicies: (namespace, name) => applied.imagePolicies(namespace, name),
        namespaces: (name) => this.index.references().namespaces(name),
        fileText: this.documents.get(params.textDocument.uri)?.getText(),
        markerWriters: (uri, marker) => markerWritersOf(uri, marker, this.markerReach()),
        appliedPolicies: (namespace, name) => applied.appliedAs?.(namespace, name) ?? [],
      });
      const folders = this.folders.filter((f) => f.startsWith('file:')).map((f) => fileURLToPath(f));
      const asApplied = appliedHover(manifest, params.position, this.kustomize.result, this.kustomize.manifestsByPath, folders);
      if (!asApplied) return own;
      return { ...own, contents: { kind: 'markdown' as const, value: own ? `${own.contents.value}\n\n---\n\n${asApplied}` : asApplied } };
    });

    connection.onCodeAction(async (params) => {
      const actions = codeActions(params.textDocument.uri, params.range, this.published.get(params.textDocument.uri) ?? [],
        () => workspaceMigration(this.index.manifests(), this.index.references(), this.flux()));
      const document = this.documents.get(params.textDocument.uri);
      if (!document || !isYamlDocument(document)) return actions;
      const applied = this.markerPolicies();
      const markers = await markerCodeActions(params.textDocument.uri, document.getText(), params.range, document, {
        storedTags: (name) => this.storedTags(name),
        imageRepositories: (namespace, name) => applied.imageRepositories(namespace, name),
        imagePolicies: (namespace, name) => applied.imagePolicies(namespace, name),
        namespaces: (name) => this.index.references().namespaces(name),
        policyStatus: (policy) => this.statuses.policyStatus(policy, applied.appliedAs?.(policy.metadata.namespace ?? 'default', policy.metadata.name)),
      });
      return [...actions, ...markers];
    });

    connection.onDocumentSymbol((params) => {
      const manifest = this.manifestOf(params.textDocument.uri);
      return manifest ? documentSymbols(manifest) : [];
    });

    connection.languages.inlayHint.on(async (params) => {
      const manifest = this.manifestOf(params.textDocument.uri);
      if (!manifest) return [];
      const policies = this.index.objects().imagePolicies ?? [];
      const hasMarkers = manifest.documents.some((d) => d.chunk.text.includes('"$imagepolicy"'));
      if (policies.length === 0 || (manifest.objects.imageRepositories.length === 0 && !hasMarkers)) {
        return inlayHints(manifest, params.range, this.statuses, Date.now());
      }
      const applied = this.markerPolicies();
      const ctx: PolicyInlayContext = {
        storedTags: (name) => this.storedTags(name),
        imageRepositories: (namespace, name) => applied.imageRepositories(namespace, name),
        imagePolicies: (namespace, name) => applied.imagePolicies(namespace, name),
        allImagePolicies: () => policies,
        namespaces: (name) => this.index.references().namespaces(name),
        policyStatus: (policy) => this.statuses.policyStatus(policy, applied.appliedAs?.(policy.metadata.namespace ?? 'default', policy.metadata.name)),
      };
      const labels = await repositoryPolicyLabels(manifest, ctx);
      const markers = hasMarkers ? await markerInlayHints(manifest, params.range, ctx) : [];
      return [...inlayHints(manifest, params.range, this.statuses, Date.now(), labels), ...markers];
    });
  }
}
