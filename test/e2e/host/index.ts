// Extension-host test entry: VS Code calls run() inside the real extension host (extensionTestsPath).
// Results go to the file named by TAGLINE_E2E_RESULTS, one `ok - …` / `not ok - …` line per test, because the
// extension host's console does not reach the driver.
import { writeFileSync } from 'node:fs';
import type MochaType from 'mocha';

export async function run(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require('mocha') as typeof MochaType | { default: typeof MochaType };
  // mocha 12 is an ES module: require() returns its namespace.
  const Mocha = 'default' in loaded ? loaded.default : loaded;
  // The window of run.mjs's tagline-applied folder shares the main session's server (and so its environment).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const folder = (require('vscode') as typeof import('vscode')).workspace.workspaceFolders?.[0]?.name;
  const byFolder: Record<string, string> = { 'tagline-applied': 'applied', 'tagline-kustomize': 'kustomize' };
  const suite = process.env.TAGLINE_E2E_HOST_SUITE ?? (folder ? byFolder[folder] : undefined);
  // The cluster suite waits for a real controller on a busy machine.
  const mocha = new Mocha({ ui: 'bdd', timeout: suite === 'cluster' ? 120_000 : 30_000, color: false, reporter: Mocha.reporters.Base });
  mocha.suite.emit('pre-require', globalThis, 'tagline-host-tests', mocha);
  // Required after pre-require so that describe/it exist when the suites load. The run.mjs session decides
  // which suite fits its workspace (trusted, Restricted Mode, or cluster mode).
  if (suite === 'restricted') require('./restricted.test');
  else if (suite === 'cluster') require('./cluster.test');
  else if (suite === 'applied') require('./applied.test');
  else if (suite === 'kustomize') require('./kustomize.test');
  else {
    require('./extension.test');
    require('./suspendEdit.test');
    require('./policies.test');
    require('./automations.test');
  }
  const lines: string[] = [];
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    runner.on('pass', (t) => lines.push(`ok - ${t.fullTitle()}`));
    runner.on('fail', (t, err: Error) => lines.push(`not ok - ${t.fullTitle()}: ${String(err?.message ?? err).replace(/\s*\n\s*/g, ' | ')}`));
  });
  if (process.env.TAGLINE_E2E_RESULTS) writeFileSync(process.env.TAGLINE_E2E_RESULTS, lines.join('\n') + '\n');
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
