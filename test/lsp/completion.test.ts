import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CompletionItem, CompletionList } from 'vscode-languageserver-protocol';
import { caret, TestServer } from './harness';

const WORKSPACE_OBJECTS = `apiVersion: v1
kind: Secret
metadata: {name: ghcr-auth, namespace: flux-system}
type: kubernetes.io/dockerconfigjson
data: {.dockerconfigjson: e30=}
---
apiVersion: v1
kind: Secret
metadata: {name: plain-opaque, namespace: flux-system}
type: Opaque
data: {token: eA==}
---
apiVersion: v1
kind: Secret
metadata: {name: other-ns-auth, namespace: apps}
type: kubernetes.io/dockerconfigjson
data: {.dockerconfigjson: e30=}
---
apiVersion: v1
kind: Secret
metadata: {name: private-ca, namespace: flux-system}
data: {ca.crt: eA==}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: image-puller, namespace: flux-system}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: apps}
spec:
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.2
`;

const HEAD = `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: app
  namespace: flux-system
spec:
`;

describe('completion over stdio', () => {
  const server = new TestServer({ snippetSupport: true });
  let n = 0;
  before(async () => {
    await server.initialize();
    await server.open('file:///ws/objects.yaml', WORKSPACE_OBJECTS);
  });
  after(() => server.stop());

  async function complete(fixture: string): Promise<CompletionItem[]> {
    const { text, position } = caret(fixture);
    const uri = `file:///ws/completion-${n++}.yaml`;
    await server.open(uri, text);
    const result = await server.request<CompletionItem[] | CompletionList | null>('textDocument/completion', { textDocument: { uri }, position });
    return Array.isArray(result) ? result : result?.items ?? [];
  }
  const labels = (items: CompletionItem[]) => items.map((i) => i.label);

  test('offers the spec keys that are not there yet, with docs', async () => {
    const items = await complete(`${HEAD}  image: ghcr.io/acme/web\n  |\n  interval: 5m\n`);
    assert.deepEqual(labels(items), ['timeout', 'secretRef', 'certSecretRef', 'proxySecretRef', 'serviceAccountName', 'suspend', 'exclusionList', 'provider', 'insecure', 'accessFrom']);
    const secretRef = items.find((i) => i.label === 'secretRef')!;
    assert.deepEqual(secretRef.textEdit, { range: { start: { line: 7, character: 2 }, end: { line: 7, character: 2 } }, newText: 'secretRef:\n    name: $0' });
    assert.match(JSON.stringify(secretRef.documentation), /dockerconfigjson/);
  });

  test('offers top-level and metadata keys that are missing', async () => {
    assert.deepEqual(labels(await complete('apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\n|')), ['metadata', 'spec']);
    assert.deepEqual(labels(await complete(`${HEAD.replace('  namespace: flux-system\n', '  |\n')}  image: x\n`)), ['namespace', 'labels', 'annotations']);
  });

  test('replaces the typed prefix of a key', async () => {
    const [item] = (await complete(`${HEAD}  image: x\n  interval: 5m\n  prov|\n`)).filter((i) => i.label === 'provider');
    assert.deepEqual(item.textEdit, { range: { start: { line: 8, character: 2 }, end: { line: 8, character: 6 } }, newText: 'provider: ' });
  });

  test('offers enum and boolean values', async () => {
    assert.deepEqual(labels(await complete(`${HEAD}  provider: |\n`)), ['generic', 'aws', 'azure', 'gcp']);
    assert.deepEqual(labels(await complete(`${HEAD}  suspend: |\n`)), ['true', 'false']);
  });

  test('offers durations, without h for timeout', async () => {
    assert.deepEqual(labels(await complete(`${HEAD}  interval: |\n`)), ['1m', '5m', '10m', '30m', '1h', '6h', '12h', '24h']);
    assert.deepEqual(labels(await complete(`${HEAD}  timeout: |\n`)), ['30s', '1m', '2m', '5m', '10m', '30m']);
  });

  test('offers Secrets of the same namespace that fit the reference', async () => {
    assert.deepEqual(labels(await complete(`${HEAD}  secretRef:\n    name: |\n`)), ['ghcr-auth']);
    assert.deepEqual(labels(await complete(`${HEAD}  certSecretRef:\n    name: |\n`)), ['private-ca']);
  });

  test('offers ServiceAccounts of the same namespace', async () => {
    assert.deepEqual(labels(await complete(`${HEAD}  serviceAccountName: |\n`)), ['image-puller']);
  });

  test('offers image repositories used elsewhere in the workspace, without tags', async () => {
    assert.ok(labels(await complete(`${HEAD}  image: |\n`)).includes('ghcr.io/acme/web'));
  });

  test('offers a whole ImageRepository in an empty document', async () => {
    const [item] = await complete('|');
    assert.equal(item.label, 'ImageRepository');
    assert.equal(item.insertTextFormat, 2);
    assert.match(item.textEdit!.newText, /^apiVersion: image\.toolkit\.fluxcd\.io\/v1\nkind: ImageRepository\n/);
  });

  test('offers nothing inside other kinds', async () => {
    assert.deepEqual(await complete('apiVersion: apps/v1\nkind: Deployment\nspec:\n  |\n'), []);
  });
});

describe('completion for clients without snippet support', () => {
  const server = new TestServer({ snippetSupport: false });
  before(() => server.initialize());
  after(() => server.stop());

  test('inserts plain text: keys without placeholders and the manifest with its defaults', async () => {
    const first = caret(`${HEAD}  image: x\n  interval: 5m\n  secret|\n`);
    await server.open('file:///ws/plain-1.yaml', first.text);
    const keys = await server.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: 'file:///ws/plain-1.yaml' }, position: first.position });
    const secretRef = keys.find((i) => i.label === 'secretRef')!;
    assert.equal(secretRef.insertTextFormat, 1);
    assert.equal(secretRef.textEdit?.newText, 'secretRef: ');

    await server.open('file:///ws/plain-2.yaml', '');
    const [snippet] = await server.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: 'file:///ws/plain-2.yaml' }, position: { line: 0, character: 0 } });
    assert.equal(snippet.insertTextFormat, 1);
    assert.equal(snippet.textEdit?.newText, [
      'apiVersion: image.toolkit.fluxcd.io/v1', 'kind: ImageRepository', 'metadata:', '  name: podinfo', '  namespace: flux-system',
      'spec:', '  image: ghcr.io/stefanprodan/podinfo', '  interval: 5m', '',
    ].join('\n'));
  });
});
