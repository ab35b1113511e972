// One cluster (one kubeconfig context) as Tagline sees it: ImageRepositories and ImagePolicies listed and
// watched in all namespaces, or, when the credentials may not list across namespaces, in the namespaces the
// workspace names. Keeps the objects (slimmed) and says honestly whether it is connected.
import type { KubeConfig } from '@kubernetes/client-node';
import type { FluxImageKind } from '../../../common/flux/drift';
import { discoverImageGroup, FLUX_IMAGE_GROUP } from './discovery';
import { kubernetesError, type KubernetesError } from './errors';
import { Informer, type InformerPhase } from './informer';
import { clusterObjectKey, type ClusterObject } from './objects';

export const FLUX_IMAGE_KINDS: FluxImageKind[] = ['ImageRepository', 'ImagePolicy'];

export interface ClusterSourceOptions {
  /**
   * Namespaces to read one by one when listing across all namespaces is forbidden (the workspace's); a function is
   * asked at that moment, so namespaces the workspace index brought in meanwhile count.
   */
  fallbackNamespaces?: string[] | (() => string[]);
  /** Objects kept at most; more are counted but not kept (memory stays bounded on a huge cluster). */
  maxObjects?: number;
}

export type ConnectionPhase = 'connecting' | 'connected' | 'disconnected';

export interface ClusterState {
  phase: ConnectionPhase;
  /** The last error while disconnected (API server or Go text, never a credential). */
  error?: string;
  /** Scopes refused by RBAC, each with the API server's message (it names the verb and the resource). */
  forbidden: string[];
  /** Namespaces read one by one, when listing all was forbidden; undefined when all namespaces are read. */
  namespaces?: string[];
  /** The API version listed (`v1` when served). */
  version?: string;
  /** Objects not kept because of `maxObjects`. */
  dropped: number;
}

export type ClusterChange = { type: 'upserted' | 'deleted'; object: ClusterObject } | { type: 'replaced' } | { type: 'state' };

const DEFAULT_MAX_OBJECTS = 10_000;

export class ClusterSource {
  private readonly objectsByKey = new Map<string, ClusterObject>();
  private readonly informers: Informer[] = [];
  private readonly informerPhases = new Map<Informer, { phase: InformerPhase; error?: KubernetesError }>();
  private readonly listeners = new Set<(change: ClusterChange) => void>();
  private stopped = false;
  private readonly maxObjects: number;
  readonly state: ClusterState = { phase: 'connecting', forbidden: [], dropped: 0 };

  constructor(readonly config: KubeConfig, private readonly options: ClusterSourceOptions = {}) {
    this.maxObjects = options.maxObjects ?? DEFAULT_MAX_OBJECTS;
  }

  /** The kubeconfig context this source reads. */
  get context(): string {
    return this.config.getCurrentContext();
  }

  /**
   * Discovers the served version, then lists (and keeps watching) both kinds. Resolves after the first list of
   * every scope, whether it succeeded or not (`state` says which); never rejects.
   */
  async start(): Promise<void> {
    let version: string;
    try {
      version = (await discoverImageGroup(this.config)).version;
    } catch (err) {
      this.setState({ phase: 'disconnected', error: kubernetesError(err, this.config).message });
      if (!this.stopped) this.retryStart = setTimeout(() => void this.start(), 5_000);
      return;
    }
    if (this.stopped) return;
    this.state.version = version;
    const all = FLUX_IMAGE_KINDS.map((kind) => this.addInformer(kind, version, undefined));
    const errors = await Promise.all(all.map((i) => i.firstList));
    const refused = errors.filter((e) => e?.forbidden);
    const fallback = this.options.fallbackNamespaces;
    if (refused.length > 0 && fallback) {
      for (const informer of all) this.removeInformer(informer);
      this.state.forbidden = refused.map((e) => e!.message);
      this.state.namespaces = [...new Set(typeof fallback === 'function' ? fallback() : fallback)].sort();
      const scoped = this.state.namespaces.flatMap((ns) => FLUX_IMAGE_KINDS.map((kind) => this.addInformer(kind, version, ns)));
      const scopedErrors = await Promise.all(scoped.map((i) => i.firstList));
      this.state.forbidden.push(...scopedErrors.filter((e) => e?.forbidden).map((e) => e!.message));
      this.updatePhase();
    }
  }

  private retryStart?: ReturnType<typeof setTimeout>;

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryStart);
    for (const informer of [...this.informers]) this.removeInformer(informer);
  }

  objects(): ClusterObject[] {
    return [...this.objectsByKey.values()];
  }

  get(kind: FluxImageKind, namespace: string, name: string): ClusterObject | undefined {
    return this.objectsByKey.get(clusterObjectKey({ kind, namespace, name }));
  }

  onDidChange(listener: (change: ClusterChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * Resolves with the first version of the object (from the cache or a later watch event) for which `test` holds;
   * rejects with an AbortError when `signal` aborts. Waits on watch events, not by polling.
   */
  waitFor(kind: FluxImageKind, namespace: string, name: string, test: (o: ClusterObject) => boolean, signal?: AbortSignal): Promise<ClusterObject> {
    return new Promise((resolve, reject) => {
      const now = this.get(kind, namespace, name);
      if (now && test(now)) return resolve(now);
      const subscription = this.onDidChange((change) => {
        if (change.type === 'deleted' || change.type === 'state') return;
        const object = this.get(kind, namespace, name);
        if (object && test(object)) {
          finish();
          resolve(object);
        }
      });
      const onAbort = () => {
        finish();
        reject(signal!.reason instanceof Error ? signal!.reason : new DOMException('This operation was aborted', 'AbortError'));
      };
      const finish = () => {
        subscription.dispose();
        signal?.removeEventListener('abort', onAbort);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort);
    });
  }

  private addInformer(kind: FluxImageKind, version: string, namespace: string | undefined): Informer {
    const inScope = (o: ClusterObject) => o.kind === kind && (namespace === undefined || o.namespace === namespace);
    const informer: Informer = new Informer(this.config, { kind, group: FLUX_IMAGE_GROUP, version, namespace }, {
      replaced: (objects) => {
        for (const [key, o] of this.objectsByKey) if (inScope(o)) this.objectsByKey.delete(key);
        for (const o of objects) this.keep(o);
        this.emit({ type: 'replaced' });
      },
      upserted: (object) => {
        if (this.keep(object)) this.emit({ type: 'upserted', object });
      },
      deleted: (object) => {
        if (this.objectsByKey.delete(clusterObjectKey(object))) this.emit({ type: 'deleted', object });
      },
      phase: (phase, error) => {
        this.informerPhases.set(informer, { phase, error });
        this.updatePhase();
      },
    });
    this.informers.push(informer);
    informer.start();
    return informer;
  }

  private removeInformer(informer: Informer): void {
    informer.stop();
    this.informers.splice(this.informers.indexOf(informer), 1);
    this.informerPhases.delete(informer);
  }

  private keep(object: ClusterObject): boolean {
    const key = clusterObjectKey(object);
    if (!this.objectsByKey.has(key) && this.objectsByKey.size >= this.maxObjects) {
      this.state.dropped++;
      return false;
    }
    this.objectsByKey.set(key, object);
    return true;
  }

  /** Connected when every scope watches (or is refused by RBAC, which `forbidden` reports); else the worst. */
  private updatePhase(): void {
    const phases = [...this.informerPhases.values()];
    const failing = phases.find((p) => p.phase === 'disconnected' && !p.error?.forbidden);
    if (failing) return this.setState({ phase: 'disconnected', error: failing.error?.message });
    const settled = phases.length === this.informers.length && phases.every((p) => p.phase === 'watching' || p.error?.forbidden);
    if (settled) {
      const forbidden = phases.filter((p) => p.error?.forbidden).map((p) => p.error!.message);
      if (this.state.namespaces) this.state.forbidden = [...new Set([...this.state.forbidden, ...forbidden])];
      else this.state.forbidden = forbidden;
      return this.setState({ phase: 'connected', error: undefined });
    }
    this.setState({ phase: this.state.phase === 'disconnected' ? 'disconnected' : 'connecting' });
  }

  private setState(next: Partial<ClusterState>): void {
    const before = JSON.stringify(this.state);
    Object.assign(this.state, next);
    if (JSON.stringify(this.state) !== before) this.emit({ type: 'state' });
  }

  private emit(change: ClusterChange): void {
    for (const listener of [...this.listeners]) listener(change);
  }
}
