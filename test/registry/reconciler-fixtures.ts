// Builders shared by the reconciler and scan CLI tests: objects as the manifest loader makes them, a store,
// a reconciler with no access to the machine's own credentials, and timers a test can fire by hand.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { specHash } from '../../common/flux/generation';
import type { ImageRepositoryObject, ImageRepositorySpec, SecretObject, ServiceAccountObject, WorkspaceObjects } from '../../common/model';
import { Reconciler, type ReconcilerOptions, type RegistryApi, type Scheduler } from '../../client/src/reconciler';
import { TagStore } from '../../client/src/store';
import { buildScanOptions, clearTokenCache, closeDispatchers, listTags } from '../../client/src/registry';
import { startRegistryBed, type RegistryBed, type RegistryBedOptions } from '../harness/registry-bed';
import { after, before, beforeEach } from 'node:test';

export function imageRepository(
  name: string,
  spec: Partial<ImageRepositorySpec> & { image: string },
  meta: { namespace?: string; annotations?: Record<string, string> } = {},
): ImageRepositoryObject {
  const fullSpec: ImageRepositorySpec = { interval: '5m', ...spec };
  return {
    apiVersion: 'image.toolkit.fluxcd.io/v1',
    kind: 'ImageRepository',
    metadata: { name, namespace: meta.namespace ?? 'default', ...(meta.annotations ? { annotations: meta.annotations } : {}) },
    spec: fullSpec,
    specHash: specHash(fullSpec),
  };
}

export function workspace(
  imageRepositories: ImageRepositoryObject[],
  secrets: SecretObject[] = [],
  serviceAccounts: ServiceAccountObject[] = [],
): WorkspaceObjects {
  return { imageRepositories, secrets, serviceAccounts };
}

export function dockerConfigSecret(name: string, namespace: string, registry: string, username: string, password: string): SecretObject {
  const config = { auths: { [registry]: { username, password } } };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(JSON.stringify(config)).toString('base64') },
  };
}

/** A folder removed by `dispose()`, with an empty docker config so the machine's credentials never leak in. */
export class Sandbox {
  readonly folder = mkdtempSync(join(tmpdir(), 'tagline-reconciler-'));
  readonly env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: this.folder,
    DOCKER_CONFIG: join(this.folder, 'docker'),
    XDG_RUNTIME_DIR: join(this.folder, 'run'),
    XDG_CONFIG_HOME: join(this.folder, 'config'),
    XDG_CACHE_HOME: join(this.folder, 'cache'),
  };
  private readonly closers: (() => Promise<void>)[] = [];

  path(name: string): string {
    return join(this.folder, name);
  }

  async store(file: string | undefined = this.path('tags.sqlite')): Promise<TagStore> {
    const store = await TagStore.open({ file, debounceMs: 20 });
    this.closers.push(() => store.close());
    return store;
  }

  reconciler(store: TagStore, options: Partial<ReconcilerOptions> = {}): Reconciler {
    const reconciler = new Reconciler({ store, credentials: { env: this.env, allowProcesses: false }, ...options });
    this.closers.unshift(() => reconciler.dispose());
    return reconciler;
  }

  async dispose(): Promise<void> {
    for (const close of this.closers.splice(0)) await close().catch(() => undefined);
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/** Timers that only fire when the test says so; `delays` records every requeue asked for. */
export class ManualScheduler implements Scheduler {
  readonly delays: number[] = [];
  private readonly pending = new Map<number, { fn: () => void; ms: number }>();
  private next = 1;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.delays.push(ms);
    this.pending.set(id, { fn, ms });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get pendingDelays(): number[] {
    return [...this.pending.values()].map((p) => p.ms);
  }

  /** Fires every pending timer once. */
  fireAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const p of due) p.fn();
  }
}

export class ManualClock {
  constructor(public ms = Date.UTC(2026, 0, 1, 12, 0, 0)) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * Holds listings until a number of requests have reached the reconciler's scan queue, so listings a test wants
 * to overlap (shared or not) do overlap, however slow the machine. Pass `registry` to the reconciler, `watch()`
 * it, then `hold(n)` before the reconciles that must meet.
 */
export class ListingGate {
  private queued = 0;
  private target = 0;
  private opened: Promise<void> = Promise.resolve();
  private release: () => void = () => undefined;

  readonly registry: RegistryApi = {
    buildScanOptions,
    listTags: async (reference, options, signal) => {
      await this.opened;
      return listTags(reference, options, signal);
    },
  };

  watch(reconciler: Reconciler): void {
    const queue = reconciler.queue;
    const list = queue.list.bind(queue);
    queue.list = (request, run) => {
      if (++this.queued >= this.target) this.release();
      return list(request, run);
    };
  }

  /** Listings wait from now until `count` more requests have reached the queue. */
  hold(count: number): void {
    this.target = this.queued + count;
    this.opened = new Promise((resolve) => { this.release = resolve; });
  }
}

export function tagListRequests(requests: { url: string }[], repo: string): number {
  return requests.filter((r) => r.url.includes(`/v2/${repo}/tags/list`)).length;
}

export interface BedContext {
  readonly bed: RegistryBed;
  readonly sandbox: Sandbox;
}

/**
 * One registry bed for the enclosing `describe`, and a fresh Sandbox, token cache (and, with a shim, fault list
 * and request log) for each test; everything is stopped afterwards even when a test fails.
 */
export function useRegistryBed(options: RegistryBedOptions): BedContext {
  let bed: RegistryBed | undefined;
  let sandbox: Sandbox | undefined;
  before(async () => {
    bed = await startRegistryBed(options);
  });
  after(async () => {
    await sandbox?.dispose();
    await closeDispatchers();
    await bed?.stop();
  });
  beforeEach(async () => {
    await sandbox?.dispose();
    sandbox = new Sandbox();
    if (options.shim) {
      bed!.faults([]);
      bed!.requests.length = 0;
    }
    clearTokenCache();
  });
  return {
    get bed() { return bed!; },
    get sandbox() { return sandbox!; },
  };
}
