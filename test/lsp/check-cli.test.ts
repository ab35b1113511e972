// `tagline check` runs the server's validation in process and prints the same diagnostics.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';

const ROOT = resolve(__dirname, '../..');
const CLI = resolve(ROOT, 'dist/cli.js');

function check(...args: string[]) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const run = spawnSync(process.execPath, [CLI, 'check', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('tagline check', () => {
  test('prints JSON diagnostics for a folder and exits 1 when there is an error', () => {
    const { code, stdout } = check('test/fixtures/lsp/check', '--format', 'json');
    assert.equal(code, 1);
    const findings = JSON.parse(stdout) as { file: string; range: { start: { line: number; character: number } }; severity: string; code: string; source: string; message: string }[];
    assert.deepEqual(findings.map((f) => `${f.file}:${f.range.start.line}:${f.range.start.character} ${f.severity} ${f.code}`), [
      'test/fixtures/lsp/check/repos.yaml:7:9 error image.tag',
      'test/fixtures/lsp/check/repos.yaml:10:10 warning secretRef.wrongType',
      'test/fixtures/lsp/check/repos.yaml:12:12 error apiVersion.deprecated',
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
      "test/fixtures/lsp/clean/repo.yaml:10:11 information secretRef.notFound Secret 'flux-system/not-in-git' is not in the workspace; it may exist only in the cluster.\n");
  });

  test('fails clearly on a missing path or a bad option', () => {
    assert.deepEqual(check('test/fixtures/lsp/nope'), { code: 2, stdout: '', stderr: 'tagline: no such file or folder: test/fixtures/lsp/nope\n' });
    const bad = check('test/fixtures/lsp/clean', '--format', 'xml');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^tagline check: unknown format 'xml'\nusage: tagline check/);
  });
});
