// `tagline check` on repositories laid out like those in the field: only what Flux applies is a problem.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { CLI_TIMEOUT_MS } from './harness';

const ROOT = resolve(__dirname, '../..');
const CLI = resolve(ROOT, 'dist/cli.js');
const FIXTURES = 'test/fixtures/applied';

function run(...args: string[]) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const child = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** `file:line:col severity code` of each finding (the header line dropped). */
function findings(stdout: string): string[] {
  return stdout.split('\n').slice(1).filter(Boolean).map((l) => l.split(' ').slice(0, 3).join(' '));
}

describe('tagline check judges only what a Flux Kustomization applies', () => {
  test('a homelab on Flux 2.6: v1beta2 served, an e2e assertion and committed helm output are one information each, exit 0', () => {
    const { code, stdout, stderr } = run('check', `${FIXTURES}/homelab`);
    assert.equal(stderr, '');
    assert.equal(code, 0, stdout);
    assert.deepEqual(findings(stdout), [
      `${FIXTURES}/homelab/apps/base/podinfo/deployment.yaml:19:48 warning marker.policyNotApplied`,
      // podinfo:podinfo: no such policy (information) and the automation reads only flux-system (warning), as in a file no root reads.
      `${FIXTURES}/homelab/apps/base/podinfo/deployment.yaml:21:48 information marker.policyNotFound`,
      `${FIXTURES}/homelab/apps/base/podinfo/deployment.yaml:21:48 warning marker.policyNotSeen`,
      `${FIXTURES}/homelab/apps/base/podinfo/image-automation.yaml:1:13 information apiVersion.removedLater`,
      `${FIXTURES}/homelab/apps/base/podinfo/image-automation.yaml:10:13 information apiVersion.removedLater`,
      `${FIXTURES}/homelab/clusters/home/image-update.yaml:1:13 information apiVersion.removedLater`,
      `${FIXTURES}/homelab/clusters/home/infra/monitor.yaml:17:48 warning marker.outsideAutomations`,
      `${FIXTURES}/homelab/examples/redis-policy.yaml:2:13 information kustomize.notApplied`,
      `${FIXTURES}/homelab/examples/rendered.yaml:2:13 information kustomize.notApplied`,
      `${FIXTURES}/homelab/tests/e2e/assert-imagerepository.yaml:2:13 information kustomize.notApplied`,
    ]);
    assert.match(stdout, /\/tests\/e2e\/assert-imagerepository\.yaml:2:13 information kustomize\.notApplied not applied by any Flux Kustomization in this workspace \(3 problems not reported: apiVersion\.unserved, schema\.required, image\.tag\)\n/);
  });

  test('a fleet with clusters/*/ Kustomizations: an overlay folder no cluster builds is not applied', () => {
    const { code, stdout } = run('check', `${FIXTURES}/fleet`, '--format', 'json');
    assert.equal(code, 0, stdout);
    const parsed = JSON.parse(stdout) as { file: string; severity: string; code: string; message: string }[];
    assert.deepEqual(parsed.map((f) => `${f.file} ${f.severity} ${f.code}`), [
      `${FIXTURES}/fleet/infrastructure/retired/old-api.yaml information kustomize.notApplied`,
    ]);
  });

  test("the image-update guide's layout has nothing to report", () => {
    const { code, stdout } = run('check', `${FIXTURES}/image-update-guide`);
    assert.equal(code, 0);
    assert.deepEqual(findings(stdout), []);
  });

  test('without any Flux Kustomization every file counts, as before', () => {
    const folder = mkdtempSync(join(tmpdir(), 'tagline-applied-'));
    try {
      cpSync(resolve(ROOT, FIXTURES, 'homelab/tests'), join(folder, 'tests'), { recursive: true });
      const { code, stdout } = run('check', folder);
      assert.equal(code, 1);
      assert.deepEqual(findings(stdout).map((f) => f.split(' ').slice(1).join(' ')), ['error schema.required', 'error image.tag']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('tagline scan never skips in silence', () => {
  test('lists each ImageRepository it does not scan in --format json, with the reason, and exits 1', () => {
    const folder = mkdtempSync(join(tmpdir(), 'tagline-skipped-'));
    try {
      cpSync(resolve(ROOT, FIXTURES, 'homelab/tests'), join(folder, 'tests'), { recursive: true });
      const { code, stdout, stderr } = run('scan', folder, '--db', join(folder, 'tags.db'), '--format', 'json');
      assert.equal(code, 1, stderr);
      assert.deepEqual(JSON.parse(stdout), [{
        apiVersion: 'image.toolkit.fluxcd.io/v1',
        kind: 'ImageRepository',
        metadata: { name: 'podinfo', namespace: 'flux-system' },
        notScanned: { reason: 'spec.interval is missing', file: `${basename(folder)}/tests/e2e/assert-imagerepository.yaml`, line: 1 },
      }]);
      assert.doesNotMatch(stderr, /no ImageRepository objects found/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('names each file whose ImageRepositories no Flux Kustomization applies, and does not scan them', () => {
    const folder = mkdtempSync(join(tmpdir(), 'tagline-not-applied-'));
    try {
      mkdirSync(join(folder, 'clusters/home'), { recursive: true });
      cpSync(resolve(ROOT, FIXTURES, 'homelab/clusters/home/apps.yaml'), join(folder, 'clusters/home/apps.yaml'));
      cpSync(resolve(ROOT, FIXTURES, 'homelab/examples'), join(folder, 'examples'), { recursive: true });
      writeFileSync(join(folder, 'examples/more.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n');
      const { code, stdout, stderr } = run('scan', folder, '--db', join(folder, 'tags.db'), '--format', 'json');
      assert.equal(stdout, '');
      assert.equal(stderr, `tagline scan: ${relative(ROOT, join(folder, 'examples/rendered.yaml'))}: not applied by any Flux Kustomization in this workspace; its ImageRepositories are not scanned\n`);
      assert.equal(code, 0);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
