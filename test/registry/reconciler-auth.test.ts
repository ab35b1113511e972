// Authentication through the reconciler (scan_test.go authRegistry*, TestImageRepositoryReconciler_TLS, the proxy
// cases of TestImageRepositoryReconciler_scan): Secrets from the workspace, the controller's reasons and messages,
// and no credential in the database.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { getCondition } from '../../common/flux/conditions';
import type { FluxEvent, SecretObject, ServiceAccountObject } from '../../common/model';
import { dockerConfigSecret, imageRepository, useRegistryBed, workspace } from './reconciler-fixtures';

const SEVEN = ['0.1.0', '0.1.1', '0.2.0', '1.0.0', '1.0.1', '1.1.0', '1.1.0-alpha'];
const b64 = (s: string) => Buffer.from(s).toString('base64');

function opaqueSecret(name: string, data: Record<string, string>, type = 'Opaque'): SecretObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'default' },
    type,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

describe('reconciling a registry with Basic auth (through tinyproxy when asked)', () => {
  const env = useRegistryBed({ variant: 'basic', withProxy: true, seed: { 'team/app': SEVEN } });

  const password = () => env.bed.credentials!.password;
  const pullSecret = (pw = password()) => dockerConfigSecret('pull', 'default', env.bed.host, env.bed.credentials!.username, pw);

  it('scans with a dockerconfigjson secretRef keyed host:port: tagCount 7, and never stores the password', async () => {
    const store = await env.sandbox.store();
    const reconciler = env.sandbox.reconciler(store);
    const events: FluxEvent[] = [];
    reconciler.onEvent((e) => events.push(e));
    reconciler.update(workspace([imageRepository('auth', { image: `${env.bed.host}/team/app`, secretRef: { name: 'pull' } })], [pullSecret()]));
    await reconciler.whenIdle();
    const status = reconciler.status('default/auth')!;
    assert.equal(getCondition(status, 'Ready')?.status, 'True');
    assert.equal(status.lastScanResult?.tagCount, 7);
    await store.flush();
    for (const name of readdirSync(env.sandbox.folder).filter((n) => n.startsWith('tags.sqlite'))) {
      const bytes = readFileSync(env.sandbox.path(name));
      assert.equal(bytes.indexOf(password()), -1, `password found in ${name}`);
      assert.equal(bytes.indexOf(b64(`${env.bed.credentials!.username}:${password()}`)), -1);
    }
    assert.ok(!JSON.stringify([status, events]).includes(password()));
  });

  it('scans with the pull secret of the ServiceAccount', async () => {
    const reconciler = env.sandbox.reconciler(await env.sandbox.store());
    const sa: ServiceAccountObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'puller', namespace: 'default' }, imagePullSecrets: [{ name: 'pull' }] };
    reconciler.update(workspace([imageRepository('sa', { image: `${env.bed.host}/team/app`, serviceAccountName: 'puller' })], [pullSecret()], [sa]));
    await reconciler.whenIdle();
    assert.equal(reconciler.status('default/sa')?.lastScanResult?.tagCount, 7);
  });

  it('fails anonymous and wrong-password scans with ReadOperationFailed, retried not stalled', async () => {
    const reconciler = env.sandbox.reconciler(await env.sandbox.store());
    reconciler.update(
      workspace(
        [
          imageRepository('anonymous', { image: `${env.bed.host}/team/app` }),
          imageRepository('wrong', { image: `${env.bed.host}/team/app`, secretRef: { name: 'pull' } }),
        ],
        [pullSecret('not-the-password')],
      ),
    );
    await reconciler.whenIdle();
    for (const key of ['default/anonymous', 'default/wrong']) {
      const status = reconciler.status(key)!;
      const ready = getCondition(status, 'Ready')!;
      assert.equal(ready.reason, 'ReadOperationFailed', key);
      assert.match(ready.message, /^scan failed: .*UNAUTHORIZED/, key);
      assert.ok(!ready.message.includes('not-the-password'));
      assert.equal(getCondition(status, 'Stalled'), undefined);
    }
  });

  it('fails with AuthenticationFailed when the secretRef or ServiceAccount is missing', async () => {
    const reconciler = env.sandbox.reconciler(await env.sandbox.store());
    reconciler.update(
      workspace([
        imageRepository('nosecret', { image: `${env.bed.host}/team/app`, secretRef: { name: 'nope' } }),
        imageRepository('nosa', { image: `${env.bed.host}/team/app`, serviceAccountName: 'ghost' }),
      ]),
    );
    await reconciler.whenIdle();
    const nosecret = getCondition(reconciler.status('default/nosecret')!, 'Ready')!;
    assert.equal(nosecret.reason, 'AuthenticationFailed');
    assert.equal(nosecret.message, 'failed to configure authentication options: secrets "nope" not found');
    const nosa = getCondition(reconciler.status('default/nosa')!, 'Ready')!;
    assert.equal(nosa.reason, 'AuthenticationFailed');
    assert.equal(nosa.message, "failed to configure authentication options: serviceaccount 'default/ghost' not found");
  });

  it('scans through an HTTP proxy from proxySecretRef, and fails with connection refused through a dead one', async () => {
    const reconciler = env.sandbox.reconciler(await env.sandbox.store());
    const proxy = env.bed.proxy!;
    const live = opaqueSecret('proxy', { address: proxy.url, username: proxy.username, password: proxy.password });
    const dead = opaqueSecret('dead-proxy', { address: 'http://127.0.0.1:1' });
    reconciler.update(
      workspace(
        [
          imageRepository('proxied', { image: `${env.bed.host}/team/app`, secretRef: { name: 'pull' }, proxySecretRef: { name: 'proxy' } }),
          imageRepository('deadproxy', { image: `${env.bed.host}/team/app`, secretRef: { name: 'pull' }, proxySecretRef: { name: 'dead-proxy' } }),
        ],
        [pullSecret(), live, dead],
      ),
    );
    await reconciler.whenIdle();
    assert.equal(reconciler.status('default/proxied')?.lastScanResult?.tagCount, 7);
    assert.match(proxy.log(), new RegExp(env.bed.host.replace(/\./g, '\\.')));
    const ready = getCondition(reconciler.status('default/deadproxy')!, 'Ready')!;
    assert.equal(ready.reason, 'ReadOperationFailed');
    assert.match(ready.message, /connection refused/);
  });
});

describe('reconciling a registry that requires mutual TLS', () => {
  const env = useRegistryBed({ variant: 'mtls', seed: { 'team/app': SEVEN } });

  it('ends Ready with ca.crt, tls.crt and tls.key from certSecretRef', async () => {
    const reconciler = env.sandbox.reconciler(await env.sandbox.store());
    const certs = opaqueSecret('tls', { 'ca.crt': env.bed.ca!, 'tls.crt': env.bed.clientCert!, 'tls.key': env.bed.clientKey! });
    reconciler.update(workspace([imageRepository('mtls', { image: `${env.bed.host}/team/app`, certSecretRef: { name: 'tls' } })], [certs]));
    await reconciler.whenIdle();
    const status = reconciler.status('default/mtls')!;
    // Adler-32 of ["1.1.0-alpha","1.1.0","1.0.1","1.0.0","0.2.0","0.1.1","0.1.0"] (Python: zlib.adler32).
    assert.equal(getCondition(status, 'Ready')?.message, 'successful scan: found 7 tags with checksum 2734296144');
    assert.equal(status.lastScanResult?.revision, '2734296144');
  });
});
