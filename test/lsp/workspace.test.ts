// The server indexes every YAML file of the workspace folders, not only the open ones, keeps the index current
// from file-watch events, and sends it (debounced) to the extension host's reconciler.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { WorkspaceIndexNotification, type WorkspaceIndexParams } from '../../common/protocol';
import { brief, TestServer } from './harness';

describe('workspace index', () => {
  const root = mkdtempSync(join(tmpdir(), 'tagline-ws-'));
  cpSync(resolve(__dirname, '../fixtures/lsp/workspace'), root, { recursive: true });
  // Made here because git ignores node_modules folders, fixtures included.
  for (const hidden of ['node_modules/chart', '.git']) {
    mkdirSync(join(root, hidden), { recursive: true });
    writeFileSync(join(root, hidden, 'secret.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: registry-ca\n  namespace: apps\ndata:\n  ca.crt: eA==\n');
  }
  const podinfo = pathToFileURL(join(root, 'apps/podinfo.yaml')).href;
  const server = new TestServer({ rootUri: pathToFileURL(root).href });
  let firstIndex: Promise<WorkspaceIndexParams>;
  before(async () => {
    firstIndex = server.nextNotification<WorkspaceIndexParams>(WorkspaceIndexNotification.method);
    await server.initialize();
  });
  after(async () => {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('sends the objects of files that are not open to the client, skipping node_modules and dot-folders', async () => {
    const index = await firstIndex;
    assert.deepEqual(index.imageRepositories.map((r) => `${r.metadata.namespace}/${r.metadata.name} ${r.source?.uri}`), [`apps/podinfo ${podinfo}`]);
    assert.deepEqual(index.secrets.map((s) => `${s.metadata.namespace}/${s.metadata.name}`), ['apps/ghcr-auth']);
    assert.deepEqual(index.serviceAccounts, []);
  });

  test('resolves references against Secrets on disk', async () => {
    const diagnostics = await server.open(podinfo, readFileSync(join(root, 'apps/podinfo.yaml'), 'utf8'));
    assert.deepEqual(brief(diagnostics), [
      "11:10-11:21 3 certSecretRef.notFound Secret 'apps/registry-ca' is not in the workspace; it may exist only in the cluster.",
    ]);
  });

  test('picks up a new Secret file from workspace/didChangeWatchedFiles and re-checks open documents', async () => {
    const file = join(root, 'infra/ca.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: registry-ca\n  namespace: apps\ndata:\n  ca.crt: eA==\n');
    const next = server.nextDiagnostics(podinfo);
    const index = server.nextNotification<WorkspaceIndexParams>(WorkspaceIndexNotification.method);
    await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(file).href, type: 1 }] });
    assert.deepEqual((await next).diagnostics, []);
    assert.deepEqual((await index).secrets.map((s) => s.metadata.name).sort(), ['ghcr-auth', 'registry-ca']);
  });

  test('forgets a deleted Secret file', async () => {
    const file = join(root, 'infra/secrets.yaml');
    rmSync(file);
    const next = server.nextDiagnostics(podinfo);
    await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(file).href, type: 3 }] });
    assert.deepEqual((await next).diagnostics.map((d) => d.code), ['secretRef.notFound']);
  });

  test('sends an edited spec to the client, as the open text says, not as the disk says', async () => {
    const index = server.nextNotification<WorkspaceIndexParams>(WorkspaceIndexNotification.method);
    await server.replace(podinfo, readFileSync(join(root, 'apps/podinfo.yaml'), 'utf8').replace('interval: 5m', 'interval: 1m'), 2);
    const [repo] = (await index).imageRepositories;
    assert.equal(repo.spec.interval, '1m');
  });
});
