// Marker quick fixes over stdio: "Update to <value>" for one marker and "Update all markers in this file" make
// the edits `tagline update` makes (common/flux/markers fileSetters, quoting as kyaml and go-yaml v3 do), and a
// marker in YAML that does not parse is named, never a crash.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Hover, InlayHint, TextEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { brief, TestServer } from './harness';
import { applyEdits, fileSetters } from '../../common/flux/markers/setters';
import { STOREFRONT, storefrontDeployment } from '../fixtures/policies';

const POLICIES = STOREFRONT;

const DEPLOYMENT = storefrontDeployment(`      labels:
        tag: 1.0 # {"$imagepolicy": "shop:storefront:tag"}
        current: 1.10.0 # {"$imagepolicy": "shop:storefront:tag"}
`, { blankBeforeSpec: true });

const TAGS = ['1.2.0', '1.10.0', '0.9.0', 'latest'];

function apply(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x', 'yaml', 1, text), edits);
}

describe('image-update marker quick fixes over stdio', () => {
  const server = new TestServer({ storedTags: (name) => (name === 'ghcr.io/acme/storefront' ? TAGS : null) });
  before(async () => {
    await server.initialize();
    await server.open('file:///ws/policies.yaml', POLICIES);
  });
  after(() => server.stop());

  test('offers "Update to" on a marker whose value differs, and the whole-file update, with the edits of tagline update', async () => {
    const uri = 'file:///ws/deployment.yaml';
    await server.open(uri, DEPLOYMENT);
    const actions = await server.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri }, range: { start: { line: 11, character: 20 }, end: { line: 11, character: 20 } }, context: { diagnostics: [] },
    });
    assert.deepEqual(actions.map((a) => a.title), ['Update to ghcr.io/acme/storefront:1.10.0', 'Update all markers in this file']);
    const one = actions[0].edit!.changes![uri];
    assert.deepEqual(one, [{ range: { start: { line: 11, character: 17 }, end: { line: 11, character: 46 } }, newText: 'ghcr.io/acme/storefront:1.10.0' }]);
    const all = apply(DEPLOYMENT, actions[1].edit!.changes![uri]);
    // As the automation writes it: the plain 1.0 was read as a !!float, and go-yaml v3 keeps that tag written out
    // for a value that no longer reads as one (kyaml only quotes values YAML 1.1 reads as non-strings).
    assert.equal(all, DEPLOYMENT.replace('storefront:1.2.0', 'storefront:1.10.0').replace('tag: 1.0 #', 'tag: !!float 1.10.0 #'));
    const cli = fileSetters(DEPLOYMENT, () => ({ latestRef: { name: 'ghcr.io/acme/storefront', tag: '1.10.0' } }));
    assert.equal(all, applyEdits(DEPLOYMENT, cli.edits));
  });

  test('offers no "Update to" on a marker already at the selected value', async () => {
    const uri = 'file:///ws/deployment.yaml';
    const actions = await server.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri }, range: { start: { line: 14, character: 18 }, end: { line: 14, character: 18 } }, context: { diagnostics: [] },
    });
    assert.deepEqual(actions.map((a) => a.title), ['Update all markers in this file']);
  });

  test('says on the marker hover how the automation\'s commit would also reformat the file', async () => {
    const hover = await server.request<Hover>('textDocument/hover', { textDocument: { uri: 'file:///ws/deployment.yaml' }, position: { line: 11, character: 20 } });
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /The automation writes `ghcr\.io\/acme\/storefront:1\.10\.0` here/);
    assert.match(value, /kyaml also rewrites it: blank lines are dropped \(line 6\)/);
    const tag = await server.request<Hover>('textDocument/hover', { textDocument: { uri: 'file:///ws/deployment.yaml' }, position: { line: 13, character: 14 } });
    assert.match((tag.contents as { value: string }).value, /The automation writes `1\.10\.0` here, written as `!!float 1\.10\.0` \(now `1\.0`\)\./);
  });

  test('skips markers in YAML that does not parse, names them, and keeps serving', async () => {
    const uri = 'file:///ws/broken.yaml';
    const text = 'spec:\n  image: ghcr.io/acme/storefront:1.2.0 # {"$imagepolicy": "shop:storefront"}\n  args: [a, b\n';
    const diagnostics = await server.open(uri, text);
    assert.ok(brief(diagnostics).some((d) => /^1:42-1:56 2 marker\.brokenYaml Image update markers here are skipped: the YAML does not parse \(.+\), and the automation leaves the whole file alone\.$/.test(d)), brief(diagnostics).join('\n'));
    const actions = await server.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri }, range: { start: { line: 1, character: 20 }, end: { line: 1, character: 20 } }, context: { diagnostics: [] },
    });
    assert.deepEqual(actions.filter((a) => a.title.startsWith('Update')), []);
    const hover = await server.request<Hover | null>('textDocument/hover', { textDocument: { uri: 'file:///ws/deployment.yaml' }, position: { line: 11, character: 20 } });
    assert.ok(hover);
  });
});

describe('markers of a policy whose repository denies its namespace (accessFrom), without a reconciler status', () => {
  const REPOSITORY = `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: storefront
  namespace: shop
spec:
  image: ghcr.io/acme/storefront
  interval: 5m
  accessFrom:
    namespaceSelectors:
      - matchLabels:
          team: storefront
---
apiVersion: v1
kind: Namespace
metadata:
  name: web
  labels:
    team: checkout
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: storefront
  namespace: web
spec:
  imageRepositoryRef:
    name: storefront
    namespace: shop
  policy:
    semver:
      range: '>=1.0.0'
`;
  const MARKED = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: storefront
  namespace: web
spec:
  template:
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/storefront:1.2.0 # {"$imagepolicy": "web:storefront"}
`;
  const DENIED = "failed to get the referred ImageRepository: access denied: 'shop/storefront' can't be accessed due to ACL labels mismatch on namespace 'web'";
  const server = new TestServer({ storedTags: (name) => (name === 'ghcr.io/acme/storefront' ? TAGS : null) });
  const uri = 'file:///ws/denied-deployment.yaml';
  before(async () => {
    await server.initialize();
    const policyDiagnostics = await server.open('file:///ws/denied.yaml', REPOSITORY);
    assert.ok(brief(policyDiagnostics).some((d) => d.endsWith(`imageRepositoryRef.accessDenied ${DENIED}`)), brief(policyDiagnostics).join('\n'));
    await server.open(uri, MARKED);
  });
  after(() => server.stop());

  test('the hover claims no value the automation would write, and names the AccessDenied', async () => {
    const hover = await server.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 10, character: 20 } });
    const value = (hover.contents as { value: string }).value;
    assert.doesNotMatch(value, /automation (would )?writes? `/);
    assert.match(value, /AccessDenied/);
    assert.ok(value.includes("access denied: 'shop/storefront' can't be accessed due to ACL labels mismatch on namespace 'web'"), value);
    const policy = await server.request<Hover>('textDocument/hover', { textDocument: { uri: 'file:///ws/denied.yaml' }, position: { line: 30, character: 6 } });
    const policyValue = (policy.contents as { value: string }).value;
    assert.doesNotMatch(policyValue, /Selects `/);
    assert.match(policyValue, /Selects nothing: the controller refuses the policy \(AccessDenied: /);
  });

  test('offers no "Update to" and no whole-file update, and no inlay hint', async () => {
    const actions = await server.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri }, range: { start: { line: 10, character: 20 }, end: { line: 10, character: 20 } }, context: { diagnostics: [] },
    });
    assert.deepEqual(actions.map((a) => a.title), []);
    const hints = await server.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 12, character: 0 } } });
    assert.deepEqual(hints.map((h) => h.label), []);
  });

  test('with the namespace labelled as accessFrom asks, the hover and the fix are back', async () => {
    const allowed = REPOSITORY.replace('team: checkout', 'team: storefront');
    await server.replace('file:///ws/denied.yaml', allowed, 2);
    const hover = await server.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 10, character: 20 } });
    assert.match((hover.contents as { value: string }).value, /The automation writes `ghcr\.io\/acme\/storefront:1\.10\.0` here/);
    const actions = await server.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri }, range: { start: { line: 10, character: 20 }, end: { line: 10, character: 20 } }, context: { diagnostics: [] },
    });
    assert.deepEqual(actions.map((a) => a.title), ['Update to ghcr.io/acme/storefront:1.10.0', 'Update all markers in this file']);
  });
});
