// certSecretRef and proxySecretRef decoding with fluxcd/pkg runtime/secrets' exact errors (`ProxyURLFromSecret`,
// `TLSConfigFromSecret`), and the cloud providers' host checks (fluxcd/pkg auth aws, azure, gcp).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SecretObject, WorkspaceObjects } from '../../common/model';
import { tlsFromSecret } from '../../client/src/registry/auth/tls';
import { proxyFromSecret } from '../../client/src/registry/auth/proxy';
import { providerAuthenticator, providerRegistry } from '../../client/src/registry/auth/providers';
import { testPki } from '../harness/certs';

const b64 = (text: string) => Buffer.from(text).toString('base64');
function secret(name: string, data: Record<string, string>, extra: Partial<SecretObject> = {}): SecretObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'apps' }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])), ...extra };
}
const objects = (...secrets: SecretObject[]): WorkspaceObjects => ({ imageRepositories: [], secrets, serviceAccounts: [] });

describe('certSecretRef', () => {
  const pki = testPki();
  it('reads tls.crt, tls.key and ca.crt', () => {
    const tls = tlsFromSecret(objects(secret('certs', { 'tls.crt': pki.clientCert, 'tls.key': pki.clientKey, 'ca.crt': pki.ca })), 'apps', 'certs');
    assert.equal(tls.cert, pki.clientCert);
    assert.deepEqual(tls.extraCa, [pki.ca]);
  });
  it('reads the legacy keys certFile, keyFile and caFile', () => {
    const tls = tlsFromSecret(objects(secret('certs', { certFile: pki.clientCert, keyFile: pki.clientKey, caFile: pki.ca })), 'apps', 'certs');
    assert.equal(tls.key, pki.clientKey);
    assert.equal(tls.extraCa.length, 1);
  });
  it('accepts a dockerconfigjson-typed Secret holding TLS keys', () => {
    const tls = tlsFromSecret(objects(secret('certs', { 'ca.crt': pki.ca, '.dockerconfigjson': '{}' }, { type: 'kubernetes.io/dockerconfigjson' })), 'apps', 'certs');
    assert.equal(tls.extraCa.length, 1);
  });
  const errors: [Record<string, string>, string][] = [
    [{ 'tls.crt': 'x' }, "secret 'apps/certs' contains 'tls.crt' but missing 'tls.key'"],
    [{ 'tls.key': 'x' }, "secret 'apps/certs' contains 'tls.key' but missing 'tls.crt'"],
    [{ other: 'x' }, "secret 'apps/certs' must contain either 'ca.crt' or both 'tls.crt' and 'tls.key'"],
    [{ 'ca.crt': 'not a certificate' }, 'failed to parse CA certificate'],
  ];
  for (const [data, message] of errors) {
    it(`fails with "${message}"`, () => assert.throws(() => tlsFromSecret(objects(secret('certs', data)), 'apps', 'certs'), { message }));
  }
  it('fails on a bad certificate/key pair', () => {
    assert.throws(() => tlsFromSecret(objects(secret('certs', { 'tls.crt': pki.clientCert, 'tls.key': pki.rogueKey })), 'apps', 'certs'), /^Error: failed to parse TLS certificate and key: /);
  });
  it('fails for a missing Secret', () => {
    assert.throws(() => tlsFromSecret(objects(), 'apps', 'certs'), { message: "secret 'apps/certs' not found" });
  });
  it('names a SOPS-encrypted Secret instead of decoding it', () => {
    assert.throws(() => tlsFromSecret(objects(secret('certs', { 'ca.crt': 'ENC[AES256_GCM,data:…]' }, { sopsEncrypted: true })), 'apps', 'certs'),
      { message: "secret 'apps/certs' is SOPS-encrypted in the workspace and cannot be read locally; decrypt it (sops -d) or sign in to the registry instead" });
  });
});

describe('proxySecretRef', () => {
  it('reads address, username and password', () => {
    assert.deepEqual(proxyFromSecret(objects(secret('proxy', { address: 'http://proxy.example.com', username: 'u', password: 'p' })), 'apps', 'proxy'),
      { url: 'http://proxy.example.com/', username: 'u', password: 'p' });
  });
  it('takes stringData too', () => {
    const s: SecretObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'proxy', namespace: 'apps' }, stringData: { address: 'https://p.example:3128' } };
    assert.equal(proxyFromSecret(objects(s), 'apps', 'proxy').url, 'https://p.example:3128/');
  });
  const errors: [Record<string, string>, string][] = [
    [{ username: 'u' }, "secret 'apps/proxy': key 'address' not found"],
    [{ address: '' }, "secret 'apps/proxy': proxy address is empty"],
    [{ address: 'ftp://proxy.example.com' }, "secret 'apps/proxy': proxy URL must use one of the supported schemes (http, https, socks5), got 'ftp'"],
    [{ address: `http://${'a'.repeat(2050)}` }, 'proxy URL exceeds maximum length of 2048 characters'],
  ];
  for (const [data, message] of errors) {
    it(`fails with "${message.slice(0, 60)}"`, () => assert.throws(() => proxyFromSecret(objects(secret('proxy', data)), 'apps', 'proxy'), { message }));
  }
  it('fails for a missing Secret', () => {
    assert.throws(() => proxyFromSecret(objects(), 'apps', 'proxy'), { message: "secret 'apps/proxy' not found" });
  });
});

describe('cloud provider host checks', () => {
  const ctx = { env: { PATH: '/nonexistent' }, allowProcesses: true };
  const signal = AbortSignal.timeout(5000);
  it('takes the registry from the raw spec.image', () => {
    assert.equal(providerRegistry('123456789000.dkr.ecr.us-east-2.amazonaws.com/test'), '123456789000.dkr.ecr.us-east-2.amazonaws.com');
    assert.equal(providerRegistry('alpine'), 'alpine');
    assert.equal(providerRegistry('europe-docker.pkg.dev/p/r/i/'), 'europe-docker.pkg.dev');
  });
  it('rejects a host that is not ECR, with fluxcd/pkg/auth\'s text', async () => {
    await assert.rejects(providerAuthenticator('aws', 'ghcr.io/a/b', ctx)(signal), {
      message: String.raw`invalid AWS registry: 'ghcr.io'. must match ([0-9+]*).dkr[.-]ecr(?:-fips)?\.([^/.]*)\.(amazonaws\.com[.cn]*|amazonaws\.eu|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov|on\.aws)`,
    });
  });
  it('accepts the unanchored ECR pattern as Go does', async () => {
    await assert.rejects(providerAuthenticator('aws', 'x.dkr.ecr.us-east-1.amazonaws.com.evil.example/a', ctx)(signal), /the aws CLI is not installed/);
  });
  it('rejects non-ACR and non-GCP hosts', async () => {
    await assert.rejects(providerAuthenticator('azure', 'ghcr.io/a/b', ctx)(signal), /^Error: invalid Azure registry: 'ghcr.io'\. must match \^\.\+\\\.\(azurecr/);
    await assert.rejects(providerAuthenticator('gcp', 'alpine', ctx)(signal), /^Error: invalid GCP registry: 'alpine'\. must match/);
  });
  it('says clearly when the cloud CLI is not installed', async () => {
    await assert.rejects(providerAuthenticator('gcp', 'gcr.io/project/image', ctx)(signal), {
      message: 'failed to get access token for artifact registry: the gcloud CLI is not installed (not on PATH); install it and sign in, or use a pull secret',
    });
    await assert.rejects(providerAuthenticator('azure', 'me.azurecr.io/app', ctx)(signal), /the az CLI is not installed/);
  });
  it('runs no CLI in an untrusted workspace', async () => {
    await assert.rejects(providerAuthenticator('gcp', 'gcr.io/project/image', { ...ctx, allowProcesses: false })(signal), /not run in an untrusted workspace/);
  });
});
