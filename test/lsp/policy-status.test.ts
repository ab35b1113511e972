// The extension host's policy reconciler sends `tagline/policyStatus`; the server turns an ImagePolicy's
// conditions into diagnostics on the field they are about, shows Ready and latestRef in the policy hover, and
// names the reconciler's latestRef (not a re-evaluation of the stored tags) in the ImageRepository inlay hint.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Hover, InlayHint } from 'vscode-languageserver-protocol';
import type { ImagePolicyStatus } from '../../common/model';
import { PolicyStatusNotification, StatusNotification, type PolicyStatusParams } from '../../common/protocol';
import { brief, TestServer } from './harness';
import { storefrontPolicy, storefrontRepository } from '../fixtures/policies';

const URI = 'file:///ws/policy-status.yaml';
const TEXT = `${storefrontRepository()}---
${storefrontPolicy({ digestReflectionPolicy: 'IfNotPresent' })}`;

const at = '2026-11-29T12:00:00Z';
const condition = (type: 'Ready' | 'Stalled', status: 'True' | 'False', reason: string, message: string) =>
  ({ type, status, reason, message, lastTransitionTime: at, observedGeneration: 1 });
const digest = `sha256:${'4'.repeat(64)}`;
const READY: ImagePolicyStatus = {
  observedGeneration: 1,
  conditions: [condition('Ready', 'True', 'Succeeded', `Latest image tag for ghcr.io/acme/storefront resolved to 1.10.0 with digest ${digest}`)],
  latestRef: { name: 'ghcr.io/acme/storefront', tag: '1.10.0', digest },
};

describe('ImagePolicy statuses from the reconciler', () => {
  // The stored tags would select 2.0.0: the inlay must name the reconciler's 1.10.0 instead.
  const server = new TestServer({ storedTags: () => ['2.0.0', '1.10.0'] });
  before(async () => {
    await server.initialize();
    await server.open(URI, TEXT);
  });
  after(() => server.stop());

  async function send(params: PolicyStatusParams) {
    const next = server.nextDiagnostics(URI);
    await server.connection.sendNotification(PolicyStatusNotification, params);
    return (await next).diagnostics;
  }

  test('puts a failing Ready on the field it is about, with the controller reason and message', async () => {
    const denied: ImagePolicyStatus = { observedGeneration: -1, conditions: [condition('Ready', 'False', 'AccessDenied',
      "failed to get the referred ImageRepository: access denied: 'shop/storefront' can't be accessed due to missing ACL labels on 'accessFrom'")] };
    const diagnostics = await send({ statuses: [{ key: 'shop/storefront', uri: URI, status: denied }], removed: [] });
    assert.deepEqual(brief(diagnostics), [
      "15:2-15:20 2 AccessDenied failed to get the referred ImageRepository: access denied: 'shop/storefront' can't be accessed due to missing ACL labels on 'accessFrom'",
    ]);
    assert.equal(diagnostics[0].source, 'tagline (flux)');
  });

  test('shows Stalled InvalidPolicy as an error on spec.policy, and nothing once Ready', async () => {
    const stalled: ImagePolicyStatus = { observedGeneration: 1, conditions: [
      condition('Stalled', 'True', 'InvalidPolicy', 'invalid policy: improper constraint: >=x'),
      condition('Ready', 'False', 'InvalidPolicy', 'invalid policy: improper constraint: >=x'),
    ] };
    assert.deepEqual(brief(await send({ statuses: [{ key: 'shop/storefront', uri: URI, status: stalled }], removed: [] })), [
      '18:2-18:8 1 InvalidPolicy invalid policy: improper constraint: >=x',
    ]);
    assert.deepEqual(await send({ statuses: [{ key: 'shop/storefront', uri: URI, status: READY }], removed: [] }), []);
  });

  test('hovers the policy with its Ready condition and latestRef, and names latestRef in the repository inlay hint', async () => {
    await send({ statuses: [{ key: 'shop/storefront', uri: URI, status: READY }], removed: [] });
    await server.connection.sendNotification(StatusNotification, { removed: [], statuses: [{ key: 'shop/storefront', uri: URI, scanning: false, status: {
      observedGeneration: 1, canonicalImageName: 'ghcr.io/acme/storefront', conditions: [condition('Ready', 'True', 'Succeeded', 'successful scan: found 2 tags with checksum 1')],
      lastScanResult: { revision: '1', tagCount: 2, scanTime: at, latestTags: ['2.0.0', '1.10.0'] } } }] });
    const hover = await server.request<Hover>('textDocument/hover', { textDocument: { uri: URI }, position: { line: 12, character: 9 } });
    const text = (hover.contents as { value: string }).value;
    assert.match(text, new RegExp(`^Ready=True \\(Succeeded\\): Latest image tag for ghcr\\.io/acme/storefront resolved to 1\\.10\\.0 with digest ${digest}\\n\\nstatus\\.latestRef: \`ghcr\\.io/acme/storefront:1\\.10\\.0@${digest}\``));
    const hints = await server.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: URI }, range: { start: { line: 0, character: 0 }, end: { line: 30, character: 0 } } });
    const labels = hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')));
    assert.ok(labels.some((l) => l.includes('storefront → 1.10.0')), labels.join(' | '));
  });

  test('drops the diagnostics when the status is withdrawn', async () => {
    const denied: ImagePolicyStatus = { observedGeneration: -1, conditions: [condition('Ready', 'False', 'DependencyNotReady', 'retrying in 30s error: no tags in database')] };
    assert.equal((await send({ statuses: [{ key: 'shop/storefront', uri: URI, status: denied }], removed: [] })).length, 1);
    assert.deepEqual(await send({ statuses: [], removed: ['shop/storefront'] }), []);
  });
});
