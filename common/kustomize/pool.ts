/**
 * Several kustomize modules (worker threads) holding the same files, so that roots build in parallel on
 * several cores. Each build goes to the module with the fewest builds in flight; `setFiles` reaches every
 * module. The kustomize module runs one request at a time (Go js/wasm has one thread), so one instance uses one
 * core; each instance costs its own start (WebAssembly compile, Go package initialisation) and memory.
 */
import { availableParallelism } from 'node:os';
import { KustomizeModule, type KustomizeModuleOptions } from './module';
import type { BuildRequest, KustomizeResponse } from './protocol';

export interface KustomizePoolOptions extends KustomizeModuleOptions {
  /** How many modules (default: 2, or 1 on a single core). */
  instances?: number;
}

export class KustomizePool {
  private readonly modules: KustomizeModule[];
  private readonly inFlight: number[];

  constructor(options: KustomizePoolOptions = {}) {
    const instances = Math.max(1, options.instances ?? Math.min(2, availableParallelism()));
    this.modules = Array.from({ length: instances }, () => new KustomizeModule(options));
    this.inFlight = this.modules.map(() => 0);
  }

  /** How many modules the pool runs. */
  get instances(): number {
    return this.modules.length;
  }

  /** Whether the module was built (see KustomizeModule.available). */
  available(): boolean {
    return this.modules[0].available();
  }

  /** Starts every module ahead of its first build (KustomizeModule.start). */
  async start(): Promise<void> {
    await Promise.all(this.modules.map((m) => m.start()));
  }

  /** Replaces (text) or removes (null) files in every module. */
  async setFiles(files: Record<string, string | null>): Promise<void> {
    await Promise.all(this.modules.map((m) => m.setFiles(files)));
  }

  /** Builds one root on the least busy module (KustomizeModule.build). */
  async build(request: Omit<BuildRequest, 'op'>): Promise<KustomizeResponse> {
    const at = this.inFlight.indexOf(Math.min(...this.inFlight));
    this.inFlight[at]++;
    try {
      return await this.modules[at].build(request);
    } finally {
      this.inFlight[at]--;
    }
  }

  /** Sets the CPU time (ms) each later build of every module may use (KustomizeModule.setTimeoutMs). */
  setTimeoutMs(timeoutMs: number): void {
    for (const module of this.modules) module.setTimeoutMs(timeoutMs);
  }

  dispose(): void {
    for (const module of this.modules) module.dispose();
  }
}

/** What KustomizeBuilds needs of a module or a pool. */
export type KustomizeBuilder = Pick<KustomizePool, 'setFiles' | 'build'>;
