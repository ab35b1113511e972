// certSecretRef, proxySecretRef and CA files through buildScanOptions, against real TLS/mTLS registries and
// tinyproxy (the controller's TestImageRepositoryReconciler_TLS and the proxy rows of its scan tests).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageRepositorySpec, SecretObject, WorkspaceObjects } from '../../common/model';
import { startRegistryBed, type RegistryBed } from '../harness/registry-bed';
import { buildScanOptions, closeDispatchers, listTags, type CredentialContext } from '../../client/src/registry';
import { ref, rejection, seconds } from './helpers';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const opaque = (name: string, values: Record<string, string>): SecretObject =>
  ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'apps' }, data: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, b64(v)])) });
const objects = (...secrets: SecretObject[]): WorkspaceObjects => ({ imageRepositories: [], secrets, serviceAccounts: [] });

describe('transport settings from the workspace', () => {
  let mtls: RegistryBed;
  let proxied: RegistryBed;
  let home: string;
  let ctx: CredentialContext;
  before(async () => {
    mtls = await startRegistryBed({ variant: 'mtls', seed: { 'secure/app': ['1.0.0', '1.0.1'] } });
    proxied = await startRegistryBed({ variant: 'proxy', seed: { 'px/app': ['a'] } });
    home = mkdtempSync(join(tmpdir(), 'tagline-home-'));
    ctx = { env: { HOME: home }, allowProcesses: false };
  });
  after(async () => { await closeDispatchers(); await mtls?.stop(); await proxied?.stop(); rmSync(home, { recursive: true, force: true }); });

  const scan = async (bed: RegistryBed, repo: string, spec: Partial<ImageRepositorySpec>, workspace: WorkspaceObjects, context = ctx) => {
    const image = `${bed.host}/${repo}`;
    const options = await buildScanOptions({ apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository', metadata: { name: 'app', namespace: 'apps' }, spec: { image, interval: '1m', ...spec }, specHash: 'x' }, ref(image), workspace, context);
    return listTags(ref(image), options, seconds(10));
  };

  it('scans an mTLS registry with ca.crt, tls.crt and tls.key from certSecretRef', async () => {
    const tags = await scan(mtls, 'secure/app', { certSecretRef: { name: 'certs' } }, objects(opaque('certs', { 'ca.crt': mtls.ca!, 'tls.crt': mtls.clientCert!, 'tls.key': mtls.clientKey! })));
    assert.deepEqual([...tags].sort(), ['1.0.0', '1.0.1']);
  });

  it('uses CA files from the settings, still requiring the client certificate from the Secret', async () => {
    const caFile = join(home, 'ca.pem');
    writeFileSync(caFile, mtls.ca!);
    const tags = await scan(mtls, 'secure/app', { certSecretRef: { name: 'certs' } }, objects(opaque('certs', { 'tls.crt': mtls.clientCert!, 'tls.key': mtls.clientKey! })), { ...ctx, extraCaFiles: [caFile] });
    assert.equal(tags.length, 2);
  });

  it('fails to verify the registry without any CA', async () => {
    const error = await rejection(scan(mtls, 'secure/app', { certSecretRef: { name: 'certs' } }, objects(opaque('certs', { 'tls.crt': mtls.clientCert!, 'tls.key': mtls.clientKey! }))));
    assert.match(error.message, /x509: certificate signed by unknown authority/);
  });

  it('goes through the proxySecretRef proxy with its username and password', async () => {
    const proxy = proxied.proxy!;
    const tags = await scan(proxied, 'px/app', { proxySecretRef: { name: 'proxy' } }, objects(opaque('proxy', { address: proxy.url, username: proxy.username, password: proxy.password })),
      { ...ctx, env: { ...ctx.env, HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9' } });
    assert.deepEqual(tags, ['a']);
    assert.match(proxy.log(), new RegExp(proxied.registryHost.split(':')[1]!));
  });

  it('fails through the environment\'s dead proxy when there is no proxy Secret', async () => {
    const error = await rejection(scan(proxied, 'px/app', {}, objects(), { ...ctx, env: { ...ctx.env, HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9' } }));
    assert.match(error.message, /proxyconnect tcp: dial tcp 127\.0\.0\.1:9: connect: connection refused/);
  });
});
