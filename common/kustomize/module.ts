/**
 * The kustomize WebAssembly module, loaded once and lazily in a worker thread. Requests run one
 * at a time; a request that uses more than `timeoutMs` of the worker's CPU time (a hostile kustomization; see
 * budget.ts) terminates the worker, fails with a clear error, and the next request starts a fresh one with the
 * same files.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { buildClock, DEFAULT_BUILD_TIMEOUT_MS, timeoutMessage, wallLimitMs } from './budget';
import type { BuildRequest, KustomizeRequest, KustomizeResponse } from './protocol';

// The tsconfig has no DOM library: the one WebAssembly call used, typed here.
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<object> };

const compiled = new Map<string, Promise<object>>();

/**
 * V8 runs WebAssembly first as Liftoff's baseline code and compiles a function again with TurboFan once it has run
 * about `--wasm-tiering-budget` bytes of code (V8's default 1,800,000). Go's js/wasm functions are huge (each is a
 * state machine that can unwind for goroutine switches), so TurboFan's compile of every function the start runs a
 * little (Go's package initialisation, the OpenAPI warm-up) costs more CPU than it saves. Ten times the budget leaves
 * those in Liftoff and still optimises what builds run hot: bench/kustomize-roots.ts on its 30 roots, two runs each,
 * pool of two: module start 6.5 and 6.6 s of CPU instead of 11.0 and 9.5 s, the first build of all roots 26.1 and
 * 26.7 s instead of 26.5 and 28.2 s. (Liftoff only: start 4.6 s, but builds 37.3 s.) The flag is process-wide and read
 * at each tier-up decision; set before the first compile. Tagline's WebAssembly runs in the language server's and the
 * CLI's own processes, never in the extension host.
 */
const TIERING_BUDGET = 18_000_000;

function setTieringBudget(): void {
  setFlagsFromString(`--wasm-tiering-budget=${TIERING_BUDGET}`);
}

/**
 * The module compiled once per process and folder, handed to every worker (a WebAssembly.Module posted to a worker
 * shares its code): each worker that compiled for itself would also pay V8's tier-up of the hot Go functions again,
 * seconds of CPU per worker. A failed compile is forgotten, so the next start tries again.
 */
function compiledModule(directory: string): Promise<object> {
  let module = compiled.get(directory);
  if (!module) {
    setTieringBudget();
    module = readFile(join(directory, 'kustomize.wasm')).then((bytes) => WebAssembly.compile(bytes));
    module.catch(() => compiled.delete(directory));
    compiled.set(directory, module);
  }
  return module;
}

export interface KustomizeModuleOptions {
  /** Folder holding `kustomize.wasm`, `wasm_exec.js` and `kustomize-worker.js` (the build's `dist/`). */
  directory?: string;
  /**
   * CPU time a single request may use, in milliseconds (default 30 000): the worker thread's own where the platform
   * shows it, so that a loaded machine does not fail a healthy build; a request also ends after 20 times this (at
   * least 10 s) in wall time (budget.ts).
   */
  timeoutMs?: number;
  /** Longest the module may take to compile and start, in milliseconds (default 120 000). */
  startTimeoutMs?: number;
}

interface Pending {
  resolve(response: KustomizeResponse): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  /** Checks the request's CPU time against its budget (requests only, not the start). */
  watch?: NodeJS.Timeout;
}

/** Where the built module lives: beside the bundle (`dist/`), or the repository's `dist/` when run from source. */
export function defaultModuleDirectory(): string {
  return __filename.endsWith('.ts') ? join(__dirname, '..', '..', 'dist') : __dirname;
}


/**
 * The response with every list present: Go's encoding/json writes a nil slice as `null`, which the module's
 * `Response` holds when a build stops before filling it (the generator's error, a `spec.path` that is missing).
 */
function withLists(response: KustomizeResponse): KustomizeResponse {
  for (const key of ['objects', 'warnings', 'read', 'kustomizations', 'patches', 'unmatched'] as const) {
    (response as unknown as Record<string, unknown>)[key] ??= [];
  }
  return response;
}

export class KustomizeModule {
  private readonly directory: string;
  private timeoutMs: number;
  private readonly startTimeoutMs: number;
  /** The worker's Linux thread id (budget.ts), undefined elsewhere. */
  private tid: number | undefined;
  /** CPU and wall time (ms) of the latest request that finished. */
  lastRequest: { cpuMs: number; wallMs: number } | undefined;
  private readonly files = new Map<string, string>();
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: KustomizeModuleOptions = {}) {
    this.directory = options.directory ?? defaultModuleDirectory();
    this.timeoutMs = options.timeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS;
    this.startTimeoutMs = options.startTimeoutMs ?? 120_000;
  }

  /** Whether the module was built (`npm run build` needs Go; without it Tagline validates raw files only). */
  available(): boolean {
    return ['kustomize.wasm', 'wasm_exec.js', 'kustomize-worker.js'].every((name) => existsSync(join(this.directory, name)));
  }

  /** Replaces (text) or removes (null) files of the in-memory workspace. Paths are absolute (`/0/apps/x.yaml`). */
  setFiles(files: Record<string, string | null>): Promise<void> {
    const changed: Record<string, string | null> = {};
    for (const [path, text] of Object.entries(files)) {
      if (text === null ? !this.files.has(path) : this.files.get(path) === text) continue;
      if (text === null) this.files.delete(path);
      else this.files.set(path, text);
      changed[path] = text;
    }
    if (Object.keys(changed).length === 0 || !this.worker) return this.queue.then(() => undefined);
    return this.enqueue({ op: 'files', files: changed }).then((response) => {
      if (response.error) throw new Error(response.error);
    });
  }

  /**
   * Starts the worker now (compile, Go initialisation, OpenAPI warm-up: seconds) instead of at the first request, so
   * that the start overlaps other work. Resolves once the module is ready; rejects as the first request would.
   */
  start(): Promise<void> {
    const run = this.queue.then(() => (this.worker ? undefined : this.startWorker()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Builds one root; resolves with kustomize's error text in `error` rather than rejecting. Rejects on a timeout or a crash. */
  build(request: Omit<BuildRequest, 'op'>): Promise<KustomizeResponse> {
    return this.enqueue({ op: 'build', ...request });
  }

  /** Sets the CPU time (ms) each later request may use (KustomizeModuleOptions.timeoutMs). */
  setTimeoutMs(timeoutMs: number): void {
    this.timeoutMs = timeoutMs;
  }

  /** Stops the worker; the next request starts it again. */
  dispose(): void {
    this.stopWorker(new Error('kustomize module stopped'));
  }

  private enqueue(request: KustomizeRequest): Promise<KustomizeResponse> {
    const run = this.queue.then(() => this.send(request));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async send(request: KustomizeRequest): Promise<KustomizeResponse> {
    if (!this.worker) await this.startWorker();
    return this.post(request);
  }

  private post(request: KustomizeRequest): Promise<KustomizeResponse> {
    const id = this.nextId++;
    const budget = this.timeoutMs;
    const cpu = buildClock(this.tid);
    const started = performance.now();
    return new Promise<KustomizeResponse>((resolve, reject) => {
      const timer = setTimeout(() => this.stopWorker(new Error(timeoutMessage(budget, true))), wallLimitMs(budget));
      // The worker is busy in one synchronous call: its CPU time is read from here, a few times a second.
      const watch = setInterval(() => {
        if (cpu() >= budget) this.stopWorker(new Error(timeoutMessage(budget)));
      }, Math.max(1, Math.min(250, budget / 4)));
      const done = <T>(settle: (value: T) => void) => (value: T) => {
        this.lastRequest = { cpuMs: cpu(), wallMs: performance.now() - started };
        settle(value);
      };
      this.pending.set(id, { resolve: done(resolve), reject, timer, watch });
      this.worker!.postMessage({ id, request: JSON.stringify(request) });
    });
  }

  /** Resolves when the worker has compiled and started the module (its message with id 0). */
  private started(): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stopWorker(new Error(`kustomize module did not start within ${this.startTimeoutMs / 1000}s`));
      }, this.startTimeoutMs);
      this.pending.set(0, { resolve, reject, timer });
    });
  }

  private async startWorker(): Promise<void> {
    if (!this.available()) throw new Error(`kustomize module not built: ${join(this.directory, 'kustomize.wasm')}`);
    // The bundled worker (esbuild entry common/kustomize/worker.ts), also when run from source.
    const module = await compiledModule(this.directory);
    const worker = new Worker(join(this.directory, 'kustomize-worker.js'), { workerData: { directory: this.directory, module }, stdout: true, stderr: true });
    worker.unref();
    worker.on('message', ({ id, response, fault, tid }: { id: number; response?: string; fault?: string; tid?: number }) => {
      const pending = this.pending.get(id);
      if (!pending) return;
      this.pending.delete(id);
      clearTimeout(pending.timer);
      clearInterval(pending.watch);
      if (id === 0) this.tid = tid;
      if (fault !== undefined) pending.reject(new Error(fault));
      else pending.resolve(id === 0 ? ({} as KustomizeResponse) : withLists(JSON.parse(response!) as KustomizeResponse));
    });
    worker.on('error', (err) => this.stopWorker(err));
    worker.on('exit', () => {
      if (this.worker === worker) this.stopWorker(new Error('kustomize module exited'));
    });
    this.worker = worker;
    await this.started();
    if (this.files.size > 0) {
      const response = await this.post({ op: 'files', files: Object.fromEntries(this.files) });
      if (response.error) throw new Error(response.error);
    }
  }

  private stopWorker(reason: Error): void {
    const worker = this.worker;
    this.worker = undefined;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      clearInterval(pending.watch);
      pending.reject(reason);
      this.pending.delete(id);
    }
    void worker?.terminate();
  }
}
