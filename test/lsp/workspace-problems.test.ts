// The whole workspace in Problems: files holding a Flux image document are published whether open or not
// (static checks and the reconciler's conditions), other files get nothing, a setting narrows it to open files,
// and a big workspace does not delay the open file's first diagnostics.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { StatusNotification } from '../../common/protocol';
import { brief, TestServer } from './harness';

const repository = (name: string, image: string) =>
  `apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: ${name}\n  namespace: apps\nspec:\n  image: ${image}\n  interval: 5m\n`;
const deployment = (name: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n        - image: nginx:1.27\n`;

function workspace(files: Record<string, string>): { root: string; uri: (path: string) => string } {
  const root = mkdtempSync(join(tmpdir(), 'tagline-problems-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { root, uri: (path) => pathToFileURL(join(root, path)).href };
}

const record = (server: TestServer) => server.published;

describe('the whole workspace in Problems', () => {
  const ws = workspace({
    'apps/failing.yaml': repository('failing', 'ghcr.io/acme/app:1.0.0'),
    'apps/fine.yaml': repository('fine', 'ghcr.io/acme/fine'),
    'apps/deploy.yaml': deployment('web'),
    'apps/wrong-group.yaml': repository('near', 'ghcr.io/acme/x').replace('image.toolkit.fluxcd.io/v1', 'source.toolkit.fluxcd.io/v1beta2'),
    'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
    'chart/templates/repo.yaml': repository('{{ .Release.Name }}', '{{ .Values.image }}'),
  });
  const server = new TestServer({ rootUri: pathToFileURL(ws.root).href });
  const failing = ws.uri('apps/failing.yaml');
  const fine = ws.uri('apps/fine.yaml');
  let firstFailing: Promise<PublishDiagnosticsParams>;
  let firstFine: Promise<PublishDiagnosticsParams>;
  let seen: ReturnType<typeof record>;
  before(async () => {
    seen = record(server);
    firstFailing = server.nextDiagnostics(failing);
    firstFine = server.nextDiagnostics(fine);
    await server.initialize();
  });
  after(async () => {
    await server.stop();
    rmSync(ws.root, { recursive: true, force: true });
  });

  test('publishes the static checks of files that are not open', async () => {
    const published = await firstFailing;
    assert.equal(published.version, undefined);
    assert.deepEqual(brief(published.diagnostics), ["6:9-6:31 1 image.tag image 'ghcr.io/acme/app:1.0.0' should not include a tag; remove ':1.0.0'"]);
    assert.deepEqual((await firstFine).diagnostics, [], 'a clean ImageRepository file gets its (empty) list, so stale problems clear');
  });

  test('publishes near misses, and nothing for files without Flux documents or for chart templates', async () => {
    await firstFailing;
    // One more round trip: the disk files were all published in the same turn as the first one.
    await server.open(ws.uri('apps/other-open.yaml'), deployment('x'));
    const uris = new Set(seen.map((p) => p.uri));
    assert.ok(uris.has(ws.uri('apps/wrong-group.yaml')));
    assert.ok(!uris.has(ws.uri('apps/deploy.yaml')));
    assert.ok(!uris.has(ws.uri('chart/templates/repo.yaml')));
    assert.ok(!uris.has(ws.uri('chart/Chart.yaml')));
  });

  test('shows the reconciler\'s conditions for a file that is not open', async () => {
    const next = server.nextDiagnostics(fine);
    const status = {
      observedGeneration: 1, canonicalImageName: 'ghcr.io/acme/fine',
      conditions: [{ type: 'Ready' as const, status: 'False' as const, reason: 'ReadOperationFailed', message: 'scan failed: Get "https://ghcr.io/v2/": EOF', lastTransitionTime: new Date().toISOString(), observedGeneration: 1 }],
    };
    await server.connection.sendNotification(StatusNotification, { statuses: [{ key: 'apps/fine', uri: fine, status, scanning: false }], removed: [] });
    assert.deepEqual(brief((await next).diagnostics), ['6:9-6:26 1 ReadOperationFailed scan failed: Get "https://ghcr.io/v2/": EOF']);
  });

  test('does not send a file again when a re-check changes nothing', async () => {
    const secret = ws.uri('apps/secret.yaml');
    const text = (name: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: apps\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: e30=\n`;
    await Promise.all([firstFailing, firstFine]);
    await server.open(secret, text('one'));
    await server.replace(secret, text('two'), 2);
    const before = seen.length;
    // Each edit changes a Secret, so every file is checked again; none of their diagnostics change.
    await server.replace(secret, text('three'), 3);
    await server.replace(secret, text('four'), 4);
    const onDisk = new Set([failing, fine, ws.uri('apps/wrong-group.yaml')]);
    assert.deepEqual(seen.slice(before).filter((p) => onDisk.has(p.uri)).map((p) => p.uri), [], 'no file that is not open was sent again');
  });

  test('keeps a closed file in Problems as the disk has it', async () => {
    const text = repository('failing', 'ghcr.io/acme/app');
    assert.deepEqual(await server.open(failing, text), []);
    const next = server.nextDiagnostics(failing);
    await server.connection.sendNotification('textDocument/didClose', { textDocument: { uri: failing } });
    assert.deepEqual(brief((await next).diagnostics).map((d) => d.split(' ')[2]), ['image.tag']);
  });
});

describe('tagline.diagnostics.scope: openFiles', () => {
  const ws = workspace({ 'apps/failing.yaml': repository('failing', 'ghcr.io/acme/app:1.0.0') });
  const server = new TestServer({ rootUri: pathToFileURL(ws.root).href, configuration: { diagnostics: { scope: 'openFiles' } } });
  let seen: ReturnType<typeof record>;
  before(async () => {
    seen = record(server);
    const indexed = server.nextNotification('tagline/workspaceIndex');
    await server.initialize();
    await indexed;
  });
  after(async () => {
    await server.stop();
    rmSync(ws.root, { recursive: true, force: true });
  });

  test('publishes only open files', async () => {
    await server.open(ws.uri('apps/open.yaml'), repository('open', 'ghcr.io/acme/open'));
    assert.deepEqual(seen.map((p) => p.uri), [ws.uri('apps/open.yaml')]);
  });
});

describe('a big workspace', () => {
  // 5,000 YAML files, 300 of them with an ImageRepository (each with a problem, so each is published).
  const files: Record<string, string> = {};
  for (let i = 0; i < 5000; i++) {
    files[`team-${i % 50}/file-${i}.yaml`] = i % 50 < 3 ? repository(`r${i}`, `ghcr.io/acme/app-${i}:1.0`) : deployment(`d${i}`);
  }
  const ws = workspace(files);
  after(() => rmSync(ws.root, { recursive: true, force: true }));

  test('does not delay the open file\'s first diagnostics', async (t) => {
    const server = new TestServer({ rootUri: pathToFileURL(ws.root).href });
    const seen = record(server);
    try {
      const open = ws.uri('open.yaml');
      await server.initialize();
      const started = performance.now();
      const first = await server.open(open, repository('open', 'ghcr.io/acme/open:2.0'));
      const openMs = performance.now() - started;
      assert.equal(first.length, 1);
      const flux = Object.keys(files).filter((path) => files[path]!.includes('ImageRepository')).map(ws.uri);
      assert.equal(flux.length, 300);
      await Promise.all(flux.filter((uri) => !seen.some((p) => p.uri === uri)).map((uri) => server.nextDiagnostics(uri)));
      const lastDiskMs = Math.max(...seen.filter((p) => p.uri !== open).map((p) => p.at)) - started;
      t.diagnostic(`open file's first diagnostics after ${Math.round(openMs)} ms; all 300 disk files published after ${Math.round(lastDiskMs)} ms`);
      assert.ok(seen.findIndex((p) => p.uri === open) < seen.findIndex((p) => flux.includes(p.uri)) || openMs < 1000,
        `the open file waited for the workspace: ${Math.round(openMs)} ms`);
      assert.equal(new Set(seen.map((p) => p.uri)).size, 301, 'files without Flux documents get nothing');
    } finally {
      await server.stop();
    }
  });
});
