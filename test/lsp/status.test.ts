// The extension host's reconciler sends `tagline/status`; the server turns conditions into diagnostics on
// spec.image, an inlay hint and a hover with the latest tags.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Hover, InlayHint } from 'vscode-languageserver-protocol';
import type { ImageRepositoryStatus } from '../../common/model';
import { StatusNotification, type StatusParams } from '../../common/protocol';
import { brief, TestServer } from './harness';

const URI = 'file:///ws/status.yaml';
const TEXT = `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: podinfo
  namespace: flux-system
spec:
  image: ghcr.io/stefanprodan/podinfo
  interval: 5m
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: tagged
  namespace: flux-system
spec:
  image: ghcr.io/stefanprodan/podinfo:6.5.0
  interval: 5m
`;

// Times relative to when a status is made, not to when this file was loaded: the hover and the inlay hint read the
// server's clock when asked, so the age they show counts from the status sent just before.
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z');
const condition = (type: 'Ready' | 'Reconciling' | 'Stalled', status: 'True' | 'False' | 'Unknown', reason: string, message: string) =>
  ({ type, status, reason, message, lastTransitionTime: iso(0), observedGeneration: 1 });

/**
 * A Ready status scanned 3½ minutes before it is made: "3 minutes ago" (ages are floored) for the next 30 s, however
 * long the tests before took on a loaded machine.
 */
const ready = (): ImageRepositoryStatus => ({
  observedGeneration: 1,
  canonicalImageName: 'ghcr.io/stefanprodan/podinfo',
  conditions: [condition('Ready', 'True', 'Succeeded', 'successful scan: found 12 tags with checksum 1943865137')],
  lastScanResult: { revision: '1943865137', tagCount: 12, scanTime: iso(3 * 60_000 + 30_000), latestTags: ['6.5.0', '6.4.1', '6.4.0'] },
});

describe('reconciler statuses', () => {
  const server = new TestServer();
  before(async () => {
    await server.initialize();
    await server.open(URI, TEXT);
  });
  after(() => server.stop());

  async function send(params: StatusParams) {
    const next = server.nextDiagnostics(URI);
    await server.connection.sendNotification(StatusNotification, params);
    return (await next).diagnostics;
  }

  test('shows Ready=False with the controller reason and message on spec.image', async () => {
    const failing: ImageRepositoryStatus = {
      ...ready(),
      conditions: [condition('Ready', 'False', 'AuthenticationFailed', "failed to configure authentication options: secret 'flux-system/x' not found")],
    };
    const diagnostics = await send({ statuses: [{ key: 'flux-system/podinfo', uri: URI, status: failing, scanning: false }], removed: [] });
    assert.deepEqual(brief(diagnostics), [
      "6:9-6:37 1 AuthenticationFailed failed to configure authentication options: secret 'flux-system/x' not found",
      "15:9-15:43 1 image.tag image 'ghcr.io/stefanprodan/podinfo:6.5.0' should not include a tag; remove ':6.5.0'",
    ]);
    assert.equal(diagnostics[0].source, 'tagline (flux)');
  });

  test('shows Reconciling as a hint while a scan runs, and nothing for Ready=True', async () => {
    const scanning: ImageRepositoryStatus = {
      observedGeneration: -1,
      conditions: [
        condition('Reconciling', 'True', 'Progressing', 'scanning: first scan'),
        condition('Ready', 'Unknown', 'Progressing', 'scanning: first scan'),
      ],
    };
    const during = await send({ statuses: [{ key: 'flux-system/podinfo', uri: URI, status: scanning, scanning: true }], removed: [] });
    assert.deepEqual(brief(during).slice(0, 1), ['6:9-6:37 4 Progressing scanning: first scan']);
    const done = await send({ statuses: [{ key: 'flux-system/podinfo', uri: URI, status: ready(), scanning: false }], removed: [] });
    assert.deepEqual(done.map((d) => d.code), ['image.tag']);
  });

  test('does not repeat ImageURLInvalid next to the same check of the text', async () => {
    const stalled: ImageRepositoryStatus = {
      observedGeneration: 1,
      conditions: [
        condition('Stalled', 'True', 'ImageURLInvalid', "image 'ghcr.io/stefanprodan/podinfo:6.5.0' should not include a tag; remove ':6.5.0'"),
        condition('Ready', 'False', 'ImageURLInvalid', "image 'ghcr.io/stefanprodan/podinfo:6.5.0' should not include a tag; remove ':6.5.0'"),
      ],
    };
    // `tagged` fails schema-free admission checks only in the controller, so it is in the index and gets a status.
    const diagnostics = await send({ statuses: [{ key: 'flux-system/tagged', uri: URI, status: stalled, scanning: false }], removed: [] });
    assert.deepEqual(diagnostics.map((d) => d.code), ['image.tag']);
  });

  test('puts the latest tag, tag count and scan age after spec.image', async () => {
    const hints = await server.request<InlayHint[]>('textDocument/inlayHint', {
      textDocument: { uri: URI }, range: { start: { line: 0, character: 0 }, end: { line: 17, character: 0 } },
    });
    assert.deepEqual(hints.map((h) => [h.position, h.label]), [[{ line: 6, character: 37 }, 'latest: 6.5.0 · 12 tags · scanned 3m ago']]);
    assert.ok(server.notifications.some((n) => n.method === 'workspace/inlayHint/refresh'));
  });

  test('previews the latest tags on spec.image with rescan and copy links', async () => {
    const hover = await server.request<Hover>('textDocument/hover', { textDocument: { uri: URI }, position: { line: 6, character: 12 } });
    const text = (hover.contents as { value: string }).value;
    const link = (command: string, args: unknown) => `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
    const copy = (tag: string) => `- \`${tag}\` [copy](${link('tagline.copyTag', [{ tag }])})`;
    assert.equal(text, [
      'Canonical name: `ghcr.io/stefanprodan/podinfo`',
      '---',
      'Ready=True (Succeeded): successful scan: found 12 tags with checksum 1943865137',
      `12 tags · scanned 3 minutes ago · [Rescan](${link('tagline.rescan', [{ key: 'flux-system/podinfo', uri: URI }])})`,
      `Latest tags:\n${['6.5.0', '6.4.1', '6.4.0'].map(copy).join('\n')}`,
      '---',
      '**spec.image** — The image repository whose tags are listed.',
      'No scheme, tag or digest: `ghcr.io/org/app`, not `https://ghcr.io/org/app:1.0`. Docker Hub names are expanded, ' +
        'so `alpine` means `index.docker.io/library/alpine`.',
    ].join('\n\n'));
  });

  test('escapes a hostile registry message so it cannot add links or images to the hover', async () => {
    const hostile = 'scan failed: GET x: DENIED: ![pixel](https://tracker.example/p.png) [run](command:tagline.clearDatabase) <img src=x>';
    await send({ statuses: [{ key: 'flux-system/podinfo', uri: URI, status: { ...ready(), conditions: [condition('Ready', 'False', 'ReadOperationFailed', hostile)] }, scanning: false }], removed: [] });
    const hover = await server.request<Hover>('textDocument/hover', { textDocument: { uri: URI }, position: { line: 6, character: 12 } });
    const text = (hover.contents as { value: string }).value;
    assert.ok(text.includes('\\!\\[pixel\\]\\(https://tracker.example/p.png\\)'), text);
    assert.ok(text.includes('\\[run\\]\\(command:tagline.clearDatabase\\)'), text);
    assert.ok(text.includes('\\<img src=x\\>'), text);
    await send({ statuses: [{ key: 'flux-system/podinfo', uri: URI, status: ready(), scanning: false }], removed: [] });
  });

  test('drops everything about an object when its status is removed', async () => {
    await send({ statuses: [{ key: 'flux-system/podinfo', uri: URI, status: { ...ready(), conditions: [condition('Ready', 'False', 'ReadOperationFailed', 'scan failed: x')] }, scanning: false }], removed: [] });
    const diagnostics = await send({ statuses: [], removed: ['flux-system/podinfo'] });
    assert.deepEqual(diagnostics.map((d) => d.code), ['image.tag']);
    const hints = await server.request<InlayHint[]>('textDocument/inlayHint', {
      textDocument: { uri: URI }, range: { start: { line: 0, character: 0 }, end: { line: 17, character: 0 } },
    });
    assert.deepEqual(hints, []);
  });
});
