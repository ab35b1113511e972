// Challenges distribution cannot send (Negotiate/NTLM before Basic, realms on internal addresses, a re-challenge
// for another scope, refresh tokens), from a real HTTP server on loopback, against ggcr v0.21.6's behaviour.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clearPingCache, clearTokenCache, closeDispatchers, listTags, scanOptions } from '../../client/src/registry';
import { ref, rejection, seconds } from './helpers';

interface Seen { method: string; path: string; authorization?: string; body: string }

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body });
    handler(req, res, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

const stop = (server: Server | undefined) => new Promise<void>((resolve) => {
  if (!server) { resolve(); return; }
  server.closeAllConnections();
  server.close(() => resolve());
});
const tags = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'acme/app', tags: ['1', '2', '3'] }));
const withAuth = (auth: object) => scanOptions({ authenticator: async () => auth });
const acme = { username: 'acme', password: 's3cret' };
const acmeBasic = `Basic ${Buffer.from('acme:s3cret').toString('base64')}`;

describe('several challenges (ggcr pickFromMultipleChallenges)', () => {
  let registry: Awaited<ReturnType<typeof serve>>;
  let challenges: string[] = [];
  before(async () => {
    registry = await serve((req, res) => {
      if (req.headers.authorization !== acmeBasic) {
        res.setHeader('www-authenticate', challenges);
        res.writeHead(401).end();
        return;
      }
      if (req.url === '/v2/') res.writeHead(200).end('{}');
      else tags(res);
    });
  });
  after(async () => { await closeDispatchers(); await stop(registry?.server); });
  beforeEach(() => { registry.seen.length = 0; clearPingCache(); });

  it('uses Basic when Negotiate comes first in another header (go-containerregistry#1075)', async () => {
    challenges = ['Negotiate', 'Basic realm="Acme Registry"'];
    assert.deepEqual(await listTags(ref(`127.0.0.1:${registry.port}/acme/app`), withAuth(acme), seconds(5)), ['1', '2', '3']);
    assert.equal(registry.seen.at(-1)!.authorization, acmeBasic);
  });

  it('sends any non-Bearer scheme to the basic transport, as v0.21.6 does (no "unrecognized challenge")', async () => {
    for (const only of [['Negotiate'], ['NTLM', 'Negotiate'], ['Negotiate, Basic realm="x"']]) {
      challenges = only;
      clearPingCache();
      assert.equal((await listTags(ref(`127.0.0.1:${registry.port}/acme/app`), withAuth(acme), seconds(5))).length, 3, only.join(' | '));
    }
  });

  it('sends Basic only with both a username and a password, as ggcr\'s basicTransport', async () => {
    challenges = ['Basic realm="x"'];
    const error = await rejection(listTags(ref(`127.0.0.1:${registry.port}/acme/app`), withAuth({ username: 'acme' }), seconds(5)));
    assert.equal(error.message, `GET http://127.0.0.1:${registry.port}/v2/acme/app/tags/list?n=1000: unexpected status code 401 Unauthorized`);
    assert.ok(registry.seen.every((seen) => seen.authorization === undefined));
  });
});

describe('Bearer realms (ggcr validateRealmURL)', () => {
  let registry: Awaited<ReturnType<typeof serve>>;
  let tokenServer: Awaited<ReturnType<typeof serve>>;
  let realm = '';
  before(async () => {
    tokenServer = await serve((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"t"}'); });
    registry = await serve((req, res) => {
      if (req.url?.startsWith('/token?')) { res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"own"}'); return; }
      if (req.headers.authorization?.startsWith('Bearer ')) { if (req.url === '/v2/') res.writeHead(200).end('{}'); else tags(res); return; }
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="acme"` }).end();
    });
  });
  after(async () => { await closeDispatchers(); await stop(registry?.server); await stop(tokenServer?.server); });
  beforeEach(() => { registry.seen.length = 0; tokenServer.seen.length = 0; clearPingCache(); clearTokenCache(); });

  it('refuses a realm on another loopback port before asking it anything', async () => {
    realm = `http://127.0.0.1:${tokenServer.port}/token`;
    const error = await rejection(listTags(ref(`127.0.0.1:${registry.port}/acme/app`), withAuth(acme), seconds(5)));
    assert.equal(error.message, 'invalid realm in www-authenticate: realm host "127.0.0.1" is a private or link-local address');
    assert.equal(tokenServer.seen.length, 0);
  });

  it('refuses the cloud metadata address', async () => {
    realm = 'http://169.254.169.254/latest/meta-data';
    const error = await rejection(listTags(ref(`127.0.0.1:${registry.port}/acme/app`), withAuth(acme), seconds(5)));
    assert.equal(error.message, 'invalid realm in www-authenticate: realm host "169.254.169.254" is a private or link-local address');
  });

  it('accepts a realm on the registry\'s own host:port', async () => {
    realm = `http://127.0.0.1:${registry.port}/token`;
    assert.equal((await listTags(ref(`127.0.0.1:${registry.port}/acme/app`), withAuth(acme), seconds(5))).length, 3);
    assert.ok(registry.seen.some((seen) => seen.path.startsWith('/token?') && seen.authorization === acmeBasic));
  });

  it('accepts a realm named by host name (ggcr does not resolve names)', async () => {
    realm = `http://localhost:${tokenServer.port}/token`;
    assert.equal((await listTags(ref(`127.0.0.1:${registry.port}/acme/app`), withAuth(acme), seconds(5))).length, 3);
    assert.equal(tokenServer.seen.length, 1);
  });

  it('checks every redirect of the token request against the same rules', async () => {
    const redirector = await serve((_req, res) => { res.writeHead(302, { location: `http://127.0.0.1:${tokenServer.port}/token` }).end(); });
    try {
      realm = `http://localhost:${redirector.port}/token`;
      const error = await rejection(listTags(ref(`127.0.0.1:${registry.port}/acme/app`), withAuth(acme), seconds(5)));
      const target = `http://127.0.0.1:${tokenServer.port}/token`;
      assert.equal(error.message, `Get "${target}": refusing token-server redirect to "${target}": realm host "127.0.0.1" is a private or link-local address`);
      assert.equal(tokenServer.seen.length, 0);
    } finally {
      await stop(redirector.server);
    }
  });

  it('sends the challenge\'s service as it is, empty when there is none', async () => {
    realm = `http://localhost:${tokenServer.port}/token`;
    const original = registry.server.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;
    registry.server.removeAllListeners('request');
    registry.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!req.headers.authorization) { res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}"` }).end(); return; }
      original(req, res);
    });
    try {
      await listTags(ref(`127.0.0.1:${registry.port}/acme/app`), withAuth(acme), seconds(5));
      assert.equal(new URL(tokenServer.seen[0]!.path, 'http://x').searchParams.get('service'), '');
    } finally {
      registry.server.removeAllListeners('request');
      registry.server.on('request', original);
    }
  });
});

describe('re-challenges and refresh tokens (ggcr bearerTransport.RoundTrip and refresh)', () => {
  let registry: Awaited<ReturnType<typeof serve>>;
  let tokenServer: Awaited<ReturnType<typeof serve>>;
  let refreshToken: string | undefined;
  before(async () => {
    tokenServer = await serve((req, res, body) => {
      const params = req.method === 'POST' ? new URLSearchParams(body) : new URL(req.url ?? '/', 'http://x').searchParams;
      const scopes = req.method === 'POST' ? (params.get('scope') ?? '').split(' ') : params.getAll('scope');
      const answer: Record<string, string> = { token: `tok:${scopes.join('+')}` };
      if (refreshToken) answer.refresh_token = refreshToken;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
    registry = await serve((req, res) => {
      const realm = `realm="http://localhost:${tokenServer.port}/token",service="acme"`;
      const token = /^Bearer tok:(.*)$/.exec(req.headers.authorization ?? '')?.[1];
      if (req.url === '/v2/') { res.writeHead(401, { 'www-authenticate': `Bearer ${realm}` }).end(); return; }
      if (req.url === '/v2/plain401/tags/list?n=1000') { res.writeHead(401).end(); return; }
      // A token for the repository alone is not enough here: the registry asks for catalog access too.
      if (!token?.split('+').includes('registry:catalog:*')) {
        res.writeHead(401, { 'www-authenticate': `Bearer ${realm},scope="registry:catalog:*",error="insufficient_scope"` }).end();
        return;
      }
      tags(res);
    });
  });
  after(async () => { await closeDispatchers(); await stop(registry?.server); await stop(tokenServer?.server); });
  beforeEach(() => { registry.seen.length = 0; tokenServer.seen.length = 0; refreshToken = undefined; clearPingCache(); clearTokenCache(); });

  it('asks again with the challenged scope first, then the ones it had', async () => {
    assert.equal((await listTags(ref(`127.0.0.1:${registry.port}/acme/app`), withAuth(acme), seconds(5))).length, 3);
    const scopes = tokenServer.seen.map((seen) => new URL(seen.path, 'http://x').searchParams.getAll('scope'));
    assert.deepEqual(scopes, [['repository:acme/app:pull'], ['registry:catalog:*', 'repository:acme/app:pull']]);
    assert.ok(tokenServer.seen.every((seen) => seen.authorization === acmeBasic));
  });

  it('uses a refresh_token from the token server for the next token, by the OAuth2 POST', async () => {
    refreshToken = 'rt-from-server';
    assert.equal((await listTags(ref(`127.0.0.1:${registry.port}/acme/app`), withAuth(acme), seconds(5))).length, 3);
    assert.deepEqual(tokenServer.seen.map((seen) => seen.method), ['GET', 'POST']);
    const form = new URLSearchParams(tokenServer.seen[1]!.body);
    assert.deepEqual(Object.fromEntries(form), {
      scope: 'registry:catalog:* repository:acme/app:pull', service: 'acme', client_id: 'go-containerregistry',
      grant_type: 'refresh_token', refresh_token: 'rt-from-server',
    });
  });

  it('does not refresh on a 401 without a challenge', async () => {
    const error = await rejection(listTags(ref(`127.0.0.1:${registry.port}/plain401`), withAuth(acme), seconds(5)));
    assert.equal(error.message, `GET http://127.0.0.1:${registry.port}/v2/plain401/tags/list?n=1000: unexpected status code 401 Unauthorized`);
    assert.equal(tokenServer.seen.length, 1);
  });
});
