// Installs the pinned real VS Code server (code-server 4.100.3 → VS Code 1.100.3 on the system Node 20) into a
// cache folder outside the clone, once per machine. docs/architecture.md (Real VS Code e2e) says why it is
// installed this way and not as a devDependency. Usable as a module (ensureVscodeServer) or as a script (`node test/e2e/setup.mjs`).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, renameSync, writeFileSync, copyFileSync, openSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const harnessDir = path.join(here, 'vscode-harness');
export const CODE_SERVER_VERSION = '4.100.3';

export function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'tagline', `vscode-${CODE_SERVER_VERSION}-node${process.versions.node.split('.')[0]}-${os.machine()}`);
}

export function serverMainPath(dir = cacheDir()) {
  return path.join(dir, 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');
}

/** The `.ok` marker holds the hash of the pinned manifests, so a changed pin reinstalls. */
function pinHash() {
  const h = createHash('sha256');
  for (const f of ['package.json', 'package-lock.json']) {
    if (existsSync(path.join(harnessDir, f))) h.update(readFileSync(path.join(harnessDir, f)));
  }
  return h.digest('hex');
}

function run(cmd, args, opts, logFile) {
  return new Promise((resolve, reject) => {
    const fd = openSync(logFile, 'a');
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', fd, fd] });
    child.on('error', (err) => { closeSync(fd); reject(err); });
    child.on('exit', (code, signal) => {
      closeSync(fd);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${signal ?? code}; see ${logFile}`));
    });
  });
}

// @vscode/ripgrep's postinstall downloads rg from GitHub (unreachable here) unless its download cache in
// os.tmpdir() already holds the asset; a tarball of Debian's rg satisfies it.
async function seedRipgrepCache(tmpDir, log) {
  const rg = ['/usr/bin/rg', '/usr/local/bin/rg'].find((p) => existsSync(p));
  if (!rg) throw new Error('ripgrep is missing: apt-get install -y --no-install-recommends ripgrep');
  const target = { x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' }[process.arch];
  if (!target) throw new Error(`no ripgrep asset name known for ${process.arch}`);
  const src = path.join(tmpDir, 'rg-src');
  mkdirSync(src, { recursive: true });
  copyFileSync(rg, path.join(src, 'rg'));
  for (const v of ['1.15.9', '1.15.11', '1.15.14', '1.17.0', '1.17.1']) {
    const d = path.join(tmpDir, `vscode-ripgrep-cache-${v}`);
    mkdirSync(d, { recursive: true });
    await run('tar', ['czf', path.join(d, `ripgrep-v13.0.0-10-${target}.tar.gz`), '-C', src, 'rg'], {}, log);
  }
}

function nodeDir() {
  // node-gyp takes headers from here instead of downloading them from nodejs.org.
  const dir = path.dirname(path.dirname(process.execPath));
  return existsSync(path.join(dir, 'include', 'node', 'node.h')) ? dir : undefined;
}

/** Returns the path of server-main.js, installing the harness first when the cache has no valid install. */
export async function ensureVscodeServer({ log = (m) => process.stderr.write(m + '\n') } = {}) {
  const dir = cacheDir();
  const marker = path.join(dir, '.ok');
  const hash = pinHash();
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === hash && existsSync(serverMainPath(dir))) {
    return serverMainPath(dir);
  }
  const lock = path.join(harnessDir, 'package-lock.json');
  // Install beside the final folder and rename at the end, so an interrupted install never looks complete.
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  copyFileSync(path.join(harnessDir, 'package.json'), path.join(staging, 'package.json'));
  if (existsSync(lock)) copyFileSync(lock, path.join(staging, 'package-lock.json'));
  const logFile = path.join(staging, 'install.log');
  const tmpDir = path.join(staging, 'tmp');
  log(`installing VS Code server (code-server ${CODE_SERVER_VERSION}) into ${dir}; about a minute, log in ${logFile}`);
  const started = Date.now();
  await seedRipgrepCache(tmpDir, logFile);
  const env = {
    ...process.env,
    TMPDIR: tmpDir,
    npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`
    npm_config_unsafe_perm: 'true', // code-server 4.100's postinstall refuses root without it
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  const nd = nodeDir();
  if (nd) env.npm_config_nodedir = nd;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = existsSync(lock) ? ['ci', '--foreground-scripts'] : ['install', '--foreground-scripts'];
  try {
    await run(npm, args, { cwd: staging, env }, logFile);
  } catch (err) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
    throw new Error(`${err.message}\n${tail}`);
  }
  if (!existsSync(serverMainPath(staging))) throw new Error(`install finished but ${serverMainPath(staging)} is missing`);
  rmSync(tmpDir, { recursive: true, force: true });
  writeFileSync(path.join(staging, '.ok'), hash + '\n');
  mkdirSync(path.dirname(dir), { recursive: true });
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === hash) {
    // Another run finished the same install meanwhile: keep theirs.
    rmSync(staging, { recursive: true, force: true });
    return serverMainPath(dir);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  log(`VS Code server installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return serverMainPath(dir);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureVscodeServer().then(
    (p) => { console.log(p); },
    (err) => { console.error(`setup failed: ${err.message}`); process.exit(1); },
  );
}
