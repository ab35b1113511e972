// The README's `npx tagline scan examples/` output, reproduced: the demo registries (`npm run registry`'s beds and
// seeds) on OS-chosen ports, a copy of examples/ pointing at them, and `dist/cli.js` run as `npx tagline` runs it.
// Only the LAST SCAN times (and the padding at the end of each row) may differ from the README; names, counts,
// checksums and column spacing must not.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startRegistryBed, type RegistryBed } from '../harness/registry-bed';
import { demoAuthSeed, demoCredentials, demoSeed } from '../harness/demo-registry';
import { Sandbox } from './reconciler-fixtures';

const ROOT = resolve(__dirname, '../..');
const TIME = /\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\b/g;

/** The fenced block after the sentence that introduces `npx tagline scan examples/` in README.md. */
function readmeScanOutput(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const from = readme.indexOf('`npx tagline scan examples/` prints');
  assert.ok(from >= 0, 'README.md introduces the output of `npx tagline scan examples/`');
  const block = /```\n([\s\S]*?)```/.exec(readme.slice(from));
  assert.ok(block, 'a fenced block follows');
  return block[1]!;
}

function yamlFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

describe('the README\'s tagline scan examples/', () => {
  let plain: RegistryBed;
  let auth: RegistryBed;
  const sandbox = new Sandbox();

  before(async () => {
    [plain, auth] = await Promise.all([
      startRegistryBed({ variant: 'plain', shim: true, seed: demoSeed }),
      startRegistryBed({ variant: 'basic', credentials: demoCredentials, seed: demoAuthSeed }),
    ]);
  });
  after(async () => {
    await sandbox.dispose();
    await Promise.all([plain?.stop(), auth?.stop()]);
  });

  it('prints the table in the README, times aside', async () => {
    const examples = sandbox.path('examples');
    cpSync(join(ROOT, 'examples'), examples, { recursive: true });
    const plainPort = plain.host.split(':')[1]!;
    const moveHosts = (text: string) => text
      .replaceAll('127.0.0.1:5050', plain.host)
      .replaceAll('localhost:5050', `localhost:${plainPort}`)
      .replaceAll('127.0.0.1:5051', auth.host);
    for (const file of yamlFiles(examples)) {
      // Docker config Secrets name the registry inside their base64 data too.
      const text = moveHosts(readFileSync(file, 'utf8')).replace(/(\.dockerconfigjson: )(\S+)/g, (_, key: string, data: string) =>
        key + Buffer.from(moveHosts(Buffer.from(data, 'base64').toString('utf8'))).toString('base64'));
      writeFileSync(file, text);
    }
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), 'scan', examples, '--db', sandbox.path('tags.sqlite')], {
        env: { ...sandbox.env, TZ: 'UTC' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => done({ code, stdout, stderr }));
    });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    // tablewriter pads the last column and ends each row with a tab; the README leaves that invisible tail out.
    const shown = (text: string) => text.replace(TIME, '<time>').split('\n').map((line) => line.trimEnd());
    assert.deepEqual(shown(run.stdout), shown(readmeScanOutput()));
  });
});
