// HTTPS with an openssl CA, mutual TLS, and tinyproxy with proxy Basic auth in front of real registries.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { startRegistryBed, startTinyproxy, type RegistryBed, type TinyProxy } from '../harness/registry-bed';
import { testPki } from '../harness/certs';
import { buildScanOptions, closeDispatchers, listTags, scanOptions } from '../../client/src/registry';
import type { ImageRepositoryObject, SecretObject } from '../../common/model';
import { startHttpsProxy, startSocks5Proxy, type ProxyProcess } from '../harness/more-proxies';
import { ref, rejection, seconds } from './helpers';

describe('HTTPS with a private CA', () => {
  let bed: RegistryBed;
  before(async () => { bed = await startRegistryBed({ variant: 'tls', seed: { 'tls/app': ['v1', 'v2'] } }); });
  after(async () => { await closeDispatchers(); await bed?.stop(); });

  it('fails without the CA: verification is never turned off, even for a loopback host', async () => {
    const error = await rejection(listTags(ref(`${bed.host}/tls/app`), scanOptions(), seconds(5)));
    assert.match(error.message, new RegExp(`^Get "https://${bed.host}/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority`));
    assert.match(error.message, /; GET http:\/\/.*: unexpected status code 400 Bad Request: Client sent an HTTP request to an HTTPS server/, 'plain HTTP was raced too');
  });

  it('works with the CA added to the system roots', async () => {
    const tags = await listTags(ref(`${bed.host}/tls/app`), scanOptions({ tls: { extraCa: [bed.ca!] } }), seconds(5));
    assert.deepEqual([...tags].sort(), ['v1', 'v2']);
  });

  it('works under the certificate\'s DNS name too', async () => {
    const host = bed.host.replace('127.0.0.1', 'localhost');
    const tags = await listTags(ref(`${host}/tls/app`), scanOptions({ tls: { extraCa: [bed.ca!] } }), seconds(5));
    assert.equal(tags.length, 2);
  });

  it('keeps the hostname check on: a trusted certificate for another name is refused', async () => {
    // distribution cannot be made to serve a wrong name on 127.0.0.1, so a real HTTPS server on loopback does.
    const pki = testPki();
    const server = createServer({ cert: pki.otherCert, key: pki.otherKey }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      // Node's HTTPS server drops the raced plain-HTTP attempt, which would be retried for 4 s: cut that short.
      const error = await rejection(listTags(ref(`${host}/tls/app`), scanOptions({ tls: { extraCa: [pki.ca] } }), seconds(1)));
      assert.match(error.message, new RegExp(`^Get "https://${host}/v2/": tls: failed to verify certificate: x509: cannot validate certificate for 127\\.0\\.0\\.1 because it doesn't contain any IP SANs`));
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('mutual TLS', () => {
  let bed: RegistryBed;
  before(async () => { bed = await startRegistryBed({ variant: 'mtls', seed: { 'mtls/app': ['1', '2', '3'] } }); });
  after(async () => { await closeDispatchers(); await bed?.stop(); });

  it('works with the client certificate and key', async () => {
    const tags = await listTags(ref(`${bed.host}/mtls/app`), scanOptions({ tls: { extraCa: [bed.ca!], cert: bed.clientCert, key: bed.clientKey } }), seconds(5));
    assert.equal(tags.length, 3);
  });

  it('fails without a client certificate, and with one from another CA', async () => {
    // Run together: both are retried like ggcr retries EOF (4 s of backoff each).
    const [none, rogue] = await Promise.all([
      rejection(listTags(ref(`${bed.host}/mtls/app`), scanOptions({ tls: { extraCa: [bed.ca!] } }), seconds(8))),
      rejection(listTags(ref(`${bed.host}/mtls/app`), scanOptions({ tls: { extraCa: [bed.ca!], cert: bed.rogueCert, key: bed.rogueKey } }), seconds(8))),
    ]);
    for (const error of [none, rogue]) {
      assert.match(error.message, new RegExp(`^Get "https://${bed.host}/v2/": (EOF|remote error: tls: (bad certificate|certificate required|unknown certificate authority))(;|$)`));
    }
  });
});

describe('through tinyproxy with proxy Basic auth', () => {
  let bed: RegistryBed;
  let tlsBed: RegistryBed;
  let proxy: TinyProxy;
  before(async () => {
    bed = await startRegistryBed({ variant: 'proxy', seed: { 'px/app': ['a', 'b'] } });
    proxy = bed.proxy!;
    tlsBed = await startRegistryBed({ variant: 'tls', seed: { 'px/secure': ['s1'] } });
  });
  after(async () => { await closeDispatchers(); await bed?.stop(); await tlsBed?.stop(); });
  const viaProxy = (extra: object = {}) => scanOptions({ proxy: { url: proxy.url, username: proxy.username, password: proxy.password }, ...extra });
  const connectsTo = (host: string) => proxy.log().split('\n').filter((line) => line.includes(host.split(':')[1]!)).length;

  it('reaches an HTTP registry through the proxy with its credentials', async () => {
    const before = connectsTo(bed.registryHost);
    const tags = await listTags(ref(`${bed.host}/px/app`), viaProxy(), seconds(5));
    assert.deepEqual([...tags].sort(), ['a', 'b']);
    assert.ok(connectsTo(bed.registryHost) > before, `tinyproxy did not see the registry:\n${proxy.log()}`);
  });

  it('reaches an HTTPS registry through a CONNECT tunnel, verifying it with the CA', async () => {
    const before = connectsTo(tlsBed.registryHost);
    const tags = await listTags(ref(`${tlsBed.host}/px/secure`), viaProxy({ tls: { extraCa: [tlsBed.ca!] } }), seconds(5));
    assert.deepEqual(tags, ['s1']);
    assert.ok(connectsTo(tlsBed.registryHost) > before, `tinyproxy did not see the CONNECT:\n${proxy.log()}`);
  });

  it('takes the proxy credentials from the address of a proxySecretRef Secret', async () => {
    const address = new URL(proxy.url);
    address.username = proxy.username;
    address.password = proxy.password;
    const secret: SecretObject = {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'proxy', namespace: 'default' }, type: 'Opaque',
      data: { address: Buffer.from(address.toString()).toString('base64') },
    };
    const image = `${bed.host}/px/app`;
    const repo: ImageRepositoryObject = {
      apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository', metadata: { name: 'app', namespace: 'default' },
      spec: { image, interval: '5m', proxySecretRef: { name: 'proxy' } }, specHash: 'test',
    };
    const before = connectsTo(bed.registryHost);
    const options = await buildScanOptions(repo, ref(image), { imageRepositories: [], secrets: [secret], serviceAccounts: [] }, { env: {}, allowProcesses: false });
    assert.deepEqual([...await listTags(ref(image), options, seconds(5))].sort(), ['a', 'b']);
    assert.ok(connectsTo(bed.registryHost) > before, `tinyproxy did not see the registry:\n${proxy.log()}`);
  });

  it('fails without proxy credentials (407)', async () => {
    const error = await rejection(listTags(ref(`${bed.host}/px/app`), scanOptions({ proxy: { url: proxy.url } }), seconds(5)));
    assert.match(error.message, /^Get "https:\/\/[\d.:]+\/v2\/": Proxy Authentication Required/);
  });

  it('fails with wrong proxy credentials (tinyproxy answers 401), without showing them', async () => {
    const error = await rejection(listTags(ref(`${bed.host}/px/app`), scanOptions({ proxy: { url: proxy.url, username: proxy.username, password: 'bad-proxy-pass' } }), seconds(5)));
    assert.match(error.message, /^Get "https:\/\/[\d.:]+\/v2\/": (Proxy Authentication Required|Unauthorized)/);
    assert.ok(!error.message.includes('bad-proxy-pass'));
  });

  it('uses HTTPS_PROXY from the environment when there is no proxy Secret', async () => {
    const url = new URL(proxy.url);
    url.username = proxy.username;
    url.password = proxy.password;
    const before = connectsTo(tlsBed.registryHost);
    const tags = await listTags(ref(`${tlsBed.host}/px/secure`), scanOptions({ tls: { extraCa: [tlsBed.ca!] }, environmentProxy: { httpsProxy: url.toString() } }), seconds(5));
    assert.deepEqual(tags, ['s1']);
    assert.ok(connectsTo(tlsBed.registryHost) > before);
  });

  it('honours NO_PROXY', async () => {
    const options = scanOptions({ environmentProxy: { httpProxy: 'http://127.0.0.1:9', httpsProxy: 'http://127.0.0.1:9', noProxy: '127.0.0.1' } });
    assert.equal((await listTags(ref(`${bed.host}/px/app`), options, seconds(5))).length, 2);
  });

  it('prefers the proxy Secret over HTTPS_PROXY/HTTP_PROXY', async () => {
    const dead = 'http://127.0.0.1:9';
    const options = viaProxy({ environmentProxy: { httpProxy: dead, httpsProxy: dead } });
    assert.equal((await listTags(ref(`${bed.host}/px/app`), options, seconds(5))).length, 2);
  });

  it('reports a dead proxy as the proxy\'s connection refused, not the registry\'s', async () => {
    const error = await rejection(listTags(ref(`${bed.host}/px/app`), scanOptions({ proxy: { url: 'http://127.0.0.1:9' } }), seconds(5)));
    assert.match(error.message, /^Get "https:\/\/127\.0\.0\.1:\d+\/v2\/": proxyconnect tcp: dial tcp 127\.0\.0\.1:9: connect: connection refused/);
  });
});

describe('through an HTTPS proxy (stunnel4 in front of tinyproxy) and a SOCKS5 proxy (microsocks)', () => {
  let bed: RegistryBed;
  let tlsBed: RegistryBed;
  let https: ProxyProcess & { ca: string };
  let socks: ProxyProcess;
  before(async () => {
    [bed, tlsBed, https, socks] = await Promise.all([
      startRegistryBed({ variant: 'plain', seed: { 'px/app': ['a', 'b'] } }),
      startRegistryBed({ variant: 'tls', seed: { 'px/secure': ['s1'] } }),
      startHttpsProxy(),
      startSocks5Proxy(),
    ]);
  });
  after(async () => {
    await closeDispatchers();
    await Promise.all([bed?.stop(), tlsBed?.stop(), https?.stop(), socks?.stop()]);
  });
  const port = (host: string) => host.split(':')[1]!;
  const mentions = (proxy: ProxyProcess, host: string) => proxy.log().split('\n').filter((line) => line.includes(`:${port(host)}`)).length;
  const via = (proxy: ProxyProcess, extra: object = {}, password = proxy.password) =>
    scanOptions({ proxy: { url: proxy.url, username: proxy.username, password }, ...extra });

  it('lists an HTTP registry through the HTTPS proxy, trusting its certificate through the extra CAs', async () => {
    const before = mentions(https, bed.registryHost);
    const tags = await listTags(ref(`${bed.host}/px/app`), via(https, { tls: { extraCa: [https.ca] } }), seconds(5));
    assert.deepEqual([...tags].sort(), ['a', 'b']);
    assert.ok(mentions(https, bed.registryHost) > before, `the proxy did not see the registry:\n${https.log()}`);
  });

  it('lists an HTTPS registry through the HTTPS proxy: TLS inside TLS', async () => {
    const before = mentions(https, tlsBed.registryHost);
    const tags = await listTags(ref(`${tlsBed.host}/px/secure`), via(https, { tls: { extraCa: [https.ca, tlsBed.ca!] } }), seconds(5));
    assert.deepEqual(tags, ['s1']);
    assert.ok(mentions(https, tlsBed.registryHost) > before, `the proxy did not see the registry:\n${https.log()}`);
  });

  it('does not trust the HTTPS proxy without its CA', async () => {
    const error = await rejection(listTags(ref(`${bed.host}/px/app`), via(https), seconds(3)));
    assert.match(error.message, new RegExp(`^Get "https://${bed.host}/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority`));
    assert.ok(!error.message.includes(https.password));
  });

  it('lists an HTTP and an HTTPS registry through the SOCKS5 proxy with its username and password', async () => {
    const before = mentions(socks, bed.registryHost);
    assert.deepEqual([...await listTags(ref(`${bed.host}/px/app`), via(socks), seconds(5))].sort(), ['a', 'b']);
    assert.deepEqual(await listTags(ref(`${tlsBed.host}/px/secure`), via(socks, { tls: { extraCa: [tlsBed.ca!] } }), seconds(5)), ['s1']);
    assert.ok(mentions(socks, bed.registryHost) > before, `microsocks did not connect to the registry:\n${socks.log()}`);
    assert.ok(mentions(socks, tlsBed.registryHost) > 0, `microsocks did not connect to the TLS registry:\n${socks.log()}`);
  });

  it('fails through the SOCKS5 proxy with a wrong password, without showing it', async () => {
    const error = await rejection(listTags(ref(`${bed.host}/px/app`), via(socks, {}, 'wrong-socks-pass'), seconds(3)));
    assert.ok(!error.message.includes('wrong-socks-pass'));
    assert.match(error.message, new RegExp(`^Get "https://${bed.host}/v2/": socks connect tcp ${bed.host}: username/password authentication failed`));
  });
});
