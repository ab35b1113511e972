// A real VS Code server (code-server's lib/vscode/out/server-main.js, the reh-web build) on 127.0.0.1, with
// fresh data folders, the packaged extension installed from its .vsix, and settings that keep the workbench
// quiet (no walkthrough stealing focus, no telemetry, no update checks).
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { killGroup, spawnGroup } from './processes.mjs';

const run = promisify(execFile);

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.enabled': false,
  'remote.autoForwardPorts': false,
  // Trusted unless a test turns trust on to check Restricted Mode (the trust prompt is refused in tests).
  'security.workspace.trust.enabled': false,
  'redhat.telemetry.enabled': false,
};

/** Creates the folders of one VS Code "installation" and installs the .vsix into it. */
export async function prepareInstallation({ root, serverMain, vsix, settings = {} }) {
  const dirs = {
    root,
    serverData: path.join(root, 'server-data'),
    userData: path.join(root, 'user-data'),
    extensions: path.join(root, 'extensions'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
  if (vsix) {
    await run(process.execPath, [serverMain, '--server-data-dir', dirs.serverData, '--extensions-dir', dirs.extensions,
      '--install-extension', vsix, '--force'], { timeout: 60_000 });
  }
  const installed = readdirSync(dirs.extensions).find((d) => d.startsWith('tagline.tagline-'));
  return { ...dirs, extensionFolder: installed ? path.join(dirs.extensions, installed) : undefined };
}

/**
 * Starts server-main.js in its own process group and resolves once it answers HTTP. Without `port`, a free one is
 * picked first (the server cannot listen on port 0 and say which it got). If another process takes it in between,
 * the server logs `listen EADDRINUSE` and keeps running without listening (and the port answers for someone
 * else): it is stopped and started again on a new port, up to three times in all.
 */
export async function startVscodeServer(options) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startVscodeServerOnce(options);
    } catch (err) {
      if (options.port !== undefined || !err.portTaken || attempt >= 3) throw err;
    }
  }
}

function readLog(logFile) {
  try { return readFileSync(logFile, 'utf8'); } catch { return ''; }
}

// Only bounds a start that went wrong: the server answers within seconds, but a loaded 2-core CI machine is slow.
const ANSWER_WITHIN_MS = 90_000;

async function startVscodeServerOnce({ serverMain, installation, env = process.env, logFile, port: fixedPort }) {
  const port = fixedPort ?? (await freePort());
  // server-main.js directly, not code-server's wrapper: only it accepts --enable-smoke-test-driver, without
  // which a built workbench ignores extensionTestsPath from the URL payload.
  const child = spawnGroup(process.execPath, [serverMain,
    '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--accept-server-license-terms',
    '--enable-smoke-test-driver', '--telemetry-level', 'off',
    '--server-data-dir', installation.serverData, '--user-data-dir', installation.userData,
    '--extensions-dir', installation.extensions,
  ], { env, logFile });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + ANSWER_WITHIN_MS;
  let exited = false;
  child.exited.then(() => { exited = true; });
  for (;;) {
    if (exited) throw new Error(`VS Code server exited during start; see ${logFile}`);
    if (readLog(logFile).includes(`EADDRINUSE: address already in use 127.0.0.1:${port}`)) {
      await killGroup(child);
      throw Object.assign(new Error(`VS Code server found port ${port} taken; see ${logFile}`), { portTaken: true });
    }
    try {
      const res = await fetch(url + '/', { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await killGroup(child);
      throw new Error(`VS Code server did not answer on ${url} within ${ANSWER_WITHIN_MS / 1000} s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, port, child, stop: () => killGroup(child) };
}
