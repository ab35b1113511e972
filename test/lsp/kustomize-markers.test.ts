// Image-update markers in files that kustomize roots read: the automation reads the marker in the file as written
// but names each setter after an ImagePolicy as Flux applied it (here in the Flux Kustomization's targetNamespace
// `shop`). `tagline check` and the language server over stdio report the same findings, and hover, inlay hints and
// quick fixes resolve the marker the same way.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import type { WorkspaceIndexParams } from '../../common/protocol';
import { brief, CLI_TIMEOUT_MS, TestServer } from './harness';

const CLI = resolve(__dirname, '../../dist/cli.js');
const FIXTURE = resolve(__dirname, '../fixtures/kustomize/marked-repo');
const DEPLOYMENT = 'apps/base/deployment.yaml';
const TAGS = ['1.2.0', '1.10.0', '0.9.0'];

const NOT_FOUND = "ImagePolicy 'shop/storefrnt' is not in the workspace; it may exist only in the cluster. Without it, the automation leaves this value alone.";
const APPLIED_AS = "ImagePolicy 'flux-system/storefront' is applied as 'shop/storefront' (Kustomization flux-system/apps in clusters/prod/apps.yaml). The automation matches a marker against the ImagePolicies as applied in the cluster, so it leaves this value alone.";

interface Finding { file: string; range: Diagnostic['range']; severity: string; code: string; message: string }

describe('markers in a file kustomize roots read', () => {
  const uri = pathToFileURL(join(FIXTURE, DEPLOYMENT)).href;
  const server = new TestServer({ rootUri: pathToFileURL(FIXTURE).href, storedTags: (name) => (name === '127.0.0.1:9/acme/storefront' ? TAGS : null) });
  let opened: Diagnostic[];
  before(async () => {
    // The roots are built once the index lists the ImageRepositories in the namespace the Flux Kustomization sets.
    const built = new Promise<void>((resolve) => {
      server.connection.onNotification('tagline/workspaceIndex', (params: WorkspaceIndexParams) => {
        if (params.imageRepositories.some((r) => r.metadata.namespace === 'shop')) resolve();
      });
    });
    await server.initialize();
    await built;
    opened = await server.open(uri, readFileSync(join(FIXTURE, DEPLOYMENT), 'utf8'));
  });
  after(() => server.stop());

  test('tagline check resolves them against the ImagePolicies as applied', () => {
    const run = spawnSync(process.execPath, [CLI, 'check', '.', '--format', 'json'], { cwd: FIXTURE, encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
    assert.equal(run.stderr, '');
    const findings = JSON.parse(run.stdout) as Finding[];
    assert.deepEqual(findings.map((f) => `${f.file}:${f.range.start.line}:${f.range.start.character} ${f.severity} ${f.code} ${f.message}`), [
      `${DEPLOYMENT}:17:51 information marker.policyNotFound ${NOT_FOUND}`,
      `${DEPLOYMENT}:19:51 warning marker.policyAppliedAs ${APPLIED_AS}`,
      'apps/base/interval-patch.yaml:5:12 error schema.pattern "every hour" is not a valid interval: use a Go duration with the units ms, s, m or h, e.g. 5m or 1h30m. (Kustomization flux-system/apps in clusters/prod/apps.yaml)',
    ]);
    assert.equal(run.status, 1);
  });

  test('the language server publishes the same marker findings as tagline check', () => {
    assert.deepEqual(brief(opened), [
      `17:51-17:87 3 marker.policyNotFound ${NOT_FOUND}`,
      `19:51-19:95 2 marker.policyAppliedAs ${APPLIED_AS}`,
    ]);
  });

  test('hover on a marker names the ImagePolicy as applied, what it selects and the automation that writes it', async () => {
    const result = await server.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line: 15, character: 20 } });
    // The Deployment's own hover (the object as applied) follows the marker's.
    assert.equal(result?.contents.value.split('\n\n---\n\n')[0], [
      'Image update marker of ImagePolicy `shop/storefront` (whole image).',
      'The automation writes `127.0.0.1:9/acme/storefront:1.10.0` here (now `127.0.0.1:9/acme/storefront:1.2.0`).',
      'Written by `shop/storefront` (ImageUpdateAutomation, update.path `./apps`).',
    ].join('\n\n'));
  });

  test('an inlay hint shows the value the automation would write, only where the policy resolves', async () => {
    const hints = await server.request<{ position: Diagnostic['range']['start']; label: string }[]>('textDocument/inlayHint', {
      textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 21, character: 0 } },
    });
    assert.deepEqual(hints.map((h) => `${h.position.line}:${h.position.character} ${h.label}`), ['15:50 → 127.0.0.1:9/acme/storefront:1.10.0']);
  });

  test('quick fixes update the marked value, and rename a marker to the ImagePolicy as applied', async () => {
    const at = (line: number) => server.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri }, range: { start: { line, character: 60 }, end: { line, character: 60 } }, context: { diagnostics: opened },
    });
    assert.deepEqual((await at(15)).map((a) => a.title), ['Update to 127.0.0.1:9/acme/storefront:1.10.0', 'Update all markers in this file']);
    const rename = (await at(19)).find((a) => a.title === 'Name the ImagePolicy as applied: shop:storefront');
    assert.deepEqual(rename?.edit?.changes?.[uri], [{ range: { start: { line: 19, character: 71 }, end: { line: 19, character: 93 } }, newText: 'shop:storefront' }]);
  });
});
