// `npm start`: the whole thing on this machine, without a cluster or the internet. Builds and packages the
// extension, starts the demo registries the examples/ manifests point at (127.0.0.1:5050 and :5051), and a real
// VS Code (the server build from code-server, in your browser) on 127.0.0.1 with examples/ open and the .vsix
// installed. Runs until Ctrl-C, then stops everything it started.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cleanupOnSignals, killAll, killGroup, spawnGroup } from '../test/e2e/lib/processes.mjs';
import { prepareInstallation, startVscodeServer } from '../test/e2e/lib/vscodeServer.mjs';
import { ensureVscodeServer } from '../test/e2e/setup.mjs';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const state = path.join(root, '.tagline-demo');
const port = Number(process.env.TAGLINE_VSCODE_PORT || 8790);
const say = (m) => console.log(`tagline: ${m}`);
let stopping = false;

function npmRun(script) {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run ${script} failed (${code})`))));
  });
}

/** Starts `npm run registry` in its own process group; resolves once it printed its address. */
function startDemoRegistry(logFile) {
  const child = spawnGroup(process.execPath, ['--import', 'tsx', 'test/harness/demo-registry.ts'], { cwd: root, env: process.env, logFile });
  return new Promise((resolve, reject) => {
    // The registry writes its address file once every registry is up; its log says why if it failed.
    const watch = setInterval(() => {
      if (existsSync(path.join(state, 'registry.json'))) {
        clearInterval(watch);
        resolve({ child, info: JSON.parse(readFileSync(path.join(state, 'registry.json'), 'utf8')) });
      }
    }, 100);
    child.exited.then((code) => {
      clearInterval(watch);
      reject(new Error(`the demo registry exited (${code}):\n${readLog(logFile)}`));
    });
  });
}

function readLog(file) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

async function main() {
  cleanupOnSignals(async () => { stopping = true; say('stopping…'); await killAll(); });
  mkdirSync(state, { recursive: true });
  rmSync(path.join(state, 'registry.json'), { force: true });

  say('building the extension');
  await npmRun('build');
  const vsix = path.join(state, 'tagline.vsix');
  await run(path.join(root, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--no-rewrite-relative-links', '--out', vsix], { cwd: root });

  const [serverMain, registry] = await Promise.all([
    ensureVscodeServer({ log: say }),
    startDemoRegistry(path.join(state, 'registry.log')),
  ]);
  say(`demo registries: ${registry.info.registry} and ${registry.info.authRegistry} (Basic auth, user ${registry.info.authUser})`);

  // A fresh VS Code profile each time; the tag database lives in it, so the first scans show up as they happen.
  const vscodeDir = path.join(state, 'vscode');
  rmSync(vscodeDir, { recursive: true, force: true });
  const installation = await prepareInstallation({ root: vscodeDir, serverMain, vsix });
  const server = await startVscodeServer({ serverMain, installation, port, logFile: path.join(state, 'vscode-server.log') });
  const url = `${server.url}/?folder=${encodeURIComponent(path.join(root, 'examples'))}`;
  console.log(`\n  Tagline is running in VS Code at\n\n    ${url}\n\n  (open it in your browser; Ctrl-C stops VS Code and the demo registries)\n`);
  const first = await Promise.race([server.child.exited.then(() => 'VS Code'), registry.child.exited.then(() => 'the demo registry')]);
  if (stopping) return;
  say(`${first} stopped unexpectedly; see ${state}/*.log`);
  await Promise.all([killGroup(server.child), killGroup(registry.child)]);
  process.exitCode = 1;
}

main().catch(async (err) => {
  console.error(`tagline: ${err?.message ?? err}`);
  await killAll();
  process.exit(1);
});
