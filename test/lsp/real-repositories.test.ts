// `tagline check` on shapes reduced from public Flux repositories (docs/real-repositories.md), where it reported
// errors Flux would not: each case must come out as Flux sees it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { CLI_TIMEOUT_MS } from './harness';

const ROOT = resolve(__dirname, '../..');
const CLI = resolve(ROOT, 'dist/cli.js');
const FIXTURES = 'test/fixtures/real';

function check(...folders: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, 'check', ...folders], { cwd: ROOT, timeout: CLI_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** `file:line:col severity code` of each finding (the header line dropped). */
function findings(stdout: string): string[] {
  return stdout.split('\n').slice(1).filter(Boolean).map((l) => l.split(' ').slice(0, 3).join(' '));
}

// A folder whose name kustomize's in-memory file system refuses (`^[a-zA-Z0-9-_.:]+$`): a space and a `+`.
const odd = mkdtempSync(join(tmpdir(), 'tagline-real-'));
const oddFolder = join(odd, 'My Projects+team');
cpSync(resolve(ROOT, FIXTURES, 'generator-files'), oddFolder, { recursive: true });
after(() => rmSync(odd, { recursive: true, force: true }));

// One run for the cases below but own-source (their Flux Kustomizations resolve inside their own folders), then the odd folder:
// each run starts its own kustomize modules, and two at a time on a loaded 2-core machine only slows both.
const all = check(...['generator-files', 'foreign-sources', 'offline-patch', 'hmcts-shapes'].map((f) => `${FIXTURES}/${f}`));
const inOdd = all.then(() => check(oddFolder));
// A workspace of its own: foreign-sources commits a bootstrap source, which would make `tracker` another repository.
const ownSource = inOdd.then(() => check(`${FIXTURES}/own-source`));
const of = (run: Promise<{ code: number | null; stdout: string; stderr: string }>, folder: string) => run.then((r) => ({
  ...r, found: findings(r.stdout).filter((f) => f.startsWith(`${folder}/`)),
}));

describe('tagline check on shapes from public Flux repositories', () => {
  test('a configMapGenerator reads its JSON file as Flux does (canada-ca/tracker): no finding', async () => {
    const { stderr, found } = await of(all, `${FIXTURES}/generator-files`);
    assert.equal(stderr, '');
    assert.deepEqual(found, []);
  });

  test('a workspace under a folder named "My Projects+team" builds like any other', async () => {
    const { code, stdout, stderr } = await inOdd;
    assert.equal(stderr, '');
    assert.deepEqual(findings(stdout), []);
    assert.equal(code, 0);
  });

  test('Kustomizations of another repository, branch or ExternalArtifact, and a partial one, are not built here; `../` stays in the source (flux2-multi-tenancy, flux2-kustomize-helm-example, radix-flux)', async () => {
    const { stderr, found } = await of(all, `${FIXTURES}/foreign-sources`);
    assert.equal(stderr, '');
    assert.deepEqual(found, []);
  });

  test('the repository\'s own GitRepository, declared in a file of its own, is this repository (canada-ca/tracker): its Kustomization is built and judged', async () => {
    const { found } = await of(ownSource, `${FIXTURES}/own-source`);
    assert.deepEqual(found, [`${FIXTURES}/own-source/apps/image-repository.yaml:6:1 error schema.required`]);
  });

  test('a Kustomization without sourceRef is a patch\'s partial object, not built alone; a folder whose only resource is remote builds empty (hmcts/sds-flux-config)', async () => {
    const { stderr, found } = await of(all, `${FIXTURES}/hmcts-shapes`);
    assert.equal(stderr, '');
    assert.deepEqual(found, [`${FIXTURES}/hmcts-shapes/apps/cert-manager/kustomization.yaml:5:5 information kustomize.notApplied`]);
  });

  test('a patch whose target is in a remote base Tagline did not fetch is information, not an error (ipni/storetheindex)', async () => {
    const { code, stdout, stderr, found } = await of(all, `${FIXTURES}/offline-patch`);
    assert.equal(stderr, '');
    assert.deepEqual(found, [
      `${FIXTURES}/offline-patch/clusters/prod/cluster.yaml:10:9 information kustomize.build`,
      `${FIXTURES}/offline-patch/ingress/kustomization.yaml:4:5 warning kustomize.offline`,
    ]);
    assert.match(stdout, /no matches for Id Deployment\.v1\.apps\/ingress-nginx-controller\.ingress-nginx; .* \(its target may be in a remote base or Helm chart, which Tagline does not fetch; Flux does\)/);
    // Nothing in these cases is an error, so the whole run exits 0.
    assert.equal(code, 0, stdout);
  });
});
