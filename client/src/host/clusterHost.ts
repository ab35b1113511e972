// Cluster mode in the editor: one watched ClusterSource per kubeconfig context the person chose
// (`tagline.cluster.contexts`, none by default, so no cluster is contacted unasked), only in trusted workspaces
// (an exec credential plugin is a program). Matches the cluster's objects to the workspace index, computes the
// drift, and publishes drift and failing cluster conditions as diagnostics of their own collection.
import * as vscode from 'vscode';
import { describeDrift, findDrift, type Drift } from '../../../common/flux/drift';
import { AuthenticationFailedReason, ReadOperationFailedReason, StatusFailureReason } from '../../../common/flux/reasons';
import { errorMessage } from '../../../common/errors';
import { objectKey, type ImagePolicyObject, type ImagePolicyStatus, type ImageRepositoryObject, type ImageRepositoryStatus, type WorkspaceObjects } from '../../../common/model';
import type { FluxImageKind } from '../../../common/flux/drift';
import {
  ClusterSource, clusterSubjects, loadKubeConfig, workspacePolicySubjects, workspaceSubjects, type ClusterObject, type ClusterState,
} from '../kubernetes';
import type { TaglineLog } from './log';
import { readClusterSettings } from './settings';

export const CLUSTER_DIAGNOSTIC_SOURCE = 'tagline (cluster)';
const FAILURE_REASONS = new Set([AuthenticationFailedReason, ReadOperationFailedReason, StatusFailureReason]);
/** Watch events arrive in bursts (a relist, a controller pass over many objects): views refresh once per burst. */
const REFRESH_DELAY_MS = 100;

export interface ClusterView {
  context: string;
  state: ClusterState | { phase: 'failed'; error: string; forbidden: string[]; dropped: number };
  objects: ClusterObject[];
  drift: Drift[];
}

/** What the local reconciler currently says, for outcome drift. */
export interface LocalStatuses {
  repositories(): ReadonlyMap<string, ImageRepositoryStatus>;
  policies(): ReadonlyMap<string, ImagePolicyStatus>;
}

export class ClusterHost implements vscode.Disposable {
  private readonly sources = new Map<string, ClusterSource>();
  private readonly failed = new Map<string, string>();
  private readonly driftByContext = new Map<string, Drift[]>();
  private index?: WorkspaceObjects;
  private refreshTimer?: NodeJS.Timeout;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('tagline-cluster');
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  /**
   * `local` gives the local reconciler's statuses (keyed `namespace/name`) so that "both reconciled, different
   * outcome" is drift; it is not consulted with `tagline.reconciler.source: cluster`, where nothing runs locally.
   */
  constructor(private readonly log: TaglineLog, private readonly local?: LocalStatuses) {}

  /** The local reconciler's statuses changed: recompute the outcome drift (once per burst). */
  onLocalStatuses(): void {
    if (this.sources.size > 0) this.scheduleRefresh();
  }

  /** (Re)connects to the configured contexts; none when the workspace is not trusted. */
  restart(): void {
    this.stop();
    const { contexts } = readClusterSettings();
    if (!vscode.workspace.isTrusted || contexts.length === 0) return this.refresh();
    for (const context of contexts) {
      try {
        // Read when the fallback happens: the index may arrive while the first list is still running.
        const source = new ClusterSource(loadKubeConfig({ context }), { fallbackNamespaces: () => this.workspaceNamespaces() });
        this.sources.set(context, source);
        source.onDidChange((change) => {
          if (change.type === 'state') this.logState(context, source.state);
          this.scheduleRefresh();
        });
        void source.start();
      } catch (err) {
        this.failed.set(context, errorMessage(err));
        this.log.error(`cluster ${context}: ${errorMessage(err)}`);
      }
    }
    this.refresh();
  }

  onWorkspaceIndex(index: WorkspaceObjects): void {
    const before = this.workspaceNamespaces().join(',');
    this.index = index;
    // A source reading namespace by namespace (RBAC) must follow the workspace's namespaces.
    const fallback = [...this.sources.values()].some((s) => s.state.namespaces);
    if (fallback && before !== this.workspaceNamespaces().join(',')) this.restart();
    else this.scheduleRefresh();
  }

  contexts(): string[] {
    return [...new Set([...this.sources.keys(), ...this.failed.keys()])];
  }

  source(context: string): ClusterSource | undefined {
    return this.sources.get(context);
  }

  views(): ClusterView[] {
    return this.contexts().map((context) => {
      const source = this.sources.get(context);
      if (!source) return { context, state: { phase: 'failed', error: this.failed.get(context) ?? '', forbidden: [], dropped: 0 }, objects: [], drift: [] };
      return { context, state: source.state, objects: source.objects(), drift: this.driftByContext.get(context) ?? [] };
    });
  }

  /** The cluster's object for a workspace key (`namespace/name`) in each context (an ImageRepository by default). */
  clusterObjectsFor(key: string, kind: FluxImageKind = 'ImageRepository'): { context: string; object: ClusterObject }[] {
    const [namespace, name] = key.split('/');
    return [...this.sources].flatMap(([context, s]) => {
      const object = s.get(kind, namespace, name);
      return object ? [{ context, object }] : [];
    });
  }

  driftFor(key: string, kind: FluxImageKind = 'ImageRepository'): { context: string; drift: Drift }[] {
    return [...this.driftByContext].flatMap(([context, list]) =>
      list.filter((d) => d.kind === kind && `${d.namespace}/${d.name}` === key).map((drift) => ({ context, drift })));
  }

  /** The workspace's ImagePolicy whose document holds `line` of the file `uri`, if any. */
  policyAt(uri: string, line: number): ImagePolicyObject | undefined {
    return this.index?.imagePolicies?.find((p) => p.source?.uri === uri && p.source.range.start.line <= line && line <= p.source.range.end.line);
  }

  /** For `tagline.reconciler.source: cluster`: the first context's status of each workspace object it has. */
  clusterStatuses(): Map<string, ImageRepositoryStatus> {
    const out = new Map<string, ImageRepositoryStatus>();
    const first = [...this.sources.values()][0];
    if (!first) return out;
    for (const repo of this.index?.imageRepositories ?? []) {
      const object = first.get('ImageRepository', repo.metadata.namespace, repo.metadata.name);
      if (object) out.set(objectKey(repo.metadata), asRepositoryStatus(object));
    }
    return out;
  }

  private workspaceNamespaces(): string[] {
    const objects = [...(this.index?.imageRepositories ?? []), ...(this.index?.imagePolicies ?? [])];
    return [...new Set(objects.map((o) => o.metadata.namespace))].sort();
  }

  private logState(context: string, state: ClusterState): void {
    if (state.phase === 'disconnected') this.log.warn(`cluster ${context}: disconnected: ${state.error ?? ''}`);
    else if (state.phase === 'connected') this.log.info(`cluster ${context}: watching ImageRepositories and ImagePolicies (${state.version})${state.namespaces ? ` in ${state.namespaces.join(', ')}` : ''}`);
    for (const refused of state.forbidden) this.log.warn(`cluster ${context}: ${refused}`);
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh();
    }, REFRESH_DELAY_MS);
  }

  private refresh(): void {
    this.driftByContext.clear();
    const repositories = this.index?.imageRepositories ?? [];
    const policies = this.index?.imagePolicies ?? [];
    const workspace: (ImageRepositoryObject | ImagePolicyObject)[] = [...repositories, ...policies];
    const byKey = new Map(workspace.map((o) => [`${o.kind}/${objectKey(o.metadata)}`, o]));
    const diagnostics = new Map<string, vscode.Diagnostic[]>();
    const add = (object: ImageRepositoryObject | ImagePolicyObject | undefined, diagnostic: vscode.Diagnostic) => {
      if (!object?.source) return;
      const list = diagnostics.get(object.source.uri) ?? [];
      list.push(diagnostic);
      diagnostics.set(object.source.uri, list);
    };
    const local = this.local && readClusterSettings().source !== 'cluster' ? this.local : undefined;
    const subjects = [...workspaceSubjects(repositories, local?.repositories()), ...workspacePolicySubjects(policies, local?.policies())];
    for (const [context, source] of this.sources) {
      if (source.state.phase === 'connecting') continue;
      const namespaces = source.state.namespaces ? new Set(source.state.namespaces) : undefined;
      const drift = findDrift(subjects, clusterSubjects(source.objects()), { clusterNamespaces: namespaces });
      this.driftByContext.set(context, drift);
      if (source.state.phase !== 'connected') continue;
      for (const d of drift) {
        const local = byKey.get(`${d.kind}/${d.namespace}/${d.name}`);
        if (!local) continue;
        const diagnostic = new vscode.Diagnostic(rangeOf(local), describeDrift(d, context), vscode.DiagnosticSeverity.Information);
        diagnostic.source = CLUSTER_DIAGNOSTIC_SOURCE;
        diagnostic.code = `cluster.${d.type}`;
        add(local, diagnostic);
      }
      for (const local of workspace) {
        const object = source.get(local.kind, local.metadata.namespace, local.metadata.name);
        const failing = object && failingCondition(object);
        if (!failing) continue;
        const diagnostic = new vscode.Diagnostic(rangeOf(local), `cluster ${context}: ${failing.message}`, failing.severity);
        diagnostic.source = CLUSTER_DIAGNOSTIC_SOURCE;
        diagnostic.code = failing.reason;
        add(local, diagnostic);
      }
    }
    this.diagnostics.clear();
    for (const [uri, list] of diagnostics) this.diagnostics.set(vscode.Uri.parse(uri), list);
    this.changed.fire();
  }

  private stop(): void {
    for (const source of this.sources.values()) source.stop();
    this.sources.clear();
    this.failed.clear();
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.stop();
    this.diagnostics.dispose();
    this.changed.dispose();
  }
}

/** An ImageRepository's `spec.image` value; an ImagePolicy's first line (a whole document would be all underlined). */
function rangeOf(object: ImageRepositoryObject | ImagePolicyObject): vscode.Range {
  const source = object.source!;
  if (source.imageRange) {
    const r = source.imageRange;
    return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
  }
  const start = source.range.start;
  return new vscode.Range(start.line, start.character, start.line, Number.MAX_SAFE_INTEGER);
}

/** Stalled, or Ready=False, with the severities the language server gives local conditions. */
function failingCondition(object: ClusterObject): { reason: string; message: string; severity: vscode.DiagnosticSeverity } | undefined {
  const conditions = object.status.conditions ?? [];
  const stalled = conditions.find((c) => c.type === 'Stalled' && c.status === 'True');
  if (stalled) return { reason: stalled.reason, message: stalled.message, severity: vscode.DiagnosticSeverity.Error };
  const ready = conditions.find((c) => c.type === 'Ready' && c.status === 'False');
  if (!ready) return undefined;
  return { reason: ready.reason, message: ready.message, severity: FAILURE_REASONS.has(ready.reason) ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning };
}

/** A cluster ImageRepository's status in the shape the local reconciler reports. */
export function asRepositoryStatus(object: ClusterObject): ImageRepositoryStatus {
  const s = object.status;
  return {
    observedGeneration: s.observedGeneration ?? -1,
    conditions: s.conditions ?? [],
    ...(s.canonicalImageName ? { canonicalImageName: s.canonicalImageName } : {}),
    ...(s.lastScanResult ? { lastScanResult: { revision: s.lastScanResult.revision ?? '', tagCount: s.lastScanResult.tagCount, scanTime: s.lastScanResult.scanTime ?? '', latestTags: s.lastScanResult.latestTags } } : {}),
    ...(s.observedExclusionList ? { observedExclusionList: s.observedExclusionList } : {}),
    ...(s.lastHandledReconcileAt ? { lastHandledReconcileAt: s.lastHandledReconcileAt } : {}),
  };
}
