// `tagline check` runs the server's validation in process and prints the same diagnostics.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { CLI_TIMEOUT_MS } from './harness';

const ROOT = resolve(__dirname, '../..');
const CLI = resolve(ROOT, 'dist/cli.js');

function check(...args: string[]) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const run = spawnSync(process.execPath, [CLI, 'check', ...args], { cwd: ROOT, encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('tagline check', () => {
  test('--kustomize-timeout sets the CPU time a kustomize build may use; a build over it is the root\'s error, saying what to do', () => {
    const folder = mkdtempSync(join(tmpdir(), 'tagline-check-timeout-'));
    try {
      writeFileSync(join(folder, 'kustomization.yaml'), `resources:\n${Array.from({ length: 50 }, (_, i) => `  - repo-${i}.yaml`).join('\n')}\n`);
      for (let i = 0; i < 50; i++) writeFileSync(join(folder, `repo-${i}.yaml`), `apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: repo-${i}\nspec:\n  image: ghcr.io/acme/repo-${i}\n`);
      const { code, stdout } = check(folder, '--format', 'json', '--kustomize-timeout', '0.001');
      assert.equal(code, 1);
      const findings = JSON.parse(stdout) as { file: string; code: string; message: string }[];
      assert.deepEqual(findings.map((f) => [f.file.endsWith('/kustomization.yaml'), f.code, f.message]), [[true, 'kustomize.build',
        'kustomize build did not finish within 0.001s of CPU time: if the root is just large, raise the budget (setting tagline.kustomize.buildTimeout, or tagline check --kustomize-timeout SECONDS) (kustomization .)']]);
      const bad = check(folder, '--kustomize-timeout=0');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^tagline check: --kustomize-timeout needs a positive number of seconds \(CPU time one kustomize build may use; default 30\)\nusage: /);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('stops quietly when the reader closes the pipe early, as `| head` does', async () => {
    // More output than a pipe holds, so the CLI is still writing when the reader goes away.
    const folder = mkdtempSync(join(tmpdir(), 'tagline-check-pipe-'));
    const doc = (i: number) => `apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: r${i}\nspec:\n  image: ghcr.io/org/app:${i}\n  interval: 5m\n`;
    writeFileSync(join(folder, 'many.yaml'), Array.from({ length: 2000 }, (_, i) => doc(i)).join('---\n'));
    const child = spawn(process.execPath, [CLI, 'check', folder], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.stdout.once('data', () => child.stdout.destroy());
    await new Promise((done) => child.on('close', done));
    rmSync(folder, { recursive: true, force: true });
    assert.equal(stderr, '');
  });

  test('prints JSON diagnostics for a folder and exits 1 when there is an error', () => {
    const { code, stdout } = check('test/fixtures/lsp/check', '--format', 'json');
    assert.equal(code, 1);
    const findings = JSON.parse(stdout) as { file: string; range: { start: { line: number; character: number } }; severity: string; code: string; source: string; message: string }[];
    assert.deepEqual(findings.map((f) => `${f.file}:${f.range.start.line}:${f.range.start.character} ${f.severity} ${f.code}`), [
      'test/fixtures/lsp/check/repos.yaml:7:9 error image.tag',
      'test/fixtures/lsp/check/repos.yaml:10:10 warning secretRef.wrongType',
      'test/fixtures/lsp/check/repos.yaml:12:12 warning apiVersion.unknownFlux',
      'test/fixtures/lsp/check/repos.yaml:18:9 error image.scheme',
      'test/fixtures/lsp/check/repos.yaml:19:12 error schema.pattern',
      'test/fixtures/lsp/check/repos.yaml:20:11 error schema.pattern',
      'test/fixtures/lsp/check/repos.yaml:21:12 error schema.enum',
      'test/fixtures/lsp/check/repos.yaml:23:6 error exclusionList.invalidRegex',
      'test/fixtures/lsp/check/repos.yaml:29:8 error schema.pattern',
      'test/fixtures/lsp/check/repos.yaml:33:11 warning timeout.exceedsInterval',
      'test/fixtures/lsp/check/repos.yaml:34:2 warning exclusionList.empty',
      'test/fixtures/lsp/check/repos.yaml:36:10 warning certSecretRef.deprecatedKeys',
      'test/fixtures/lsp/check/repos.yaml:38:10 information proxySecretRef.notFound',
      'test/fixtures/lsp/check/repos.yaml:39:2 error schema.unknownField',
    ]);
    assert.deepEqual(findings[0], {
      file: 'test/fixtures/lsp/check/repos.yaml',
      range: { start: { line: 7, character: 9 }, end: { line: 7, character: 43 } },
      severity: 'error',
      code: 'image.tag',
      source: 'tagline',
      message: "image 'ghcr.io/stefanprodan/podinfo:6.5.0' should not include a tag; remove ':6.5.0'",
    });
  });

  test('prints path:line:col severity code message and exits 0 without errors', () => {
    const { code, stdout } = check('test/fixtures/lsp/clean/repo.yaml');
    assert.equal(code, 0);
    assert.equal(stdout,
      'Flux version: unknown (no gotk-components.yaml, Flux install manifest or FluxInstance found; set tagline.fluxVersion)\n' +
      "test/fixtures/lsp/clean/repo.yaml:10:11 information secretRef.notFound Secret 'flux-system/not-in-git' is not in the workspace; it may exist only in the cluster.\n");
  });

  test('judges a repository by the Flux version in its gotk-components.yaml, and names it in the header', () => {
    const pinned = check('test/fixtures/flux/pinned-2.6');
    assert.equal(pinned.code, 0, pinned.stdout);
    assert.equal(pinned.stdout.split('\n')[0],
      'Flux version: Flux 2.6.4 from the "# Flux Version" header in clusters/production/flux-system/gotk-components.yaml');
    assert.deepEqual(pinned.stdout.split('\n').slice(1).filter(Boolean).map((l) => l.split(' ').slice(0, 3).join(' ')), [
      'test/fixtures/flux/pinned-2.6/clusters/production/apps/image-automation.yaml:1:13 information apiVersion.removedLater',
      'test/fixtures/flux/pinned-2.6/clusters/production/apps/image-automation.yaml:10:13 information apiVersion.removedLater',
      'test/fixtures/flux/pinned-2.6/clusters/production/apps/image-automation.yaml:22:13 information apiVersion.removedLater',
    ]);
    const at29 = check('test/fixtures/flux/at-2.9');
    assert.equal(at29.code, 1);
    assert.equal(at29.stdout.split('\n')[1],
      'test/fixtures/flux/at-2.9/clusters/production/apps/image-automation.yaml:1:13 error apiVersion.unserved image.toolkit.fluxcd.io/v1beta2 ImageRepository is not served by Flux 2.9.5, from the "# Flux Version" header in clusters/production/flux-system/gotk-components.yaml (image-reflector-controller v1.2.5 serves v1). (Kustomization flux-system/flux-system in clusters/production/flux-system/gotk-sync.yaml)');
  });

  test('--flux-version wins over the manifests, and a bad one is refused', () => {
    const run = check('test/fixtures/flux/at-2.9', '--flux-version', '2.8.x');
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.stdout.split('\n')[0], 'Flux version: Flux 2.8.8 (2.8.x) from --flux-version');
    assert.match(run.stdout, /:1:13 warning apiVersion\.deprecated v1beta2 ImageRepository is deprecated, upgrade to v1 \(Flux 2\.8\.8 \(2\.8\.x\), from --flux-version\)\. Flux 2\.9 \(image-reflector-controller v1\.2\.5\) no longer serves it\. \(Kustomization flux-system\/flux-system in clusters\/production\/flux-system\/gotk-sync\.yaml\)\n/);
    assert.deepEqual(check('test/fixtures/flux/at-2.9', '--flux-version', 'newest'), {
      code: 2, stdout: '', stderr: 'tagline check: --flux-version "newest" is not a Flux version or range Tagline knows (e.g. 2.6.4, 2.x)\n',
    });
  });

  test('leaves Helm chart templates alone: one information per file, exit 0, nothing on stderr', () => {
    const { code, stdout, stderr } = check('test/fixtures/chart');
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.deepEqual(stdout.trim().split('\n').slice(1).map((line) => line.split(' ').slice(0, 3).join(' ')), [
      'test/fixtures/chart/charts/sub/templates/repo.yaml:1:1 information template.skipped',
      'test/fixtures/chart/templates/imagerepository.yaml:1:1 information template.skipped',
      'test/fixtures/chart/templates/plain.yaml:1:1 information template.skipped',
    ]);
  });

  test('prints nothing on stderr for any input in examples/', () => {
    assert.equal(check('examples').stderr, '');
  });

  test('fails clearly on a missing path or a bad option', () => {
    assert.deepEqual(check('test/fixtures/lsp/nope'), { code: 2, stdout: '', stderr: 'tagline: no such file or folder: test/fixtures/lsp/nope\n' });
    const bad = check('test/fixtures/lsp/clean', '--format', 'xml');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^tagline check: unknown format 'xml'\nusage: tagline check/);
  });
});
