import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { loadWorkspaceObjects, parseManifestText, splitDocuments, type ChunkCache } from '../../common/manifests';

const REPO = `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: podinfo
spec:
  image: ghcr.io/stefanprodan/podinfo
  interval: 5m
`;

describe('splitDocuments', () => {
  test('splits on --- lines and keeps leading comments with the first document', () => {
    const chunks = splitDocuments('# header\n---\na: 1\n---\nb: 2\n');
    assert.deepEqual(chunks.map((c) => [c.startLine, c.text]), [[0, '# header\n---\na: 1\n'], [3, '---\nb: 2\n']]);
  });

  test('does not split on --- that is not at column 0 or is followed by text', () => {
    assert.equal(splitDocuments('a: |\n  ---\nb: ---x\n').length, 1);
  });

  test('keeps a %YAML directive with the document it belongs to', () => {
    const chunks = splitDocuments('%YAML 1.2\n---\na: 1\n');
    assert.equal(chunks.length, 1);
  });
});

describe('parseManifestText', () => {
  test('reads ImageRepositories, Secrets and ServiceAccounts with positions, defaulting the namespace', () => {
    const text = `${REPO}---
apiVersion: v1
kind: Secret
metadata:
  name: regcred
  namespace: apps
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: e30=
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: scanner
imagePullSecrets:
  - name: regcred
`;
    const manifest = parseManifestText('file:///m.yaml', text);
    const [repo] = manifest.objects.imageRepositories;
    assert.deepEqual(repo.metadata, { name: 'podinfo', namespace: 'default' });
    assert.deepEqual(repo.spec, { image: 'ghcr.io/stefanprodan/podinfo', interval: '5m' });
    assert.match(repo.specHash, /^[0-9a-f]{16}$/);
    assert.deepEqual(repo.source, {
      uri: 'file:///m.yaml', documentIndex: 0,
      range: { start: { line: 0, character: 0 }, end: { line: 7, character: 0 } },
      imageRange: { start: { line: 5, character: 9 }, end: { line: 5, character: 37 } },
    });
    const [secret] = manifest.objects.secrets;
    assert.equal(secret.metadata.namespace, 'apps');
    assert.equal(secret.type, 'kubernetes.io/dockerconfigjson');
    assert.deepEqual(secret.data, { '.dockerconfigjson': 'e30=' });
    assert.equal(secret.source?.documentIndex, 1);
    assert.equal(secret.sopsEncrypted, undefined);
    assert.deepEqual(manifest.objects.serviceAccounts[0].imagePullSecrets, [{ name: 'regcred' }]);
    // A document's range is its whole text, from its `---` line.
    assert.equal(manifest.objects.serviceAccounts[0].source?.range.start.line, 16);
  });

  test('marks SOPS-encrypted Secrets', () => {
    const text = `apiVersion: v1
kind: Secret
metadata: {name: enc}
stringData:
  .dockerconfigjson: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]
sops:
  version: 3.8.1
`;
    assert.equal(parseManifestText('file:///s.yaml', text).objects.secrets[0].sopsEncrypted, true);
  });

  test('leaves an ImageRepository that fails the CRD schema out of the index, as admission would', () => {
    const manifest = parseManifestText('file:///bad.yaml', REPO.replace('interval: 5m', 'interval: 1d'));
    assert.equal(manifest.objects.imageRepositories.length, 0);
    assert.equal(manifest.documents[0].chunk.isImageRepository, true);
  });

  test('keeps an ImageRepository whose image only the controller rejects, so the reconciler can report it', () => {
    const manifest = parseManifestText('file:///tag.yaml', REPO.replace('podinfo\n  interval', 'podinfo:6.5.0\n  interval'));
    assert.equal(manifest.objects.imageRepositories[0].spec.image, 'ghcr.io/stefanprodan/podinfo:6.5.0');
  });

  test('collects image repositories named by other kinds, without tags', () => {
    const text = `${REPO}---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - image: nginx:1.27
        - image: ghcr.io/org/api@sha256:${'a'.repeat(64)}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: app}
spec:
  values:
    image:
      repository: quay.io/org/worker
      tag: 1.0.0
    sidecar:
      image: "{{ .Values.registry }}/x"
`;
    assert.deepEqual(parseManifestText('file:///d.yaml', text).imageNames.sort(),
      ['ghcr.io/org/api', 'ghcr.io/stefanprodan/podinfo', 'nginx', 'quay.io/org/worker']);
  });

  test('reuses unchanged documents from the cache and moves their positions', () => {
    const cache: ChunkCache = new Map();
    const text = `${REPO}---\n${REPO}`;
    const first = parseManifestText('file:///c.yaml', text, cache);
    const second = parseManifestText('file:///c.yaml', `# one more line\n${text}`, cache);
    assert.equal(second.documents[1].chunk, first.documents[1].chunk);
    assert.equal(second.objects.imageRepositories[1].source?.imageRange?.start.line,
      first.objects.imageRepositories[1].source!.imageRange!.start.line + 1);
  });

  test('reports YAML syntax errors with their position instead of throwing', () => {
    const manifest = parseManifestText('file:///e.yaml', `${REPO}  bad: [unclosed\n`);
    const errors = manifest.documents[0].chunk.syntaxErrors;
    assert.ok(errors.length > 0);
    assert.equal(errors[0].range.start.line >= 7, true);
  });

  test('survives alias bombs', () => {
    const bomb = 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n';
    const manifest = parseManifestText('file:///bomb.yaml', bomb);
    assert.equal(manifest.documents[0].chunk.value, undefined);
  });
});

describe('loadWorkspaceObjects', () => {
  const root = mkdtempSync(join(tmpdir(), 'tagline-load-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  test('walks folders recursively over *.yaml and *.yml, skipping node_modules and dot-folders', async () => {
    mkdirSync(join(root, 'apps/nested'), { recursive: true });
    mkdirSync(join(root, 'node_modules/x'), { recursive: true });
    mkdirSync(join(root, '.git'), { recursive: true });
    writeFileSync(join(root, 'apps/repo.yaml'), REPO);
    writeFileSync(join(root, 'apps/nested/other.yml'), REPO.replace('name: podinfo', 'name: other'));
    writeFileSync(join(root, 'apps/readme.md'), REPO);
    writeFileSync(join(root, 'node_modules/x/repo.yaml'), REPO.replace('name: podinfo', 'name: hidden'));
    writeFileSync(join(root, '.git/repo.yaml'), REPO.replace('name: podinfo', 'name: hidden'));
    const { objects, files } = await loadWorkspaceObjects([root]);
    assert.deepEqual(files, [join(root, 'apps/nested/other.yml'), join(root, 'apps/repo.yaml')]);
    assert.deepEqual(objects.imageRepositories.map((r) => r.metadata.name), ['other', 'podinfo']);
    assert.equal(objects.imageRepositories[1].source?.uri, pathToFileURL(join(root, 'apps/repo.yaml')).href);
  });

  test('fails clearly on a path that does not exist', async () => {
    await assert.rejects(loadWorkspaceObjects([join(root, 'missing')]), /no such file or folder: .*missing/);
  });
});
