// Scheme selection (go-containerregistry pkg/name registry.go `Scheme`, pkg/v1/remote/transport ping.go): for loopback, RFC 1918 or `insecure` registries HTTPS is tried first and plain HTTP joins
// after 300 ms. A real registry cannot be made to hang its TLS handshake, so a loopback TCP server does: it
// never answers a TLS ClientHello and serves HTTP otherwise.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { clearPingCache, closeDispatchers, listTags, scanOptions } from '../../client/src/registry';
import { ref, rejection, seconds } from './helpers';

describe('the HTTPS-first race', () => {
  let server: Server;
  let host: string;
  const sockets = new Set<Socket>();
  let tlsAttempts = 0;
  before(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.once('data', (first) => {
        if (first[0] === 0x16) { tlsAttempts++; return; } // a TLS handshake: hang
        const request = first.toString('latin1');
        const body = request.startsWith('GET /v2/ ') ? '{}' : JSON.stringify({ name: 'race/app', tags: ['only'] });
        socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await closeDispatchers();
    for (const socket of sockets) socket.destroy();
    server.close();
  });

  it('gives HTTPS a 300 ms head start, then uses plain HTTP for a loopback registry', async () => {
    clearPingCache();
    const started = Date.now();
    assert.deepEqual(await listTags(ref(`${host}/race/app`), scanOptions(), seconds(5)), ['only']);
    assert.ok(Date.now() - started >= 290, `plain HTTP started after ${Date.now() - started} ms`);
    assert.equal(tlsAttempts, 1);
  });

  it('never falls back to HTTP for a registry whose scheme is https', async () => {
    clearPingCache();
    const publicLooking = ref(`${host}/race/app`);
    const error = await rejection(listTags({ ...publicLooking, scheme: 'https' }, scanOptions(), AbortSignal.timeout(700)));
    assert.equal(error.message, `Get "https://${host}/v2/": context deadline exceeded`);
  });
});
