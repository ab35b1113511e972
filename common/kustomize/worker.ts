/**
 * Worker thread that owns the kustomize WebAssembly module (Go `js/wasm`, started with Go's own
 * `wasm_exec.js`). The parent posts `{ id, request }` and gets `{ id, response }` or `{ id, fault }`.
 * Anything the Go runtime writes (a panic) is kept and returned as the fault, never printed: over
 * `--stdio` the parent's stdout is the LSP channel.
 */
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { currentThreadId } from './budget';

// The tsconfig has no DOM library: the WebAssembly call used, typed here.
interface WasmInstance { exports: Record<string, unknown> }
declare const WebAssembly: { instantiate(module: object, imports: object): Promise<WasmInstance> };

interface GoInstance {
  importObject: object;
  run(instance: WasmInstance): Promise<void>;
}

// `module` is the compiled kustomize.wasm (KustomizeModule compiles it once per process).
const { directory, module } = workerData as { directory: string; module: object };
let output = '';

// wasm_exec.js uses globalThis.fs only for Go's os.Stdout/Stderr here: every other call fails with
// ENOSYS, so the module can neither read nor write the disk.
const enosys = (): Error => Object.assign(new Error('not implemented'), { code: 'ENOSYS' });
const denied = (...args: unknown[]): void => (args[args.length - 1] as (e: Error) => void)(enosys());
const decoder = new TextDecoder('utf-8');
(globalThis as Record<string, unknown>).fs = {
  constants: { O_WRONLY: -1, O_RDWR: -1, O_CREAT: -1, O_TRUNC: -1, O_APPEND: -1, O_EXCL: -1, O_DIRECTORY: -1 },
  writeSync(_fd: number, buf: Uint8Array): number {
    if (output.length < 65536) output += decoder.decode(buf);
    return buf.length;
  },
  write(fd: number, buf: Uint8Array, offset: number, length: number, position: null, callback: (e: Error | null, n?: number) => void): void {
    if (offset !== 0 || length !== buf.length || position !== null) return callback(enosys());
    if (output.length < 65536) output += decoder.decode(buf);
    callback(null, buf.length);
  },
  chmod: denied, chown: denied, close: denied, fchmod: denied, fchown: denied, fstat: denied, fsync: denied,
  ftruncate: denied, lchown: denied, link: denied, lstat: denied, mkdir: denied, open: denied, read: denied,
  readdir: denied, readlink: denied, rename: denied, rmdir: denied, stat: denied, symlink: denied,
  truncate: denied, unlink: denied, utimes: denied,
};
// No network either: Go's net/http on js/wasm would use fetch for an http(s) resource.
delete (globalThis as Record<string, unknown>).fetch;

// eslint-disable-next-line @typescript-eslint/no-require-imports
require(join(directory, 'wasm_exec.js'));
const GoRuntime = (globalThis as unknown as { Go: new () => GoInstance }).Go;

async function start(): Promise<(request: string) => string> {
  const go = new GoRuntime();
  const instance = await WebAssembly.instantiate(module, go.importObject);
  void go.run(instance).then(() => {
    throw new Error(`kustomize module exited${output ? `: ${output}` : ''}`);
  });
  const handle = (globalThis as unknown as { taglineKustomize: (r: string) => string }).taglineKustomize;
  handle('{"op":"warm"}');
  return handle;
}

const ready = start();
// The thread id lets the parent read this thread's CPU time while a build keeps it busy (budget.ts).
ready.then(() => parentPort!.postMessage({ id: 0, response: 'ready', tid: currentThreadId() }), (err: unknown) => {
  parentPort!.postMessage({ id: 0, fault: output || (err instanceof Error ? err.message : String(err)) });
});
parentPort!.on('message', async ({ id, request }: { id: number; request: string }) => {
  try {
    const handle = await ready;
    parentPort!.postMessage({ id, response: handle(request) });
  } catch (err) {
    parentPort!.postMessage({ id, fault: output || (err instanceof Error ? err.message : String(err)) });
  }
});
