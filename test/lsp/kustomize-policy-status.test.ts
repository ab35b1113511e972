// An ImagePolicy written as `flux-system/storefront` in a base that the Flux Kustomization applies in its
// targetNamespace (`shop/storefront`): the reconciler only knows the applied name, so its status comes back under
// `shop/storefront`; the base document's diagnostics and hover show it, naming the applied policy and its root.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Hover } from 'vscode-languageserver-protocol';
import type { ImagePolicyStatus } from '../../common/model';
import { PolicyStatusNotification, type PolicyStatusParams, type WorkspaceIndexParams } from '../../common/protocol';
import { brief, TestServer } from './harness';

const CLI = resolve(__dirname, '../../dist/cli.js');
const FIXTURE = resolve(__dirname, '../fixtures/kustomize/marked-repo');
const STOREFRONT = 'apps/base/storefront.yaml';
const ROOT = 'Kustomization flux-system/apps in clusters/prod/apps.yaml';
const at = '2026-11-30T04:00:00Z';
const condition = (type: 'Ready' | 'Stalled', status: 'True' | 'False', reason: string, message: string) =>
  ({ type, status, reason, message, lastTransitionTime: at, observedGeneration: 1 });

describe('the status of an ImagePolicy a root renames, on its base document', () => {
  const uri = pathToFileURL(join(FIXTURE, STOREFRONT)).href;
  const server = new TestServer({ rootUri: pathToFileURL(FIXTURE).href });
  before(async () => {
    const built = new Promise<void>((resolve) => {
      server.connection.onNotification('tagline/workspaceIndex', (params: WorkspaceIndexParams) => {
        if (params.imagePolicies?.some((p) => p.metadata.namespace === 'shop' && p.metadata.name === 'storefront')) resolve();
      });
    });
    await server.initialize();
    await built;
    await server.open(uri, readFileSync(join(FIXTURE, STOREFRONT), 'utf8'));
  });
  after(() => server.stop());

  async function send(params: PolicyStatusParams) {
    const next = server.nextDiagnostics(uri);
    await server.connection.sendNotification(PolicyStatusNotification, params);
    return (await next).diagnostics;
  }

  test('a failing condition of the applied policy lands on the base field, naming the applied policy and root', async () => {
    const stalled: ImagePolicyStatus = { observedGeneration: 1, conditions: [
      condition('Stalled', 'True', 'InvalidPolicy', 'invalid policy: improper constraint: >=x'),
      condition('Ready', 'False', 'InvalidPolicy', 'invalid policy: improper constraint: >=x'),
    ] };
    assert.deepEqual(brief(await send({ statuses: [{ key: 'shop/storefront', uri, status: stalled }], removed: [] })), [
      `17:2-17:8 1 InvalidPolicy invalid policy: improper constraint: >=x (ImagePolicy shop/storefront, ${ROOT})`,
    ]);
  });

  test('the policy hover shows Ready and latestRef of the applied policy, per root', async () => {
    const ready: ImagePolicyStatus = { observedGeneration: 1, conditions: [condition('Ready', 'True', 'Succeeded', 'Latest image tag for 127.0.0.1:9/acme/storefront resolved to 1.10.0')],
      latestRef: { name: '127.0.0.1:9/acme/storefront', tag: '1.10.0' } };
    assert.deepEqual(await send({ statuses: [{ key: 'shop/storefront', uri, status: ready }], removed: [] }), []);
    const hover = await server.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 10, character: 2 } });
    const value = (hover?.contents as { value: string }).value;
    assert.ok(value.startsWith(`Applied as \`shop/storefront\` (${ROOT}):\n\nReady=True (Succeeded): Latest image tag for 127.0.0.1:9/acme/storefront resolved to 1.10.0\n\nstatus.latestRef: \`127.0.0.1:9/acme/storefront:1.10.0\``), value);
  });

  test('tagline scan reconciles the policy under the name the root applies it as', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tagline-renamed-scan-'));
    try {
      // The registry 127.0.0.1:9 refuses connections: the scan fails, the policy is still reported.
      const run = spawnSync(process.execPath, [CLI, 'scan', '.', '--db', join(dir, 'tags.db'), '--format', 'json'], { cwd: FIXTURE, encoding: 'utf8', timeout: 120_000 });
      const report = JSON.parse(run.stdout) as { policies?: { object: { metadata: { namespace?: string; name: string } } }[] };
      const names = JSON.stringify(report).match(/"kind":"ImagePolicy","metadata":\{[^}]*\}/g);
      assert.deepEqual(names, ['"kind":"ImagePolicy","metadata":{"name":"storefront","namespace":"shop"}']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
