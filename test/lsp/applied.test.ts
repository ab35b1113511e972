// Over stdio: in a workspace with Flux Kustomizations, a file none of them reaches is not applied by Flux. Its
// problems collapse into one information, its objects are not sent to the reconciler, and that follows edits
// of the Kustomizations.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { WorkspaceIndexParams } from '../../common/protocol';
import { TestServer } from './harness';

const ROOT = resolve(__dirname, '../fixtures/applied/homelab');
const E2E = 'tests/e2e/assert-imagerepository.yaml';
const uriOf = (path: string) => pathToFileURL(join(ROOT, path)).href;
const codes = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${d.range.start.line} ${d.severity} ${String(d.code)}`);

/** The next diagnostics for `uri` that satisfy `accept` (those already published included). */
async function diagnosticsWhere(server: TestServer, uri: string, accept: (d: Diagnostic[]) => boolean): Promise<Diagnostic[]> {
  const last = [...server.published].reverse().find((p) => p.uri === uri);
  if (last && accept(last.diagnostics)) return last.diagnostics;
  for (;;) {
    const next = await server.nextDiagnostics(uri);
    if (accept(next.diagnostics)) return next.diagnostics;
  }
}

describe('a homelab whose Flux Kustomizations do not reach its e2e assertions', () => {
  let server: TestServer;
  let index: WorkspaceIndexParams;
  before(async () => {
    server = new TestServer({ rootUri: pathToFileURL(ROOT).href });
    const indexed = server.nextNotification<WorkspaceIndexParams>('tagline/workspaceIndex');
    await server.initialize();
    index = await indexed;
  });
  after(() => server.stop());

  test('publishes one information for the closed e2e file, not its errors', async () => {
    const diagnostics = await diagnosticsWhere(server, uriOf(E2E), (d) => d.length === 1);
    assert.deepEqual(codes(diagnostics), ['1 3 kustomize.notApplied']);
    assert.equal(diagnostics[0].message, 'not applied by any Flux Kustomization in this workspace (3 problems not reported: apiVersion.unserved, schema.required, image.tag)');
  });

  test('sends the reconciler only the ImageRepositories Flux applies', () => {
    assert.deepEqual(index.imageRepositories.map((r) => `${r.metadata.namespace}/${r.metadata.name} ${r.apiVersion}`), ['flux-system/podinfo image.toolkit.fluxcd.io/v1beta2']);
    assert.equal(index.skipped, undefined);
  });

  test('the open file gets the same single information', async () => {
    assert.deepEqual(codes(await server.open(uriOf(E2E), readFileSync(join(ROOT, E2E), 'utf8'))), ['1 3 kustomize.notApplied']);
  });

  test('warns on markers no automation would write, and the hover names the automation that would', async () => {
    const uri = uriOf('apps/base/podinfo/deployment.yaml');
    const text = readFileSync(join(ROOT, 'apps/base/podinfo/deployment.yaml'), 'utf8');
    await server.open(uri, text);
    const diagnostics = await diagnosticsWhere(server, uri, (d) => d.some((x) => x.code === 'marker.policyNotApplied'));
    assert.deepEqual(codes(diagnostics).filter((c) => c.includes('marker.')), ['18 2 marker.policyNotApplied', '20 2 marker.policyNotSeen']);
    const hoverAt = async (line: number) => {
      const result = await server.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: 20 } });
      return result?.contents.value ?? '';
    };
    assert.match(await hoverAt(16), /\n\nWritten by `flux-system\/flux-system` \(ImageUpdateAutomation, update\.path `\.\/apps`\)\.$/);
    assert.match(await hoverAt(20), /\n\nNo ImageUpdateAutomation in this workspace writes it \(see the warning on the marker\)\.$/);
  });

  test('sends each automation with the files and markers it would write, for the tree', async () => {
    const latest = () => [...server.notifications].reverse().find((n) => n.method === 'tagline/workspaceIndex')?.params as WorkspaceIndexParams | undefined;
    let sent = latest();
    while (!sent?.automations) sent = await server.nextNotification<WorkspaceIndexParams>('tagline/workspaceIndex');
    assert.deepEqual(sent.automations, [{
      namespace: 'flux-system', name: 'flux-system', uri: uriOf('clusters/home/image-update.yaml'), path: './apps',
      files: [{ uri: uriOf('apps/base/podinfo/deployment.yaml'), markers: [{ line: 16, setter: 'flux-system:podinfo', value: 'ghcr.io/example/podinfo:6.5.0' }] }],
    }]);
  });

  test('once a Flux Kustomization reaches the file, its problems are back', async () => {
    const apps = readFileSync(join(ROOT, 'clusters/home/apps.yaml'), 'utf8');
    await server.open(uriOf('clusters/home/apps.yaml'), apps.replace('path: ./apps/home', 'path: ./tests'));
    // The file's own findings come at once; the missing interval waits for the root's build, whose patches could set it.
    const own = await diagnosticsWhere(server, uriOf(E2E), (d) => d.length > 1);
    assert.deepEqual(codes(own).filter((c) => !c.endsWith('schema.required')), ['1 1 apiVersion.unserved', '7 1 image.tag']);
    const diagnostics = await diagnosticsWhere(server, uriOf(E2E), (d) => d.some((x) => x.code === 'schema.required'));
    assert.deepEqual(codes(diagnostics), ['1 1 apiVersion.unserved', '6 1 schema.required', '7 1 image.tag']);
  });
});
