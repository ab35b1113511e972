// `npm run test:e2e`: the packaged extension in a real VS Code server, driven by Debian's headless chromium,
// against the real local registries. Prints `N passed, N failed`; exits non-zero on failure; leaves no process.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, copyFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { tsImport } from 'tsx/esm/api';
import { launchBrowser, workbenchUrl, chromiumPath } from './lib/browser.mjs';
import { cleanupOnSignals, killAll } from './lib/processes.mjs';
import { prepareInstallation, startVscodeServer } from './lib/vscodeServer.mjs';
import { REPOS, writeAppliedWorkspace, writeKustomizeWorkspace, writeWorkspace } from './lib/workspace.mjs';
import { ensureVscodeServer } from './setup.mjs';
import { restartChecks, uiChecks } from './ui.mjs';
import { runCluster } from './cluster.mjs';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const artifacts = path.join(here, 'artifacts');
const t0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s]`, ...a);

let passed = 0;
let failed = 0;
const cleanups = [];

async function check(name, fn, page) {
  const started = Date.now();
  try {
    await fn();
    passed++;
    log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    failed++;
    log(`FAIL ${name}: ${err?.message?.split('\n').slice(0, 8).join('\n     ')}`);
    if (page) await page.screenshot({ path: path.join(artifacts, `failed-${name.replace(/\W+/g, '-').slice(0, 60)}.png`) }).catch(() => {});
  }
}

async function cleanup() {
  // Process groups first (closing them also stops new ones from starting), then browsers, beds and folders.
  await killAll();
  for (const c of cleanups.reverse()) await c().catch(() => {});
  cleanups.length = 0;
}
cleanupOnSignals(cleanup);

async function packageExtension(outDir) {
  for (const f of ['dist/client.js', 'dist/server.js', 'dist/sql-wasm.wasm']) {
    if (!existsSync(path.join(repoRoot, f))) throw new Error(`${f} is missing: run \`npm run build\` first (npm test does).`);
  }
  const vsix = path.join(outDir, 'tagline.vsix');
  await run(path.join(repoRoot, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--no-rewrite-relative-links', '--out', vsix], { cwd: repoRoot })
    .catch((err) => { throw new Error(`vsce package failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`); });
  return vsix;
}

/** The extension-host tests are bundled beside the repository's node_modules so `require('mocha')` resolves. */
async function bundleHostTests() {
  const outfile = path.join(here, '.harness', 'host', 'index.js');
  await build({
    entryPoints: [path.join(here, 'host', 'index.ts')], outfile, bundle: true, platform: 'node', target: 'node20',
    format: 'cjs', external: ['vscode', 'mocha'], sourcemap: 'inline', logLevel: 'warning',
  });
  return outfile;
}

async function runHostTests({ browser, server, workspaceFile, extensionFolder, testsFile, resultsFile, label = 'host', timeoutMs = 90_000, during }) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const consoleLines = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleLines.push(m.text()); });
  try {
    const exit = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(code)));
    const url = workbenchUrl(server.url, workspaceFile, { dev: extensionFolder, tests: testsFile });
    await page.goto(workspaceFile.endsWith('.code-workspace') ? url.replace('?folder=', '?workspace=') : url);
    during?.(page);
    const code = await Promise.race([exit, new Promise((r) => setTimeout(() => r(`timeout after ${timeoutMs / 1000} s`), timeoutMs).unref())]);
    const lines = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8').trim().split('\n').filter(Boolean) : [];
    for (const line of lines) {
      const m = line.match(/^(ok|not ok) - (.*)$/s);
      if (!m) continue;
      if (m[1] === 'ok') { passed++; log(`ok   [${label}] ${m[2]}`); } else { failed++; log(`FAIL [${label}] ${m[2]}`); }
    }
    if (code !== 0 && !lines.some((l) => l.startsWith('not ok'))) {
      failed++;
      log(`FAIL [${label}] the extension-host test run ended with ${code} and reported ${lines.length} result(s)`);
      for (const l of consoleLines.slice(-10)) log(`     workbench console: ${l.split('\n').slice(0, 6).join('\n     ')}`);
    }
  } finally {
    await page.close();
  }
}

async function main() {
  chromiumPath();
  mkdirSync(artifacts, { recursive: true });
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'tagline-e2e-'));
  // TAGLINE_E2E_KEEP=1 keeps the VS Code logs, workspace and database for a post-mortem.
  const removeScratch = () => {
    if (process.env.TAGLINE_E2E_KEEP !== '1' && failed === 0) rmSync(scratch, { recursive: true, force: true });
  };
  cleanups.push(async () => {
    if (process.env.TAGLINE_E2E_KEEP === '1' || failed > 0) log(`scratch folder kept: ${scratch}`);
    removeScratch();
  });
  // Ctrl-C: the registry bed's own handler exits at once, so the folder goes synchronously on exit.
  process.on('exit', removeScratch);

  const [serverMain, vsix, testsFile] = await Promise.all([ensureVscodeServer({ log }), packageExtension(scratch), bundleHostTests()]);
  log('VS Code server ready, extension packaged');

  const { startRegistryBed } = await tsImport(pathToFileURL(path.join(repoRoot, 'test', 'harness', 'registry-bed.ts')).href, import.meta.url);
  const [plain, basic] = await Promise.all([
    startRegistryBed({ variant: 'plain', shim: true, seed: { [REPOS.podinfo.repo]: REPOS.podinfo.tags, [REPOS.nginx.repo]: REPOS.nginx.tags } }),
    startRegistryBed({ variant: 'basic', seed: { [REPOS.private.repo]: REPOS.private.tags } }),
  ]);
  cleanups.push(() => plain.stop(), () => basic.stop());
  log(`registries on ${plain.host} (plain, counted) and ${basic.host} (basic auth)`);

  const ws = writeWorkspace(path.join(scratch, 'workspace'), { plainHost: plain.host, basicHost: basic.host, username: basic.credentials.username });
  const installation = await prepareInstallation({ root: path.join(scratch, 'vscode'), serverMain, vsix, settings: { 'tagline.logLevel': 'trace', 'tagline.trace.server': process.env.TAGLINE_E2E_TRACE_LSP ? 'verbose' : 'off' } });
  if (!installation.extensionFolder) throw new Error('the .vsix did not install');
  log(`installed ${path.basename(installation.extensionFolder)} from the .vsix`);

  const resultsFile = path.join(scratch, 'host-results.txt');
  const env = {
    ...process.env,
    TAGLINE_E2E_RESULTS: resultsFile,
    ...(process.env.TAGLINE_E2E_TRACE_LSP ? { TAGLINE_LSP_TRACE_FILE: path.join(scratch, 'lsp-trace.log') } : {}),
    TAGLINE_E2E_REGISTRY: JSON.stringify({ plain: plain.host, basic: basic.host, username: basic.credentials.username, password: basic.credentials.password }),
    // No credential helper or cloud CLI of this machine may answer for the test registries.
    DOCKER_CONFIG: path.join(scratch, 'docker-config'),
    HOME: path.join(scratch, 'home'),
    XDG_CONFIG_HOME: path.join(scratch, 'xdg-config'),
  };
  const server = await startVscodeServer({ serverMain, installation, env, logFile: path.join(scratch, 'vscode-server.log') });
  cleanups.push(() => server.stop());
  log(`VS Code server on ${server.url}`);

  const browser = await launchBrowser();
  cleanups.push(() => browser.close());

  // TAGLINE_E2E_ONLY=ui|host|cluster runs one part (while working on it).
  const only = process.env.TAGLINE_E2E_ONLY;
  // The multi-root window goes first: opened as the third window of a server, a `?workspace=` window now and
  // then started with no folders at all (initialize showed `workspaceFolders: []`).
  if (only !== 'ui' && only !== 'cluster') {
    await runHostTests({ browser, server, workspaceFile: ws.workspaceFile, extensionFolder: installation.extensionFolder, testsFile, resultsFile });
  }
  if (only !== 'host' && only !== 'cluster') await runUi({ browser, server, ws, plain, basic });
  if (only !== 'ui' && only !== 'cluster') {
    // A folder with a Flux Kustomization, in a window of its own: in the main workspace it would take every
    // file it does not reach out of the other tests. index.ts picks its suite by the folder's name.
    rmSync(resultsFile, { force: true });
    const applied = writeAppliedWorkspace(path.join(scratch, 'tagline-applied'));
    await runHostTests({ browser, server, workspaceFile: applied, extensionFolder: installation.extensionFolder, testsFile, resultsFile, label: 'applied' });
    await runKustomize({ browser, server, scratch, installation, testsFile, resultsFile });
  }
  if (!only) {
    await server.stop();
    await runRestricted({ browser, serverMain, vsix, scratch, env, ws, testsFile, plain, basic });
  }
  if (!only || only === 'cluster') {
    await server.stop();
    await runCluster({ browser, serverMain, vsix, scratch, env, testsFile, artifacts, repoRoot, log, check, runHostTests });
  }
  for (const png of ['tree-view.png', 'hover.png', 'problems-panel.png', 'policy-hover.png', 'cluster-hover.png']) {
    if (existsSync(path.join(artifacts, png)) && process.env.TAGLINE_E2E_UPDATE_DOCS === '1') {
      mkdirSync(path.join(repoRoot, 'docs', 'images'), { recursive: true });
      copyFileSync(path.join(artifacts, png), path.join(repoRoot, 'docs', 'images', png));
    }
  }
}

/**
 * Kustomize roots in a window of their own (index.ts picks the suite by the folder name). `tagline check` runs
 * here first, not in the extension host, so that its kustomize module does not start beside the language
 * server's on the same cores; the host suite compares the Problems panel with its findings.
 */
async function runKustomize({ browser, server, scratch, installation, testsFile, resultsFile }) {
  rmSync(resultsFile, { force: true });
  const folder = writeKustomizeWorkspace(path.join(scratch, 'tagline-kustomize'), repoRoot);
  const started = Date.now();
  const check = await run(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'check', folder, '--format', 'json'], { cwd: folder })
    .catch((err) => err);
  if (typeof check.stdout !== 'string' || (check.code !== undefined && check.code !== 1)) throw new Error(`tagline check failed (${check.code}): ${check.stderr ?? check.message}`);
  writeFileSync(path.join(scratch, 'tagline-kustomize-check.json'), check.stdout);
  log(`tagline check on the kustomize folder: ${Date.now() - started} ms`);
  // The first test waits for the language server's first build, which starts the kustomize module: a 60 MB
  // WebAssembly compile per pool instance (measured: 40 s for one instance on a 2-core machine at a load of 22).
  await runHostTests({ browser, server, workspaceFile: folder, extensionFolder: installation.extensionFolder, testsFile, resultsFile, label: 'kustomize', timeoutMs: 150_000 });
}

/** A second VS Code with workspace trust on: the trust prompt is refused in tests, so the folder stays untrusted. */
async function runRestricted({ browser, serverMain, vsix, scratch, env, ws, testsFile, plain, basic }) {
  const installation = await prepareInstallation({
    root: path.join(scratch, 'vscode-restricted'), serverMain, vsix, settings: { 'security.workspace.trust.enabled': true },
  });
  const resultsFile = path.join(scratch, 'restricted-results.txt');
  const server = await startVscodeServer({
    serverMain, installation, env: { ...env, TAGLINE_E2E_HOST_SUITE: 'restricted', TAGLINE_E2E_RESULTS: resultsFile },
    logFile: path.join(scratch, 'vscode-server-restricted.log'),
  });
  cleanups.push(() => server.stop());
  const before = plain.requests.length;
  const basicLogBefore = basic.log().length;
  await runHostTests({ browser, server, workspaceFile: ws.root, extensionFolder: installation.extensionFolder, testsFile, resultsFile, label: 'restricted' });
  await check('Restricted Mode contacts no registry', async () => {
    if (plain.requests.length !== before) throw new Error(`${plain.requests.length - before} request(s) reached the registry`);
    if (basic.log().slice(basicLogBefore).includes('GET /v2/')) throw new Error('the basic-auth registry saw a request');
  });
  await server.stop();
}

async function runUi({ browser, server, ws, plain, basic }) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(workbenchUrl(server.url, ws.root));
  for (const [name, fn] of uiChecks({ page, artifacts, plain, basic, repos: REPOS })) await check(name, fn, page);

  // "Developer: Reload Window" shuts the extension host down properly (deactivate flushes the database), then
  // the reloaded window starts a fresh one.
  const requestsBefore = plain.requests.length;
  await check('"Developer: Reload Window" restarts the window', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill('>Developer: Reload Window');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Reload Window' }).first().waitFor();
    await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), page.keyboard.press('Enter')]);
  }, page);
  for (const [name, fn] of restartChecks({ page, plain, repos: REPOS, requestsBefore })) await check(name, fn, page);
  await page.close();
}

try {
  await main();
} catch (err) {
  failed++;
  log(`FAIL e2e setup: ${err?.stack ?? err}`);
} finally {
  await cleanup();
}
log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
