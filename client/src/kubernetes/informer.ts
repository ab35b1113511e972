// List, then watch, one resource in one scope (all namespaces or one), as client-go's Reflector does
// (k8s.io/client-go tools/cache/reflector.go `ListAndWatch`): list in pages, watch from the list's
// resourceVersion with bookmarks, resume each new watch from the last resourceVersion seen, relist on
// 410 Gone, and back off on errors from 800 ms doubling to 30 s (`NewReflectorWithOptions`' backoff manager).
import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import type { FluxImageKind } from '../../../common/flux/drift';
import { kubernetesError, KubernetesError } from './errors';
import { slimObject, type ClusterObject } from './objects';

export const PLURALS: Record<FluxImageKind, string> = { ImageRepository: 'imagerepositories', ImagePolicy: 'imagepolicies' };

/** Page size of a list (client-go pager's default is 500). */
const PAGE_SIZE = 500;
const BACKOFF_INITIAL_MS = 800;
const BACKOFF_MAX_MS = 30_000;

export type InformerPhase = 'listing' | 'watching' | 'disconnected';

export interface InformerListener {
  /** After each (re)list: every object now in scope; objects not in it are gone. */
  replaced(objects: ClusterObject[]): void;
  upserted(object: ClusterObject): void;
  deleted(object: ClusterObject): void;
  /** Each phase change; `error` set with `disconnected`. */
  phase(phase: InformerPhase, error?: KubernetesError): void;
}

export interface InformerScope {
  kind: FluxImageKind;
  group: string;
  version: string;
  /** Undefined for all namespaces. */
  namespace?: string;
}

/**
 * Lists one resource in one scope, in pages of 500 (client-go tools/pager), keeping each object slimmed. Returns
 * the list's resourceVersion, from which a watch resumes. Throws what the client threw (see `kubernetesError`).
 */
export async function listObjects(config: KubeConfig, scope: InformerScope, stopped: () => boolean = () => false): Promise<{ objects: ClusterObject[]; resourceVersion: string }> {
  const api = config.makeApiClient(CustomObjectsApi);
  const { group, version, namespace, kind } = scope;
  const plural = PLURALS[kind];
  const objects: ClusterObject[] = [];
  let cont: string | undefined;
  let resourceVersion = '';
  do {
    const page = (namespace
      ? await api.listNamespacedCustomObject({ group, version, namespace, plural, limit: PAGE_SIZE, _continue: cont })
      : await api.listClusterCustomObject({ group, version, plural, limit: PAGE_SIZE, _continue: cont })) as {
        items?: object[]; metadata?: { resourceVersion?: string; _continue?: string; continue?: string };
      };
    for (const item of page.items ?? []) objects.push(slimObject(kind, item));
    resourceVersion = page.metadata?.resourceVersion ?? '';
    cont = page.metadata?.continue || page.metadata?._continue || undefined;
  } while (cont && !stopped());
  return { objects, resourceVersion };
}

/** One list-and-watch loop; `stop()` ends it and closes its connection. */
export class Informer {
  private resourceVersion = '';
  private stopped = false;
  private abortWatch?: () => void;
  private wake?: () => void;
  private failures = 0;
  /** Resolves after the first list, with its error when it failed. */
  readonly firstList: Promise<KubernetesError | undefined>;
  private settleFirstList!: (error: KubernetesError | undefined) => void;

  constructor(private readonly config: KubeConfig, readonly scope: InformerScope, private readonly listener: InformerListener) {
    this.firstList = new Promise((resolve) => { this.settleFirstList = resolve; });
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.abortWatch?.();
    this.wake?.();
  }

  private get path(): string {
    const { group, version, namespace, kind } = this.scope;
    return `/apis/${group}/${version}/${namespace ? `namespaces/${encodeURIComponent(namespace)}/` : ''}${PLURALS[kind]}`;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) {
          this.listener.phase('listing');
          await this.list();
          this.settleFirstList(undefined);
        }
        const watchStarted = Date.now();
        await this.watch();
        // A server that ends watches at once must not be asked again in a tight loop (client-go backs off
        // between watch restarts too).
        if (Date.now() - watchStarted < 1000 && !this.stopped) await this.backoff();
        else this.failures = 0;
      } catch (err) {
        if (this.stopped) break;
        const error = kubernetesError(err, this.config, 'GET', `${this.config.getCurrentCluster()?.server ?? ''}${this.path}`);
        if (error.expired) {
          this.resourceVersion = '';
          continue;
        }
        this.settleFirstList(error);
        this.listener.phase('disconnected', error);
        await this.backoff();
      }
    }
  }

  private async list(): Promise<void> {
    const { objects, resourceVersion } = await listObjects(this.config, this.scope, () => this.stopped);
    if (this.stopped) return;
    this.resourceVersion = resourceVersion;
    this.listener.replaced(objects);
  }

  /** One watch connection; resolves when the server ends it (resume), rejects on an error. */
  private watch(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let expired = false;
      let ended = false;
      let streaming = false;
      const done = (err: unknown) => {
        ended = true;
        this.abortWatch = undefined;
        if (expired) reject(new KubernetesError('too old resource version', 410, 'Expired'));
        // A stream that broke after it was established is resumed at once, as client-go's watch handler does;
        // if the server is really gone, the next request says so in Go's words.
        else if (err && !this.stopped && !streaming) reject(err);
        else resolve();
      };
      const onEvent = (type: string, object: { code?: number; reason?: string; message?: string; metadata?: { resourceVersion?: string } }) => {
        if (type === 'ERROR') {
          // A Status object: 410 when the resourceVersion was compacted; the server closes the stream next.
          if (object.code === 410 || object.reason === 'Expired' || object.reason === 'Gone') expired = true;
          return;
        }
        this.failures = 0;
        const rv = object.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (type === 'BOOKMARK') return;
        const slim = slimObject(this.scope.kind, object);
        if (type === 'DELETED') this.listener.deleted(slim);
        else this.listener.upserted(slim);
      };
      // The API server ends a watch after timeoutSeconds; client-go picks 5–10 min at random so clients spread.
      const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
      new Watch(this.config)
        .watch(this.path, { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds }, onEvent, done)
        .then((controller) => {
          if (this.stopped) controller.abort();
          else if (!ended) {
            streaming = true;
            this.abortWatch = () => controller.abort();
            this.listener.phase('watching');
          }
        }, reject);
    });
  }

  private backoff(): Promise<void> {
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** this.failures++);
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, delay);
      this.wake = () => { clearTimeout(timer); resolve(); };
    });
  }
}
