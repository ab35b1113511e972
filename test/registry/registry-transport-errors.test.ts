// Every transport failure a person meets, from a real server on loopback, rendered as Go's net/http, crypto/tls
// and crypto/x509 print them inside ggcr's `Get "<url>": <cause>` — never OpenSSL's text or Node's codes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, type AddressInfo } from 'node:net';
import { startRegistryBed, type RegistryBed } from '../harness/registry-bed';
import { testPki } from '../harness/certs';
import { closeDispatchers, listTags, scanOptions } from '../../client/src/registry';
import type { ImageReference } from '../../common/flux/reference';
import { ref, rejection, seconds } from './helpers';

const pki = testPki();
const servers: (Server | TcpServer)[] = [];
async function listen<T extends Server | TcpServer>(server: T): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
/** A registry on a public address: HTTPS only, as ggcr pings anything but localhost and private ranges. */
const httpsOnly = (image: string): ImageReference => ({ ...ref(image), scheme: 'https' });
const trusted = scanOptions({ tls: { extraCa: [pki.ca] } });

/** No message may carry OpenSSL's text, a Node error code in parentheses, or a stack frame. */
function assertGoText(message: string): void {
  assert.doesNotMatch(message, /SSL routines|openssl|:error:|\((E[A-Z]+|ERR_[A-Z_]+|UND_ERR_[A-Z_]+)\)|\n\s+at |Hostname\/IP|altnames/i, message);
}

describe('transport failures in Go\'s words', () => {
  let mtls: RegistryBed;
  before(async () => { mtls = await startRegistryBed({ variant: 'mtls', seed: { 'mtls/app': ['1'] } }); });
  after(async () => {
    await closeDispatchers();
    for (const server of servers) { (server as Server).closeAllConnections?.(); server.close(); }
    await mtls?.stop();
  });

  it('connection refused', async () => {
    const port = await listen(createTcpServer());
    servers.pop()!.close();
    const error = await rejection(listTags(httpsOnly(`127.0.0.1:${port}/acme/app`), scanOptions(), seconds(5)));
    assert.equal(error.message, `Get "https://127.0.0.1:${port}/v2/": dial tcp 127.0.0.1:${port}: connect: connection refused`);
  });

  it('connection refused by a registry named by host name: the resolved address, and no proxy in it', async () => {
    const port = await listen(createTcpServer());
    servers.pop()!.close();
    const error = await rejection(listTags(httpsOnly(`localhost:${port}/acme/app`), scanOptions(), seconds(5)));
    assert.equal(error.message, `Get "https://localhost:${port}/v2/": dial tcp 127.0.0.1:${port}: connect: connection refused`);
  });

  it('connection refused on both schemes of a loopback registry, joined as ggcr joins them', async () => {
    const port = await listen(createTcpServer());
    servers.pop()!.close();
    const error = await rejection(listTags(ref(`127.0.0.1:${port}/acme/app`), scanOptions(), seconds(5)));
    assert.equal(error.message, `Get "https://127.0.0.1:${port}/v2/": dial tcp 127.0.0.1:${port}: connect: connection refused; Get "http://127.0.0.1:${port}/v2/": dial tcp 127.0.0.1:${port}: connect: connection refused`);
  });

  it('a plain-HTTP registry reached over HTTPS (Go\'s http.ErrSchemeMismatch)', async () => {
    const port = await listen(createHttpServer((_req, res) => res.writeHead(200).end('{}')));
    const error = await rejection(listTags(httpsOnly(`127.0.0.1:${port}/acme/app`), scanOptions(), seconds(5)));
    assert.equal(error.message, `Get "https://127.0.0.1:${port}/v2/": http: server gave HTTP response to HTTPS client`);
  });

  it('unknown certificate authority', async () => {
    const port = await listen(createHttpsServer({ cert: pki.rogueCert, key: pki.rogueKey }, (_req, res) => res.end('{}')));
    const error = await rejection(listTags(httpsOnly(`127.0.0.1:${port}/acme/app`), scanOptions(), seconds(5)));
    assert.equal(error.message, `Get "https://127.0.0.1:${port}/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority`);
  });

  it('a certificate for another name, by IP and by host name (x509.HostnameError)', async () => {
    const port = await listen(createHttpsServer({ cert: pki.otherCert, key: pki.otherKey }, (_req, res) => res.end('{}')));
    const byIp = await rejection(listTags(httpsOnly(`127.0.0.1:${port}/acme/app`), trusted, seconds(5)));
    assert.equal(byIp.message, `Get "https://127.0.0.1:${port}/v2/": tls: failed to verify certificate: x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs`);
    const byName = await rejection(listTags(httpsOnly(`localhost:${port}/acme/app`), trusted, seconds(5)));
    assert.equal(byName.message, `Get "https://localhost:${port}/v2/": tls: failed to verify certificate: x509: certificate is valid for other.invalid, not localhost`);
  });

  it('an expired certificate', async () => {
    const port = await listen(createHttpsServer({ cert: pki.expiredCert, key: pki.expiredKey }, (_req, res) => res.end('{}')));
    const error = await rejection(listTags(httpsOnly(`127.0.0.1:${port}/acme/app`), trusted, seconds(5)));
    assert.match(error.message, new RegExp(`^Get "https://127\\.0\\.0\\.1:${port}/v2/": tls: failed to verify certificate: x509: certificate has expired or is not yet valid`));
    assertGoText(error.message);
  });

  it('a client certificate required by the registry (distribution with clientcas)', async () => {
    const error = await rejection(listTags(httpsOnly(`${mtls.host}/mtls/app`), scanOptions({ tls: { extraCa: [mtls.ca!] } }), seconds(8)));
    assert.match(error.message, new RegExp(`^Get "https://${mtls.host}/v2/": (remote error: tls: certificate required|EOF)$`));
  });

  it('a reset connection and a connection closed without an answer (EOF), after ggcr\'s retries', async () => {
    const resetPort = await listen(createTcpServer((socket) => socket.once('data', () => socket.resetAndDestroy())));
    const eofPort = await listen(createTcpServer((socket) => socket.once('data', () => socket.end())));
    const [reset, eof] = await Promise.all([
      rejection(listTags(httpsOnly(`127.0.0.1:${resetPort}/acme/app`), scanOptions(), seconds(8))),
      rejection(listTags(httpsOnly(`127.0.0.1:${eofPort}/acme/app`), scanOptions(), seconds(8))),
    ]);
    assert.match(reset.message, new RegExp(`^Get "https://127\\.0\\.0\\.1:${resetPort}/v2/": (read tcp 127\\.0\\.0\\.1:${resetPort}: read: connection reset by peer|EOF)$`));
    assert.equal(eof.message, `Get "https://127.0.0.1:${eofPort}/v2/": EOF`);
  });

  it('a registry that never answers, cut by spec.timeout (context deadline exceeded)', async () => {
    const port = await listen(createTcpServer(() => undefined));
    const error = await rejection(listTags(httpsOnly(`127.0.0.1:${port}/acme/app`), scanOptions(), AbortSignal.timeout(300)));
    assert.equal(error.message, `Get "https://127.0.0.1:${port}/v2/": context deadline exceeded`);
  });

  it('a proxy that refuses connections (proxyconnect tcp)', async () => {
    const port = await listen(createTcpServer());
    servers.pop()!.close();
    const error = await rejection(listTags(httpsOnly('127.0.0.1:9/acme/app'), scanOptions({ proxy: { url: `http://127.0.0.1:${port}` } }), seconds(5)));
    assert.equal(error.message, `Get "https://127.0.0.1:9/v2/": proxyconnect tcp: dial tcp 127.0.0.1:${port}: connect: connection refused`);
  });

  it('a proxy that wants authentication (the CONNECT answer\'s status text)', async () => {
    const proxy = createHttpServer();
    proxy.on('connect', (_req, socket) => socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\nContent-Length: 0\r\n\r\n'));
    const port = await listen(proxy);
    const error = await rejection(listTags(httpsOnly('127.0.0.1:9/acme/app'), scanOptions({ proxy: { url: `http://127.0.0.1:${port}` } }), seconds(5)));
    assert.equal(error.message, 'Get "https://127.0.0.1:9/v2/": Proxy Authentication Required');
  });
});
