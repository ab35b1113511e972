// ggcr's redirect SSRF rule (pkg/v1/remote/fetcher.go checkRedirectSSRF) through listTags: a registry that redirects
// the tag list to a loopback address of another host is refused and the address is never contacted; a loopback
// registry may redirect to another port of its own host.
// No real registry can be public on a test machine, so a real HTTP server on loopback plays "registry.example.com"
// as the proxy the scan is sent through (it answers the requests tunnelled to that host itself);
// the internal service is another loopback server that counts who reached it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeDispatchers, listTags, scanOptions } from '../../client/src/registry';
import { ref, rejection, seconds } from './helpers';

const PUBLIC = 'registry.example.com';

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; host: string }> {
  const server = createServer(handler);
  // As a proxy, undici tunnels with CONNECT: port 80 is answered by this same server, HTTPS (443) refused, so
  // the scan uses the plain-HTTP answer as it would for an `insecure: true` registry.
  server.on('connect', (req, socket, head) => {
    if (!req.url?.endsWith(':80')) { socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'); return; }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    server.emit('connection', socket);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, host: `127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0', ...headers });
  res.end(JSON.stringify(body));
};

describe('redirects of the tag list and the SSRF rule, through listTags', () => {
  let internal: { server: Server; host: string };
  let registry: { server: Server; host: string };
  const internalHits: string[] = [];
  const registryHits: string[] = [];

  before(async () => {
    internal = await listen((req, res) => {
      internalHits.push(req.url ?? '');
      json(res, 200, { name: 'team/app', tags: ['from-the-internal-service'] });
    });
    // Serves /v2/ and redirects the tag list to the internal service, whether asked directly (as a loopback
    // registry) or through its own CONNECT tunnel (as registry.example.com).
    registry = await listen((req, res) => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      registryHits.push(`${url.host}${url.pathname}`);
      if (url.pathname === '/v2/') return json(res, 200, {});
      if (url.pathname === '/v2/team/app/tags/list') return json(res, 302, {}, { location: `http://${internal.host}/v2/team/app/tags/list` });
      json(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] });
    });
  });
  after(async () => {
    await closeDispatchers();
    for (const { server } of [internal, registry]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a redirect from a public registry to a loopback address, and never contacts it', async () => {
    internalHits.length = 0;
    registryHits.length = 0;
    const options = scanOptions({ proxy: { url: `http://${registry.host}` } });
    const error = await rejection(listTags(ref(`${PUBLIC}/team/app`, true), options, seconds(10)));
    assert.equal(error.message,
      `Get "http://${internal.host}/v2/team/app/tags/list": SSRF protection: redirect from "${PUBLIC}" to private/link-local host "127.0.0.1" denied`);
    assert.ok(registryHits.includes(`${PUBLIC}/v2/team/app/tags/list`), `the public registry was asked: ${registryHits.join(', ')}`);
    assert.deepEqual(internalHits, []);
  });

  it('follows the same redirect from a loopback registry to another port of its own host', async () => {
    internalHits.length = 0;
    const tags = await listTags(ref(`${registry.host}/team/app`), scanOptions(), seconds(10));
    assert.deepEqual(tags, ['from-the-internal-service']);
    assert.deepEqual(internalHits, ['/v2/team/app/tags/list']);
  });
});
