import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Hover } from 'vscode-languageserver-protocol';
import { caret, TestServer } from './harness';

const REPO = `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: podinfo
  namespace: flux-system
spec:
  image: stefanprodan/podinfo
  interval: 5m
  exclusionList:
    - "^.*\\\\.sig$"
    - "rc"
`;

async function hoverAt(server: TestServer, uri: string, fixture: string): Promise<Hover | null> {
  const { text, position } = caret(fixture);
  await server.open(uri, text);
  return server.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position });
}

const value = (h: Hover | null) => (h?.contents as { value: string } | undefined)?.value ?? '';

const INTERVAL_DOC = '**spec.interval** — Time between scans, as a Go duration (`30s`, `5m`, `1h30m`).\n\n' +
  'Units `ms`, `s`, `m`, `h`. Under `1s`, every reconcile scans.';
const IMAGE_DOC = '**spec.image** — The image repository whose tags are listed.\n\n' +
  'No scheme, tag or digest: `ghcr.io/org/app`, not `https://ghcr.io/org/app:1.0`. Docker Hub names are expanded, ' +
  'so `alpine` means `index.docker.io/library/alpine`.';
const EXCLUSION_DOC = '**spec.exclusionList** — Tags to leave out, as Go RE2 regular expressions.\n\n' +
  'A tag matching any entry (anywhere in the tag: add `^`/`$` to anchor) is not stored. When absent **or empty**, ' +
  '`^.*\\.sig$` applies, which drops Cosign signature tags. At most 25 entries.';
const RC_PATTERN = 'Exclusion pattern `rc` (Go RE2): a tag is not stored when the pattern matches **anywhere** in it ' +
  '(use `^` and `$` to match whole tags).';

describe('hover with a client that stores tags (VS Code)', () => {
  const stored = ['6.5.0', '6.5.0-rc.1', '6.4.1', 'sha256-abc.sig', 'latest'];
  const asked: string[] = [];
  const server = new TestServer({ storedTags: (name) => { asked.push(name); return stored; } });
  before(() => server.initialize());
  after(() => server.stop());

  test('explains a field in its own words', async () => {
    const h = await hoverAt(server, 'file:///ws/h1.yaml', REPO.replace('  interval:', '  inter|val:'));
    assert.equal(value(h), INTERVAL_DOC);
    assert.deepEqual(h?.range, { start: { line: 7, character: 2 }, end: { line: 7, character: 10 } });
  });

  test('shows the canonical name of spec.image', async () => {
    const h = await hoverAt(server, 'file:///ws/h2.yaml', REPO.replace('stefanprodan/podinfo', 'stefan|prodan/podinfo'));
    assert.equal(value(h), `Canonical name: \`index.docker.io/stefanprodan/podinfo\`\n\n---\n\n${IMAGE_DOC}`);
  });

  test('explains an exclusionList entry and counts the stored tags it removes', async () => {
    const h = await hoverAt(server, 'file:///ws/h3.yaml', REPO.replace('"rc"', '"r|c"'));
    assert.deepEqual(asked, ['index.docker.io/stefanprodan/podinfo']);
    assert.equal(value(h),
      `${RC_PATTERN}\n\nRemoves 1 of 5 scanned tags of \`index.docker.io/stefanprodan/podinfo\`.\n\n---\n\n${EXCLUSION_DOC}`);
  });
});

describe('hover with a client that has no reconciler (Neovim, Helix)', () => {
  const server = new TestServer();
  before(() => server.initialize());
  after(() => server.stop());

  test('explains the exclusion entry and says nothing about counts', async () => {
    const h = await hoverAt(server, 'file:///ws/h4.yaml', REPO.replace('"rc"', '"r|c"'));
    assert.equal(value(h), `${RC_PATTERN}\n\n---\n\n${EXCLUSION_DOC}`);
  });

  test('returns nothing outside ImageRepositories', async () => {
    assert.equal(await hoverAt(server, 'file:///ws/h5.yaml', 'kind: Deployment\nspec:\n  ima|ge: nginx\n'), null);
  });
});
