import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic, DocumentSymbol, TextEdit } from 'vscode-languageserver-protocol';
import { TestServer } from './harness';

const TEXT = `apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageRepository
metadata:
  name: podinfo
  namespace: flux-system
spec:
  image: https://ghcr.io/stefanprodan/podinfo
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: web
spec:
  image: ghcr.io/acme/web:1.4.2
  interval: 10m
  secretRef:
    name: regcred
`;

function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}

describe('quick fixes and outline', () => {
  const server = new TestServer();
  const uri = 'file:///ws/fix.yaml';
  let diagnostics: Diagnostic[] = [];
  before(async () => {
    await server.initialize();
    diagnostics = await server.open(uri, TEXT);
  });
  after(() => server.stop());

  async function fixFor(code: string): Promise<CodeAction> {
    const diagnostic = diagnostics.find((d) => d.code === code)!;
    const actions = await server.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic], only: ['quickfix'] },
    });
    assert.equal(actions.length, 1, JSON.stringify(actions));
    return actions[0];
  }

  test('migrates a deprecated apiVersion', async () => {
    const action = await fixFor('apiVersion.unknownFlux');
    assert.equal(action.title, 'Migrate to image.toolkit.fluxcd.io/v1');
    assert.equal(action.kind, 'quickfix');
    assert.match(apply(TEXT, action.edit!.changes![uri]), /^apiVersion: image\.toolkit\.fluxcd\.io\/v1\nkind/);
  });

  test('removes the scheme from spec.image', async () => {
    const action = await fixFor('image.scheme');
    assert.equal(action.title, "Remove 'https://' from spec.image");
    assert.match(apply(TEXT, action.edit!.changes![uri]), /\n {2}image: ghcr\.io\/stefanprodan\/podinfo\n---/);
  });

  test('removes the tag from spec.image', async () => {
    const action = await fixFor('image.tag');
    assert.equal(action.title, "Remove ':1.4.2' from spec.image");
    assert.match(apply(TEXT, action.edit!.changes![uri]), /\n {2}image: ghcr\.io\/acme\/web\n {2}interval/);
  });

  test('adds the missing interval', async () => {
    const action = await fixFor('schema.required');
    assert.equal(action.title, 'Add missing field spec.interval');
    assert.match(apply(TEXT, action.edit!.changes![uri]), /\nspec:\n {2}interval: 5m\n {2}image: https/);
  });

  test('outlines each ImageRepository with its spec fields', async () => {
    const symbols = await server.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.deepEqual(symbols.map((s) => [s.name, s.detail, s.selectionRange.start.line, s.children?.map((c) => `${c.name}=${c.detail}`)]), [
      ['flux-system/podinfo', 'https://ghcr.io/stefanprodan/podinfo', 3, ['image=https://ghcr.io/stefanprodan/podinfo']],
      ['default/web', 'ghcr.io/acme/web:1.4.2', 11, ['image=ghcr.io/acme/web:1.4.2', 'interval=10m', 'secretRef=regcred']],
    ]);
  });
});
