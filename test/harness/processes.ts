// Child processes and temporary folders of the test bed, cleaned up on every way out of the process:
// a normal exit, an uncaught failure, Ctrl-C or SIGTERM from the test runner.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const children = new Set<ChildProcess>();
const folders = new Set<string>();
let hooked = false;

function cleanupNow(): void {
  // Closing the pipe is what stops a tracked program (see spawnTracked); the OS closes it too if we are killed.
  for (const child of children) child.stdin?.destroy();
  children.clear();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  folders.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', cleanupNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanupNow();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

export interface Spawned {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /**
   * Resolves with the first match of `pattern` in the output; rejects if the process exits first or after
   * `timeoutMs` (30 s by default: it only bounds a start that went wrong, and a loaded 2-core CI machine is slow).
   */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

// The program runs under a small sh that stops it when our end of its stdin pipe closes: on stop(), and also
// when this process dies in a way no handler sees (SIGKILL from a test runner's timeout). When the program
// exits on its own, the sh exits with its status.
// (A background job's stdin is /dev/null, so the pipe is kept as fd 3 first.)
const dieWithParent = 'exec 3<&0; "$@" 3<&- & pid=$!; ( cat <&3 >/dev/null; kill "$pid" 2>/dev/null ) & exec 3<&-; wait "$pid"';

export function spawnTracked(command: string, args: string[], options: { cwd?: string } = {}): Spawned {
  hookExit();
  const child = spawn('sh', ['-c', dieWithParent, 'sh', command, ...args], { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.on('error', () => undefined);
  children.add(child);
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 1_000_000) output = output.slice(-500_000);
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => { children.delete(child); resolve(); }));
  child.once('error', (error) => { output += `\nspawn error: ${error.message}`; for (const listener of listeners) listener(); });
  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match) { done(); resolve(match); return; }
          if (child.exitCode !== null || child.signalCode !== null || output.includes('spawn error:')) {
            done();
            reject(new Error(`${command} exited before printing ${pattern}:\n${output}`));
          }
        };
        const timer = setTimeout(() => { done(); reject(new Error(`${command} did not print ${pattern} within ${timeoutMs} ms:\n${output}`)); }, timeoutMs);
        const onExit = () => check();
        const done = () => { clearTimeout(timer); listeners.delete(check); child.off('exit', onExit); };
        listeners.add(check);
        child.on('exit', onExit);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.stdin!.end();
      await exited;
    },
  };
}

export function makeTempFolder(prefix: string, preferTmpfs = false): string {
  hookExit();
  let base = tmpdir();
  if (preferTmpfs) {
    try { accessSync('/dev/shm', constants.W_OK); base = '/dev/shm'; } catch { /* no tmpfs: stay on disk */ }
  }
  const folder = mkdtempSync(join(base, prefix));
  folders.add(folder);
  return folder;
}

export function removeTempFolder(folder: string): void {
  rmSync(folder, { recursive: true, force: true });
  folders.delete(folder);
}

export function run(command: string, args: string[], options: { cwd?: string; input?: string } = {}): string {
  const result = spawnSync(command, args, { cwd: options.cwd, input: options.input, encoding: 'utf8' });
  if (result.error) throw new Error(`${command} failed to start: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return result.stdout;
}

// Debian package that provides each command the bed runs.
const packages: Record<string, string> = {
  'docker-registry': 'docker-registry',
  htpasswd: 'apache2-utils',
  tinyproxy: 'tinyproxy',
  microsocks: 'microsocks',
  stunnel4: 'stunnel4',
  openssl: 'openssl',
};

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

let ensured = false;
/** Installs the bed's Debian packages when run as root on a fresh machine; otherwise names what is missing. */
export function ensurePackages(): void {
  if (ensured) return;
  const missing = Object.keys(packages).filter((command) => !onPath(command)).map((command) => packages[command]!);
  if (missing.length > 0) {
    if (process.getuid?.() !== 0) {
      throw new Error(`The registry test bed needs the Debian packages ${missing.join(', ')}: apt-get install -y --no-install-recommends ${missing.join(' ')}`);
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
    const install = spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
    if (update.status !== 0 || install.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed`);
  }
  ensured = true;
}
