// ImagePolicy documents over stdio: the CRD schema with its CEL rules, the controller's own error texts, and
// imageRepositoryRef / accessFrom resolved across the workspace.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CompletionItem, Hover } from 'vscode-languageserver-protocol';
import { brief, caret, TestServer } from './harness';
import { storefrontDeployment, storefrontPolicy, storefrontRepository } from '../fixtures/policies';

const REPOSITORY = storefrontRepository({ accessFromTeam: 'web' });

describe('ImagePolicy diagnostics over stdio', () => {
  const server = new TestServer();
  before(() => server.initialize());
  after(() => server.stop());

  test('reports a bad range, a bad pattern, a missing group, an ignored kind and the CEL rule in the controller\'s words', async () => {
    const text = `${REPOSITORY}---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: storefront
  namespace: shop
spec:
  imageRepositoryRef:
    name: storefront
  policy:
    semver:
      range: 1.0.0p
    numerical:
      order: asc
  filterTags:
    pattern: '^main-(?P<ts>[0-9]+'
    extract: $ts
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: nightly
  namespace: shop
spec:
  imageRepositoryRef:
    name: storefront
  interval: 5m
  policy:
    alphabetical:
      order: sideways
  filterTags:
    pattern: '^main-(?P<ts>[0-9]+)$'
    extract: $ts-$build
`;
    const diagnostics = await server.open('file:///ws/policies.yaml', text);
    assert.deepEqual(brief(diagnostics), [
      '23:13-23:19 1 policy.semver.range invalid policy: improper constraint: "1.0.0p"',
      '24:4-24:13 3 policy.ignoredKind Only one policy kind counts (semver, then alphabetical, then numerical): the controller uses semver and ignores numerical.',
      "27:13-27:34 1 filterTags.pattern failed to filter tags: invalid regular expression pattern '^main-(?P<ts>[0-9]+': error parsing regexp: missing closing ): `^main-(?P<ts>[0-9]+`",
      '38:2-38:10 1 schema.cel spec: Invalid value: "object": spec.interval is only accepted when spec.digestReflectionPolicy is set to \'Always\'',
      '41:13-41:21 1 schema.enum "sideways" is not allowed for spec.policy.alphabetical.order; use one of: asc, desc.',
      "44:13-44:23 2 filterTags.extract.unknownGroup extract refers to $build, which the pattern does not capture: Go's template expansion makes it an empty string.",
    ]);
  });

  test('says when no policy kind is set and when digestReflectionPolicy Always has no interval', async () => {
    const diagnostics = await server.open('file:///ws/none.yaml', `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: empty
spec:
  imageRepositoryRef:
    name: storefront
  digestReflectionPolicy: Always
  policy: {}
`);
    assert.deepEqual(brief(diagnostics), [
      "6:10-6:20 3 imageRepositoryRef.notFound ImageRepository 'default/storefront' is not in the workspace; it may exist only in the cluster.",
      '7:2-7:24 1 schema.cel spec: Invalid value: "object": spec.interval must be set when spec.digestReflectionPolicy is set to \'Always\'',
      '8:2-8:8 1 policy.none invalid policy: given ImagePolicyChoice object is invalid',
    ]);
  });

  test('resolves imageRepositoryRef in the workspace and checks accessFrom against Namespace labels', async () => {
    await server.open('file:///ws/repository.yaml', `${REPOSITORY}---
apiVersion: v1
kind: Namespace
metadata:
  name: web
  labels:
    team: web
---
apiVersion: v1
kind: Namespace
metadata:
  name: batch
  labels:
    team: batch
`);
    const policy = (namespace: string, repositoryNamespace: string, repository = 'storefront') =>
      storefrontPolicy({ namespace, repository, repositoryNamespace });
    assert.deepEqual(brief(await server.open('file:///ws/web.yaml', policy('web', 'shop'))), []);
    assert.deepEqual(brief(await server.open('file:///ws/same.yaml', policy('shop', 'shop'))), []);
    assert.deepEqual(brief(await server.open('file:///ws/batch.yaml', policy('batch', 'shop'))), [
      "8:15-8:19 1 imageRepositoryRef.accessDenied failed to get the referred ImageRepository: access denied: 'shop/storefront' can't be accessed due to ACL labels mismatch on namespace 'batch'",
    ]);
    assert.deepEqual(brief(await server.open('file:///ws/unknown-ns.yaml', policy('ops', 'shop'))), [
      "8:15-8:19 3 imageRepositoryRef.accessDenied failed to get the referred ImageRepository: access denied: 'shop/storefront' can't be accessed due to ACL labels mismatch on namespace 'ops' (Namespace 'ops' is not in the workspace, so only its kubernetes.io/metadata.name label is known)",
    ]);
    assert.deepEqual(brief(await server.open('file:///ws/missing.yaml', policy('web', 'shop', 'cart'))), [
      "7:10-7:14 3 imageRepositoryRef.notFound ImageRepository 'shop/cart' is not in the workspace; it may exist only in the cluster.",
    ]);
  });

  test('re-checks a policy when the Namespace labels it depends on change', async () => {
    const uri = 'file:///ws/labels-ns.yaml';
    await server.open(uri, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: edge\n');
    const policyUri = 'file:///ws/edge.yaml';
    const denied = await server.open(policyUri, storefrontPolicy({ namespace: 'edge', repositoryNamespace: 'shop', policy: '    alphabetical: {}' }));
    assert.deepEqual(denied.map((d) => d.code), ['imageRepositoryRef.accessDenied']);
    const next = server.nextDiagnostics(policyUri);
    await server.replace(uri, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: edge\n  labels:\n    team: web\n', 2);
    assert.deepEqual((await next).diagnostics, []);
  });
});

describe('ImagePolicy hover and completion over stdio', () => {
  const stored = ['1.2.0', 'latest', '1.10.0', '0.9.0', '1.11.0-rc.1', '1.9.0', '1.2'];
  const server = new TestServer({ storedTags: (name) => (name === 'ghcr.io/acme/storefront' ? stored : null) });
  before(async () => {
    await server.initialize();
    await server.open('file:///ws/repo.yaml', REPOSITORY);
  });
  after(() => server.stop());

  const POLICY = storefrontPolicy();

  async function hoverValue(uri: string, fixture: string): Promise<string> {
    const { text, position } = caret(fixture);
    await server.open(uri, text);
    const h = await server.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position });
    return (h?.contents as { value: string } | undefined)?.value ?? '';
  }

  test('shows the tag the policy selects from the stored tags, the next candidates and what was dropped', async () => {
    const value = await hoverValue('file:///ws/hp1.yaml', POLICY.replace("range: '>=1.0.0'", "ran|ge: '>=1.0.0'"));
    const [selection, doc] = value.split('\n\n---\n\n');
    assert.equal(selection, [
      '**Selects `1.10.0`** → `ghcr.io/acme/storefront:1.10.0` (of 7 stored tags)',
      'Next: `1.9.0`, `1.2.0`',
      'Dropped: 2 not MAJOR.MINOR.PATCH, 1 outside the range, 1 prerelease the range does not admit.',
    ].join('\n\n'));
    assert.match(doc, /^\*\*spec\.policy\.semver\.range\*\* — A Masterminds semver v3 range/);
  });

  test('says why a policy selects nothing, in the controller\'s words', async () => {
    const value = await hoverValue('file:///ws/hp2.yaml', POLICY.replace("semver:\n      range: '>=1.0.0'", 'numer|ical: {}'));
    assert.match(value, /^Selects nothing: failed to parse invalid numeric value '1.2.0'\n/);
  });

  test('completes ImageRepository names for imageRepositoryRef.name and snippets per policy kind', async () => {
    const uri = 'file:///ws/hc1.yaml';
    const { text, position } = caret(POLICY.replace('    name: storefront', '    name: |'));
    await server.open(uri, text);
    const names = await server.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position });
    assert.deepEqual(names.map((i) => [i.label, i.detail]), [['storefront', 'ImageRepository ghcr.io/acme/storefront in shop']]);

    const uri2 = 'file:///ws/hc2.yaml';
    const kinds = caret(POLICY.replace("    semver:\n      range: '>=1.0.0'\n", '    |\n'));
    await server.open(uri2, kinds.text);
    const items = await server.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: uri2 }, position: kinds.position });
    assert.deepEqual(items.map((i) => [i.label, i.textEdit && 'newText' in i.textEdit ? i.textEdit.newText : '']), [
      ['semver', "semver:\n      range: '${1:>=1.0.0}'$0"],
      ['alphabetical', 'alphabetical:\n      order: ${1|asc,desc|}$0'],
      ['numerical', 'numerical:\n      order: ${1|asc,desc|}$0'],
    ]);
  });

  test('completes the enums of digestReflectionPolicy', async () => {
    const uri = 'file:///ws/hc3.yaml';
    const { text, position } = caret(`${POLICY}  digestReflectionPolicy: |\n`);
    await server.open(uri, text);
    const items = await server.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position });
    assert.deepEqual(items.map((i) => i.label), ['Always', 'IfNotPresent', 'Never']);
  });
});

describe('image-update markers over stdio', () => {
  const server = new TestServer();
  before(() => server.initialize());
  after(() => server.stop());

  test('names markers of unknown policies and comments the automation would not read as markers', async () => {
    await server.open('file:///ws/policy.yaml', storefrontPolicy());
    const deployment = storefrontDeployment(`          args:
            # {"$imagepolicy": "shop:storefront:tag"}
            - "1.2.0"
            - "--tag=1" # {"$imagepolicy": shop:storefront}
          env: {A: "1"} # {"$imagepolicy": "shop:storefront:tag"}
        - name: sidecar
          image: ghcr.io/acme/cart:0.1.0 # {"$imagepolicy": "shop:cart:tag"}
          workingDir: /x # {"$imagepolicy": "shop:cart:version"}
`);
    assert.deepEqual(brief(await server.open('file:///ws/deployment.yaml', deployment)), [
      '14:24-14:59 2 marker.malformed not an image policy marker: the comment is not valid JSON; write {"$imagepolicy": "<namespace>:<name>"} (optionally with :tag, :name or :digest)',
      '15:24-15:65 2 marker.notScalar image policy markers set only scalar values; this one marks a mapping or list and is ignored',
      "17:41-17:76 3 marker.policyNotFound ImagePolicy 'shop/cart' is not in the workspace; it may exist only in the cluster. Without it, the automation leaves this value alone.",
      "18:25-18:64 2 marker.unknownField 'shop:cart:version' names no setter: use <namespace>:<name>, or add :tag, :name or :digest",
    ]);
  });

  test('re-checks markers when the ImagePolicy they name appears', async () => {
    const uri = 'file:///ws/cart-deployment.yaml';
    const text = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\nspec:\n  image: ghcr.io/acme/cart:0.1.0 # {"$imagepolicy": "default:cart"}\n';
    assert.deepEqual((await server.open(uri, text)).map((d) => d.code), ['marker.policyNotFound']);
    const next = server.nextDiagnostics(uri);
    await server.open('file:///ws/cart-policy.yaml', storefrontPolicy({ name: 'cart', namespace: null, repository: 'cart', policy: '    alphabetical: {}' }));
    assert.deepEqual((await next).diagnostics, []);
  });
});

describe('image-update marker hover over stdio', () => {
  const server = new TestServer({ storedTags: (name) => (name === 'ghcr.io/acme/storefront' ? ['1.2.0', '1.10.0', 'latest'] : null) });
  before(async () => {
    await server.initialize();
    await server.open('file:///ws/repo.yaml', `${REPOSITORY}---\n${storefrontPolicy()}`);
  });
  after(() => server.stop());

  test('says what the automation would write on a marked value, and from which policy', async () => {
    const uri = 'file:///ws/marked.yaml';
    const { text, position } = caret('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  image: ghcr.io/acme/store|front:1.2.0 # {"$imagepolicy": "shop:storefront"}\n  tag: "1.10.0" # {"$imagepolicy": "shop:storefront:tag"}\n');
    await server.open(uri, text);
    const h = await server.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position });
    assert.equal((h?.contents as { value: string }).value,
      'Image update marker of ImagePolicy `shop/storefront` (whole image).\n\nThe automation writes `ghcr.io/acme/storefront:1.10.0` here (now `ghcr.io/acme/storefront:1.2.0`).');
    assert.deepEqual(h?.range, { start: { line: 5, character: 9 }, end: { line: 5, character: 38 } });
    const tag = await server.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 6, character: 9 } });
    assert.equal((tag?.contents as { value: string }).value.split('\n\n')[1], 'Up to date: the automation would write `1.10.0`, as here.');
  });

  test('puts → <value> after a marked value the automation would change, and nothing after one it would keep', async () => {
    const uri = 'file:///ws/inlay.yaml';
    await server.open(uri, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  image: ghcr.io/acme/storefront:1.2.0 # {"$imagepolicy": "shop:storefront"}\n  tag: "1.10.0" # {"$imagepolicy": "shop:storefront:tag"}\n');
    const hints = await server.request<{ position: { line: number; character: number }; label: string }[]>('textDocument/inlayHint', {
      textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } },
    });
    assert.deepEqual(hints.map((h) => [h.position, h.label]), [[{ line: 5, character: 38 }, '→ ghcr.io/acme/storefront:1.10.0']]);
  });
});
