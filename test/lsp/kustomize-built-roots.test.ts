// Roots that are themselves built objects (common/kustomize/builtRoots.ts) on a workspace laid out like
// hmcts/sds-flux-config: `tagline check` and the language server over stdio report the same findings, with the chain
// of Kustomizations that applies each object, and tell the folder no cluster applies from those the clusters apply.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { WorkspaceIndexParams } from '../../common/protocol';
import { brief, TestServer } from './harness';

const ROOT = resolve(__dirname, '../..');
const CLI = resolve(ROOT, 'dist/cli.js');
const FIXTURE = resolve(__dirname, '../fixtures/real/hmcts-clusters');

const CHAIN = '(Kustomization flux-system/shop built by Kustomization flux-system/flux-system built by kustomization clusters/prod/00, '
  + 'Kustomization flux-system/shop built by Kustomization flux-system/flux-system built by kustomization clusters/prod/01)';
const RANGE = `invalid policy: improper constraint: "not a range" ${CHAIN}`;
const ORPHAN = 'not applied by any Flux Kustomization in this workspace (1 problem not reported: schema.required)';

describe('roots from built Flux Kustomizations', () => {
  const root = mkdtempSync(join(tmpdir(), 'tagline-built-roots-'));
  cpSync(FIXTURE, root, { recursive: true });
  const uri = (path: string) => pathToFileURL(join(root, path)).href;
  const server = new TestServer({ rootUri: pathToFileURL(root).href });
  /** The first index that holds the app's ImageRepository as its cluster applies it (namespace shop, interval patched). */
  let built: Promise<void>;
  before(async () => {
    built = new Promise((resolve) => {
      server.connection.onNotification('tagline/workspaceIndex', (params: WorkspaceIndexParams) => {
        if (params.imageRepositories.some((r) => r.metadata.name === 'shop' && r.metadata.namespace === 'shop')) resolve();
      });
    });
    await server.initialize();
  });
  after(async () => {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('tagline check builds each app as its clusters apply it, and tells the orphan folder from the applied ones', () => {
    const run = spawnSync(process.execPath, [CLI, 'check', root, '--format', 'json'], { cwd: root, encoding: 'utf8', timeout: 180_000 });
    assert.equal(run.stderr, '');
    const findings = JSON.parse(run.stdout) as { file: string; range: { start: { line: number; character: number } }; code: string; message: string }[];
    assert.deepEqual(findings.map((f) => `${f.file}:${f.range.start.line}:${f.range.start.character} ${f.code} ${f.message}`), [
      `apps/shop/base/image-policy.yaml:9:13 policy.semver.range ${RANGE}`,
      `apps/shop/test/base/image-repo.yaml:4:0 kustomize.notApplied ${ORPHAN}`,
    ]);
  });

  test('the language server agrees: the substituted value is an error where the variable is named', async () => {
    await built;
    const diagnostics = await server.open(uri('apps/shop/base/image-policy.yaml'), readFileSync(join(root, 'apps/shop/base/image-policy.yaml'), 'utf8'));
    assert.deepEqual(brief(diagnostics), [`9:13-9:39 1 policy.semver.range ${RANGE}`]);
  });

  test('the language server agrees: the folder no cluster applies is one information', async () => {
    await built;
    const diagnostics = await server.open(uri('apps/shop/test/base/image-repo.yaml'), readFileSync(join(root, 'apps/shop/test/base/image-repo.yaml'), 'utf8'));
    assert.deepEqual(brief(diagnostics), [`4:0-4:4 3 kustomize.notApplied ${ORPHAN}`]);
  });

  test('the language server agrees: an applied base gets nothing, its interval coming from the applied folder', async () => {
    await built;
    const diagnostics = await server.open(uri('apps/shop/base/image-repo.yaml'), readFileSync(join(root, 'apps/shop/base/image-repo.yaml'), 'utf8'));
    assert.deepEqual(brief(diagnostics), []);
  });
});
