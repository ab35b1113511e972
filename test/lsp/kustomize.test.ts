// Objects as Flux applies them: kustomize roots (Flux Kustomizations and top kustomization folders) are built with
// the real kustomize (WebAssembly), and `tagline check` and the language server over stdio report the same findings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CompletionItem, Diagnostic } from 'vscode-languageserver-protocol';
import type { WorkspaceIndexParams } from '../../common/protocol';
import { brief, CLI_TIMEOUT_MS, TestServer } from './harness';

const ROOT = resolve(__dirname, '../..');
const CLI = resolve(ROOT, 'dist/cli.js');
const FIXTURE = resolve(__dirname, '../fixtures/kustomize/flux-repo');

const UNMATCHED = 'patch target (kind: ImageRepository, labelSelector: team=payments) matches no resource; the patch changes nothing (Kustomization flux-system/image-repos in clusters/prod/image-repos.yaml, Kustomization flux-system/image-repos in clusters/staging/image-repos.yaml)';
const PATCH_FINDING = '"1 minute" is not a valid interval: use a Go duration with the units ms, s, m or h, e.g. 5m or 1h30m. (Kustomization flux-system/apps in clusters/prod/apps.yaml)';

describe('kustomize roots', () => {
  const root = mkdtempSync(join(tmpdir(), 'tagline-kustomize-'));
  cpSync(FIXTURE, root, { recursive: true });
  const uri = (path: string) => pathToFileURL(join(root, path)).href;
  const server = new TestServer({ rootUri: pathToFileURL(root).href });
  let index: WorkspaceIndexParams | undefined;
  /** The first index sent after the roots were built (the one before lists the files as written). */
  let built: Promise<void>;
  before(async () => {
    built = new Promise((resolve) => {
      server.connection.onNotification('tagline/workspaceIndex', (params: WorkspaceIndexParams) => {
        index = params;
        if (params.imageRepositories.some((r) => r.metadata.name.startsWith('prod-'))) resolve();
      });
    });
    await server.initialize();
  });
  after(async () => {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** Diagnostics of `path` opened once the roots are built. */
  async function openBuilt(path: string): Promise<Diagnostic[]> {
    await built;
    return server.open(uri(path), readFileSync(join(root, path), 'utf8'));
  }

  test('tagline check reports only what Flux would not apply', () => {
    const run = spawnSync(process.execPath, [CLI, 'check', root, '--format', 'json'], { cwd: root, encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
    assert.equal(run.stderr, '');
    const findings = JSON.parse(run.stdout) as { file: string; range: { start: { line: number; character: number } }; code: string; message: string }[];
    assert.deepEqual(findings.map((f) => `${f.file}:${f.range.start.line}:${f.range.start.character} ${f.code} ${f.message}`), [
      `clusters/prod/apps.yaml:22:10 schema.pattern ${PATCH_FINDING}`,
      `infrastructure/image-repos/base/kustomization.yaml:15:4 kustomize.patchTargetUnmatched ${UNMATCHED}`,
    ]);
    assert.equal(run.status, 1);
  });

  test('a base without interval gets no error when every root patches one in', async () => {
    const diagnostics = await openBuilt('infrastructure/image-repos/base/podinfo.yaml');
    assert.deepEqual(brief(diagnostics), []);
  });

  test('a patch file is never validated as a whole object', async () => {
    const diagnostics = await openBuilt('infrastructure/image-repos/base/interval-patch.yaml');
    assert.deepEqual(brief(diagnostics), []);
  });

  test('a patch whose target selects nothing gets a warning on its target, once for every root', async () => {
    const diagnostics = await openBuilt('infrastructure/image-repos/base/kustomization.yaml');
    assert.deepEqual(brief(diagnostics), [`15:4-15:10 2 kustomize.patchTargetUnmatched ${UNMATCHED}`]);
  });

  test('a field a Flux Kustomization patch makes invalid is reported on that Kustomization', async () => {
    const diagnostics = await openBuilt('clusters/prod/apps.yaml');
    assert.deepEqual(brief(diagnostics), [`22:10-22:18 1 schema.pattern ${PATCH_FINDING}`]);
  });

  test('completes ImageRepository names and namespaces from the objects as applied', async () => {
    await built;
    const policy = uri('policies/new.yaml');
    const text = 'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata:\n  name: p\n  namespace: flux-system\nspec:\n  imageRepositoryRef:\n    namespace: image-automation\n    name: \n  policy:\n    semver:\n      range: 1.x\n';
    await server.open(policy, text);
    const labels = async (line: number, character: number) => {
      const result = await server.request<CompletionItem[] | { items: CompletionItem[] }>('textDocument/completion', { textDocument: { uri: policy }, position: { line, character } });
      return (Array.isArray(result) ? result : result.items).map((i) => i.label).sort();
    };
    assert.deepEqual(await labels(8, 10), ['prod-backend', 'prod-podinfo']);
    const namespaces = await labels(7, 15);
    assert.ok(namespaces.includes('image-automation') && !namespaces.includes('default'), namespaces.join(', '));
  });

  test('the reconciler gets the ImageRepositories as applied, with the namespaces and names of each root', async () => {
    await built;
    assert.ok(index);
    assert.deepEqual(index.imageRepositories.map((r) => `${r.metadata.namespace}/${r.metadata.name} ${r.spec.image} ${r.spec.interval}`).sort(), [
      'flux-system/staging-backend 123456789012.dkr.ecr.eu-west-1.amazonaws.com/backend 5m',
      'flux-system/staging-podinfo docker.io/stefanprodan/podinfo 5m',
      'image-automation/prod-backend 123456789012.dkr.ecr.eu-west-1.amazonaws.com/backend 5m',
      'image-automation/prod-podinfo ghcr.io/stefanprodan/podinfo 5m',
    ]);
    const podinfo = index.imageRepositories.find((r) => r.metadata.name === 'prod-podinfo');
    assert.equal(podinfo?.source?.uri, uri('infrastructure/image-repos/base/podinfo.yaml'));
  });
});

describe('hover on a base document', () => {
  const root = mkdtempSync(join(tmpdir(), 'tagline-kustomize-hover-'));
  cpSync(FIXTURE, root, { recursive: true });
  const server = new TestServer({ rootUri: pathToFileURL(root).href });
  let built: Promise<void>;
  before(async () => {
    built = new Promise((resolve) => {
      server.connection.onNotification('tagline/workspaceIndex', (params: WorkspaceIndexParams) => {
        if (params.imageRepositories.some((r) => r.metadata.name.startsWith('prod-'))) resolve();
      });
    });
    await server.initialize();
  });
  after(async () => {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('shows the object as applied per root and where inherited fields came from', async () => {
    await built;
    const uri = pathToFileURL(join(root, 'infrastructure/image-repos/base/podinfo.yaml')).href;
    await server.open(uri, readFileSync(join(root, 'infrastructure/image-repos/base/podinfo.yaml'), 'utf8'));
    const result = await server.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 2 } });
    const text = result?.contents.value ?? '';
    const prod = text.slice(text.indexOf('**As applied by Kustomization flux-system/image-repos in clusters/prod/image-repos.yaml**'));
    assert.deepEqual(prod.split('\n\n')[0].split('\n'), [
      '**As applied by Kustomization flux-system/image-repos in clusters/prod/image-repos.yaml**',
      '- `metadata.name: prod-podinfo` — from infrastructure/image-repos/overlays/prod/kustomization.yaml',
      '- `metadata.namespace: image-automation` — from clusters/prod/image-repos.yaml',
      '- `spec.image: ghcr.io/stefanprodan/podinfo` — postBuild substitution of clusters/prod/image-repos.yaml',
      '- `spec.interval: 5m` — from infrastructure/image-repos/base/interval-patch.yaml',
    ]);
  });
});
