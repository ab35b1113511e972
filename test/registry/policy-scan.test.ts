// `tagline scan` with ImagePolicies against the real registry: the policy follows a rescan, its status is the
// controller's, and digestReflectionPolicy HEADs the manifest with the scan's transport.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startRegistryBed, type RegistryBed } from '../harness/registry-bed';
import { seededManifestDigest } from '../harness/seed';
import { Sandbox } from './reconciler-fixtures';

const ROOT = resolve(__dirname, '../..');

function tagline(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/tagline.ts'), ...args], { cwd: ROOT, env: { ...env, TZ: 'UTC' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

function manifests(host: string): string {
  return `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: app
  namespace: apps
spec:
  image: ${host}/team/app
  interval: 5m
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: app
  namespace: apps
spec:
  imageRepositoryRef:
    name: app
  digestReflectionPolicy: IfNotPresent
  policy:
    semver:
      range: '>=1.0.0'
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: build
  namespace: apps
spec:
  imageRepositoryRef:
    name: app
  filterTags:
    pattern: '^main-(?P<n>[0-9]+)$'
    extract: '$n'
  policy:
    numerical: {}
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: denied
  namespace: web
spec:
  imageRepositoryRef:
    name: app
    namespace: apps
  policy:
    alphabetical: {}
`;
}

interface Doc { kind: string; metadata: { name: string; namespace: string }; status: { latestRef?: { name: string; tag: string; digest?: string }; conditions: { type: string; status: string; reason: string; message: string }[] } }

describe('tagline scan with ImagePolicies', () => {
  let bed: RegistryBed;
  let sandbox: Sandbox;

  before(async () => {
    bed = await startRegistryBed({ variant: 'plain', shim: true, seed: { 'team/app': ['1.2.0', '1.10.0', '1.11.0-rc.1', 'main-9', 'main-12', 'latest'] } });
    sandbox = new Sandbox();
    writeFileSync(sandbox.path('app.yaml'), manifests(bed.host));
  });
  after(async () => {
    await sandbox?.dispose();
    await bed?.stop();
  });

  const ready = (d: Doc) => d.status.conditions.find((c) => c.type === 'Ready');

  it('lists every object with its kind, resolves the policies and reflects the digest with a HEAD', async () => {
    const run = await tagline(['scan', sandbox.path('app.yaml'), '--db', sandbox.path('db.sqlite'), '--format', 'json'], sandbox.env);
    const docs = JSON.parse(run.stdout) as Doc[];
    assert.deepEqual(docs.map((d) => `${d.kind} ${d.metadata.namespace}/${d.metadata.name}`), [
      'ImageRepository apps/app', 'ImagePolicy apps/app', 'ImagePolicy apps/build', 'ImagePolicy web/denied',
    ]);
    const [, app, build, denied] = docs;
    assert.deepEqual(app.status.latestRef, { name: `${bed.host}/team/app`, tag: '1.10.0', digest: seededManifestDigest });
    assert.deepEqual(ready(app), { ...ready(app)!, status: 'True', reason: 'Succeeded', message: `Latest image tag for ${bed.host}/team/app resolved to 1.10.0 with digest ${seededManifestDigest}` });
    assert.equal(build.status.latestRef?.tag, 'main-12');
    assert.equal(ready(denied)?.reason, 'AccessDenied');
    assert.equal(ready(denied)?.message, "failed to get the referred ImageRepository: access denied: 'apps/app' can't be accessed due to missing ACL labels on 'accessFrom'");
    assert.equal(run.code, 1, 'a policy that is not Ready fails the run');
    assert.ok(bed.requests.some((r) => r.method === 'HEAD' && r.url.endsWith('/v2/team/app/manifests/1.10.0')), 'the digest came from a HEAD on the manifest');
  });

  it('follows a rescan: a new tag changes the selection, the previous ref comes from the database, and the table shows policies like flux get image policy', async () => {
    await bed.seed('team/app', ['1.12.0']);
    writeFileSync(sandbox.path('app.yaml'), manifests(bed.host).replace('  interval: 5m', '  interval: 5m\n  exclusionList: ["^latest$"]'));
    const run = await tagline(['scan', sandbox.path('app.yaml'), '--db', sandbox.path('db.sqlite')], sandbox.env);
    const tables = run.stdout.split('\n\n');
    assert.equal(tables.length, 2, run.stdout);
    const rows = tables[1].trim().split('\n').map((l) => l.split('\t').slice(0, -1).map((c) => c.trimEnd()));
    assert.deepEqual(rows[0], ['NAMESPACE', 'NAME', 'IMAGE', 'TAG', 'READY', 'MESSAGE']);
    assert.deepEqual(rows[1].slice(0, 5), ['apps', 'app', `${bed.host}/team/app`, '1.12.0', 'True']);
    // The first run's status is in the database, as the cluster keeps it: the message names the previous ref.
    assert.equal(rows[1][5], `Latest image tag for ${bed.host}/team/app resolved to 1.12.0 with digest ${seededManifestDigest} (previously ${bed.host}/team/app:1.10.0@${seededManifestDigest})`);
  });
});
