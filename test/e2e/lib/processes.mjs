// Every child the e2e suite starts runs in its own process group (setsid) and is killed as a group, in
// `finally` and on SIGINT/SIGTERM, so no extension host or file watcher outlives the run.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

const groups = new Set();
/** Group ids until the whole group is gone (a leader may exit before its children). */
const pgids = new Set();
/** Set once cleanup began: the main flow may still be starting something, which must not outlive the run. */
let closing = false;

/** Starts `cmd` as the leader of a new process group, output to `logFile`. */
export function spawnGroup(cmd, args, { env, cwd, logFile }) {
  if (closing) throw new Error('not starting a process: shutting down');
  const fd = openSync(logFile, 'a');
  const child = spawn('setsid', [cmd, ...args], { env, cwd, stdio: ['ignore', fd, fd], detached: false });
  closeSync(fd);
  groups.add(child);
  pgids.add(child.pid);
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => { groups.delete(child); resolve(signal ?? code); }));
  return child;
}

/** SIGTERM to the group, SIGKILL after 5 s; resolves when the leader is gone and the group is empty. */
export async function killGroup(child) {
  if (!child?.pid) return;
  const send = (sig) => { try { process.kill(-child.pid, sig); } catch { /* already gone */ } };
  send('SIGTERM');
  const timer = setTimeout(() => send('SIGKILL'), 5000);
  await child.exited;
  // The leader can exit before its children (extension host, watcher); wait for the group to empty.
  for (let i = 0; i < 100 && groupAlive(child.pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (groupAlive(child.pid)) send('SIGKILL');
  clearTimeout(timer);
  pgids.delete(child.pid);
}

function groupAlive(pgid) {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}

export async function killAll() {
  closing = true;
  await Promise.all([...groups].map(killGroup));
  for (const pgid of pgids) if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
}

/** Synchronous, for signal and exit handlers: another module's handler may call process.exit() right after. */
function signalAll(sig) {
  closing = true;
  for (const pgid of pgids) {
    try { process.kill(-pgid, sig); } catch { /* already gone */ }
  }
}
process.on('exit', () => signalAll('SIGKILL'));

let installed = false;
/** On Ctrl-C or SIGTERM: run `cleanup` (which must kill everything) and exit 130/143. */
export function cleanupOnSignals(cleanup) {
  if (installed) return;
  installed = true;
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
    process.on(sig, () => {
      signalAll('SIGTERM');
      void Promise.resolve(cleanup()).finally(() => process.exit(code));
    });
  }
}
