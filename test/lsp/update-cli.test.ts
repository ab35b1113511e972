// `tagline update`: the Setters result from the stored tags as a unified diff, or written with --write (whole
// files, atomically); Deployments, Kustomization images and HelmRelease values alike; unknown policies, broken
// YAML and the automation's own reformatting reported on stderr.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TagStore } from '../../client/src/store';
import { STOREFRONT, storefrontDeployment, storefrontPolicy } from '../fixtures/policies';
import { CLI_TIMEOUT_MS } from './harness';

const ROOT = resolve(__dirname, '../..');
const CLI = resolve(ROOT, 'dist/cli.js');

const POLICIES = `${STOREFRONT}---
${storefrontPolicy({ name: 'dated', filterTags: { pattern: '^(?P<d>\\d{4}-\\d{2}-\\d{2})$', extract: '$d' }, policy: '    alphabetical:\n      order: asc' })}`;

const DEPLOYMENT = storefrontDeployment(`        - name: sidecar
          image: ghcr.io/acme/sidecar:1.0 # {"$imagepolicy": "shop:missing"}
      labels:
        build: latest # {"$imagepolicy": "shop:dated:tag"}
`, { blankBeforeSpec: true });

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
images:
  - name: storefront
    newName: ghcr.io/acme/storefront # {"$imagepolicy": "shop:storefront:name"}
    newTag: 1.2.0 # {"$imagepolicy": "shop:storefront:tag"}
`;

const HELMRELEASE = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: storefront
  namespace: shop
spec:
  values:
    image:
      repository: ghcr.io/acme/storefront # {"$imagepolicy": "shop:storefront:name"}
      tag: '1.2.0' # {"$imagepolicy": "shop:storefront:tag"}
`;

let folder: string;
const PINNED = `${storefrontPolicy({ name: 'pinned', digestReflectionPolicy: 'IfNotPresent' })}---
apiVersion: v1
kind: ConfigMap
metadata:
  name: pinned
data:
  image: ghcr.io/acme/storefront:1.2.0 # {"$imagepolicy": "shop:pinned"}
`;

let db: string;

function update(...args: string[]) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const run = spawnSync(process.execPath, [CLI, 'update', ...args, '--db', db], { cwd: folder, encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'tagline-update-'));
  db = join(folder, 'tags.sqlite');
  const store = await TagStore.open({ file: db });
  store.setImageTags('ghcr.io/acme/storefront', ['1.2.0', '1.10.0', '0.9.0', '2024-01-15', '2023-12-31', 'latest']);
  await store.close();
});
after(() => rmSync(folder, { recursive: true, force: true }));

function writeFixtures(): void {
  writeFileSync(join(folder, 'policies.yaml'), POLICIES);
  writeFileSync(join(folder, 'deployment.yaml'), DEPLOYMENT);
  writeFileSync(join(folder, 'kustomization.yaml'), KUSTOMIZATION);
  writeFileSync(join(folder, 'helmrelease.yaml'), HELMRELEASE);
}

describe('tagline update', () => {
  test('prints the Setters result as a unified diff, quoting as the automation does, and exits 0', () => {
    writeFixtures();
    const { code, stdout, stderr } = update('.');
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `--- a/deployment.yaml
+++ b/deployment.yaml
@@ -9,8 +9,8 @@
     spec:
       containers:
         - name: app
-          image: ghcr.io/acme/storefront:1.2.0 # {"$imagepolicy": "shop:storefront"}
+          image: ghcr.io/acme/storefront:1.10.0 # {"$imagepolicy": "shop:storefront"}
         - name: sidecar
           image: ghcr.io/acme/sidecar:1.0 # {"$imagepolicy": "shop:missing"}
       labels:
-        build: latest # {"$imagepolicy": "shop:dated:tag"}
+        build: "2024-01-15" # {"$imagepolicy": "shop:dated:tag"}
--- a/helmrelease.yaml
+++ b/helmrelease.yaml
@@ -7,4 +7,4 @@
   values:
     image:
       repository: ghcr.io/acme/storefront # {"$imagepolicy": "shop:storefront:name"}
-      tag: '1.2.0' # {"$imagepolicy": "shop:storefront:tag"}
+      tag: '1.10.0' # {"$imagepolicy": "shop:storefront:tag"}
--- a/kustomization.yaml
+++ b/kustomization.yaml
@@ -3,4 +3,4 @@
 images:
   - name: storefront
     newName: ghcr.io/acme/storefront # {"$imagepolicy": "shop:storefront:name"}
-    newTag: 1.2.0 # {"$imagepolicy": "shop:storefront:tag"}
+    newTag: 1.10.0 # {"$imagepolicy": "shop:storefront:tag"}
`);
    assert.equal(stderr, [
      "tagline update: deployment.yaml: line 14: left alone (shop:missing): ImagePolicy 'shop/missing' is not in the given files",
      "tagline update: deployment.yaml: the automation's own commit would also reformat this file: blank lines are dropped (line 6)",
      '',
    ].join('\n'));
    assert.equal(readFileSync(join(folder, 'deployment.yaml'), 'utf8'), DEPLOYMENT);
  });

  test('with --write changes only the marked values, and a second run has nothing to do', () => {
    writeFixtures();
    const { code, stdout } = update('.', '--write');
    assert.equal(code, 0);
    assert.equal(stdout, '');
    assert.equal(readFileSync(join(folder, 'deployment.yaml'), 'utf8'),
      DEPLOYMENT.replace('storefront:1.2.0', 'storefront:1.10.0').replace('build: latest', 'build: "2024-01-15"'));
    assert.equal(readFileSync(join(folder, 'kustomization.yaml'), 'utf8'), KUSTOMIZATION.replace('newTag: 1.2.0', 'newTag: 1.10.0'));
    assert.equal(readFileSync(join(folder, 'helmrelease.yaml'), 'utf8'), HELMRELEASE.replace("tag: '1.2.0'", "tag: '1.10.0'"));
    assert.equal(readFileSync(join(folder, 'policies.yaml'), 'utf8'), POLICIES);
    assert.equal(update('.').stdout, '');
    assert.deepEqual(readdirSync(folder).filter((f) => f.includes('.tagline-')), []);
  });

  test('leaves a file with broken YAML alone and names it', () => {
    writeFixtures();
    writeFileSync(join(folder, 'broken.yaml'), 'image: [ghcr.io/acme/storefront:1.2.0 # {"$imagepolicy": "shop:storefront"}\n');
    const { code, stdout, stderr } = update('broken.yaml', 'policies.yaml');
    rmSync(join(folder, 'broken.yaml'));
    assert.equal(code, 0);
    assert.equal(stdout, '');
    assert.match(stderr, /^tagline update: broken\.yaml: not read, as the automation would not read it: .+\n$/);
  });

  test('leaves the markers of a policy that reflects digests alone and says why', () => {
    writeFixtures();
    writeFileSync(join(folder, 'pinned.yaml'), PINNED);
    const { code, stdout, stderr } = update('pinned.yaml', 'policies.yaml');
    rmSync(join(folder, 'pinned.yaml'));
    assert.equal(code, 0);
    assert.equal(stdout, '');
    assert.equal(stderr, "tagline update: pinned.yaml: line 19: left alone (shop:pinned): ImagePolicy 'shop/pinned' reflects digests, and no digest of its selected tag is stored (run tagline scan)\n");
  });

  test('a policy that reflects digests uses the digest stored with its result, for the same spec and tag only', async () => {
    writeFixtures();
    const policy = PINNED.slice(0, PINNED.indexOf('---'));
    writeFileSync(join(folder, 'pinned.yaml'), PINNED.replace('image: ghcr.io/acme/storefront:1.2.0 # {"$imagepolicy": "shop:pinned"}',
      'image: ghcr.io/acme/storefront:1.2.0 # {"$imagepolicy": "shop:pinned"}\n  digest: none # {"$imagepolicy": "shop:pinned:digest"}'));
    const digest = `sha256:${'ab'.repeat(32)}`;
    const store = await TagStore.open({ file: db });
    const { parseManifestText } = await import('../../common/manifests/parse');
    const specHash = parseManifestText('file:///pinned.yaml', policy).objects.imagePolicies![0].specHash;
    store.putPolicy({ key: 'shop/pinned', specHash, generation: 1, status: { observedGeneration: 1, conditions: [], latestRef: { name: 'ghcr.io/acme/storefront', tag: '1.10.0', digest } } });
    await store.close();
    const current = update('pinned.yaml', 'policies.yaml');
    assert.equal(current.code, 0);
    assert.match(current.stdout, new RegExp(`\\+  image: ghcr\\.io/acme/storefront:1\\.10\\.0@${digest}`));
    assert.match(current.stdout, new RegExp(`\\+  digest: ${digest}`));
    // A stored result of an older tag is not used.
    const again = await TagStore.open({ file: db });
    again.putPolicy({ key: 'shop/pinned', specHash, generation: 1, status: { observedGeneration: 1, conditions: [], latestRef: { name: 'ghcr.io/acme/storefront', tag: '1.2.0', digest } } });
    await again.close();
    const stale = update('pinned.yaml', 'policies.yaml');
    rmSync(join(folder, 'pinned.yaml'));
    assert.equal(stale.stdout, '');
    assert.match(stale.stderr, /reflects digests, and no digest of its selected tag is stored/);
  });

  test('a --write interrupted half-way leaves the file whole', () => {
    writeFixtures();
    // Larger than the file size limit below: the kernel stops the write of the new text part-way.
    const big = DEPLOYMENT + `      padding: |\n${'        0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n'.repeat(4000)}`;
    writeFileSync(join(folder, 'deployment.yaml'), big);
    const run = spawnSync('bash', ['-c', `ulimit -f 128; exec "${process.execPath}" "${CLI}" update --write --db "${db}" .`], { cwd: folder, encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
    assert.notEqual(run.status, 0, 'the write was expected to fail');
    assert.equal(readFileSync(join(folder, 'deployment.yaml'), 'utf8'), big);
    assert.equal(readFileSync(join(folder, 'kustomization.yaml'), 'utf8').includes('1.10.0') || readFileSync(join(folder, 'kustomization.yaml'), 'utf8') === KUSTOMIZATION, true);
    for (const f of readdirSync(folder).filter((name) => name.includes('.tagline-'))) rmSync(join(folder, f));
  });
});
