// Challenge-driven auth against the real registry: htpasswd Basic and the Bearer token flow with our token server.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRegistryBed, type RegistryBed } from '../harness/registry-bed';
import { clearTokenCache, closeDispatchers, listTags, scanOptions } from '../../client/src/registry';
import { ref, rejection, seconds } from './helpers';

const withAuth = (auth: object) => scanOptions({ authenticator: async () => auth });

describe('Basic auth (htpasswd)', () => {
  let bed: RegistryBed;
  before(async () => { bed = await startRegistryBed({ variant: 'basic', shim: true, seed: { 'sec/app': ['1.0.0', '1.1.0'] } }); });
  after(async () => { await closeDispatchers(); await bed?.stop(); });

  it('lists tags with the right password', async () => {
    const tags = await listTags(ref(`${bed.host}/sec/app`), withAuth(bed.credentials!), seconds(5));
    assert.deepEqual([...tags].sort(), ['1.0.0', '1.1.0']);
    assert.ok(bed.requests.some((r) => r.authorization?.startsWith('Basic ')));
  });

  it('gives the registry\'s UNAUTHORIZED text for a wrong password, without the password', async () => {
    const wrong = 'Wr0ng-secret-value';
    const error = await rejection(listTags(ref(`${bed.host}/sec/app`), withAuth({ username: bed.credentials!.username, password: wrong }), seconds(5)));
    assert.match(error.message, new RegExp(`^GET http://${bed.host}/v2/sec/app/tags/list\\?n=1000: UNAUTHORIZED: authentication required`));
    assert.ok(!error.message.includes(wrong));
    assert.ok(!JSON.stringify(error).includes(wrong));
    assert.ok(!String(error.stack).includes(wrong));
  });

  it('is refused anonymously', async () => {
    const error = await rejection(listTags(ref(`${bed.host}/sec/app`), scanOptions(), seconds(5)));
    assert.match(error.message, /UNAUTHORIZED: authentication required/);
  });

  it('appends why a named pull secret could not be used to an authentication failure', async () => {
    const options = scanOptions({ authNotes: ["secret 'apps/pull' is SOPS-encrypted in the workspace and cannot be read locally"] });
    const error = await rejection(listTags(ref(`${bed.host}/sec/app`), options, seconds(5)));
    assert.match(error.message, /UNAUTHORIZED: authentication required.*\(secret 'apps\/pull' is SOPS-encrypted/);
  });
});

describe('Bearer token flow', () => {
  let bed: RegistryBed;
  before(async () => { bed = await startRegistryBed({ variant: 'token', seed: { 'tok/app': ['a', 'b', 'c'], 'tok/other': ['x'] } }); });
  after(async () => { await closeDispatchers(); await bed?.stop(); });
  beforeEach(() => {
    clearTokenCache();
    bed.tokenServer!.requests.length = 0;
    bed.tokenServer!.settings.field = 'both';
    bed.tokenServer!.settings.oauth = true;
  });

  it('is refused with an anonymous token, after one refresh', async () => {
    const error = await rejection(listTags(ref(`${bed.host}/tok/app`), scanOptions(), seconds(5)));
    assert.equal(error.message, `GET http://${bed.host}/v2/tok/app/tags/list?n=1000: UNAUTHORIZED: authentication required; [map[Action:pull Class: Name:tok/app Type:repository]]`);
    assert.deepEqual(bed.tokenServer!.requests.map((r) => [r.scope, r.subject]), [['repository:tok/app:pull', undefined], ['repository:tok/app:pull', undefined]]);
  });

  it('lists with a token obtained with credentials, and asks for pull scope only', async () => {
    const tags = await listTags(ref(`${bed.host}/tok/app`), withAuth(bed.credentials!), seconds(5));
    assert.deepEqual([...tags].sort(), ['a', 'b', 'c']);
    assert.deepEqual(bed.tokenServer!.requests, [{ method: 'GET', scope: 'repository:tok/app:pull', service: bed.tokenServer!.service, subject: bed.credentials!.username }]);
  });

  it('caches the token per registry and scope until it expires', async () => {
    const options = withAuth(bed.credentials!);
    await listTags(ref(`${bed.host}/tok/app`), options, seconds(5));
    await listTags(ref(`${bed.host}/tok/app`), options, seconds(5));
    await listTags(ref(`${bed.host}/tok/app`), withAuth({ ...bed.credentials! }), seconds(5));
    assert.equal(bed.tokenServer!.requests.length, 1);
    await listTags(ref(`${bed.host}/tok/other`), options, seconds(5));
    assert.equal(bed.tokenServer!.requests.length, 2);
  });

  it('does not share a cached token between different credentials', async () => {
    await listTags(ref(`${bed.host}/tok/app`), withAuth(bed.credentials!), seconds(5));
    await rejection(listTags(ref(`${bed.host}/tok/app`), scanOptions(), seconds(5)));
    assert.ok(bed.tokenServer!.requests.some((r) => r.subject === undefined));
  });

  it('fetches a new token once the cached one has expired', async () => {
    bed.tokenServer!.settings.expiresIn = 10; // inside the 10 s safety margin: never reused
    try {
      await listTags(ref(`${bed.host}/tok/app`), withAuth(bed.credentials!), seconds(5));
      await listTags(ref(`${bed.host}/tok/app`), withAuth(bed.credentials!), seconds(5));
      assert.equal(bed.tokenServer!.requests.length, 2);
    } finally {
      bed.tokenServer!.settings.expiresIn = 300;
    }
  });

  it('accepts token servers that answer only access_token, or only token', async () => {
    bed.tokenServer!.settings.field = 'access_token';
    assert.equal((await listTags(ref(`${bed.host}/tok/app`), withAuth(bed.credentials!), seconds(5))).length, 3);
    clearTokenCache();
    bed.tokenServer!.settings.field = 'token';
    assert.equal((await listTags(ref(`${bed.host}/tok/app`), withAuth(bed.credentials!), seconds(5))).length, 3);
  });

  it('reports a wrong password as the token server\'s answer, without the password', async () => {
    const wrong = 'Not-The-Password-42';
    const error = await rejection(listTags(ref(`${bed.host}/tok/app`), withAuth({ username: bed.credentials!.username, password: wrong }), seconds(5)));
    assert.equal(error.message, `GET ${bed.tokenServer!.url}?scope=repository%3Atok%2Fapp%3Apull&service=${bed.tokenServer!.service}: unexpected status code 401 Unauthorized: {"details":"incorrect username or password"}`);
    assert.ok(!error.message.includes(wrong));
  });

  it('exchanges an identity token with grant_type=refresh_token', async () => {
    bed.tokenServer!.identityTokens.set('identity-abc', bed.credentials!.username);
    const tags = await listTags(ref(`${bed.host}/tok/app`), withAuth({ identityToken: 'identity-abc' }), seconds(5));
    assert.equal(tags.length, 3);
    assert.deepEqual(bed.tokenServer!.requests.map((r) => [r.method, r.subject]), [['POST', `identity:${bed.credentials!.username}`]]);
  });

  it('falls back to an anonymous GET when the token server has no OAuth2 endpoint, as ggcr does', async () => {
    // ggcr's basicTransport sends no header for an identity token alone, so the GET token has no access.
    bed.tokenServer!.settings.oauth = false;
    bed.tokenServer!.identityTokens.set('identity-def', bed.credentials!.username);
    const error = await rejection(listTags(ref(`${bed.host}/tok/app`), withAuth({ identityToken: 'identity-def' }), seconds(5)));
    assert.match(error.message, /UNAUTHORIZED: authentication required/);
    assert.deepEqual(bed.tokenServer!.requests.map((r) => [r.method, r.subject]), [['GET', undefined], ['GET', undefined]]);
  });

  it('sends a registrytoken as the Bearer token without asking the token server', async () => {
    const shimmed = await startRegistryBed({ variant: 'token', shim: true, seed: { 'tok/app': ['a'] } });
    try {
      const token = await (await fetch(`${shimmed.tokenServer!.url}?scope=repository:tok/app:pull&service=${shimmed.tokenServer!.service}`, {
        headers: { authorization: `Basic ${Buffer.from(`${shimmed.credentials!.username}:${shimmed.credentials!.password}`).toString('base64')}` },
      })).json() as { token: string };
      shimmed.tokenServer!.requests.length = 0;
      const tags = await listTags(ref(`${shimmed.host}/tok/app`), withAuth({ registryToken: token.token }), seconds(5));
      assert.deepEqual(tags, ['a']);
      assert.equal(shimmed.tokenServer!.requests.length, 0);
      assert.ok(shimmed.requests.some((r) => r.authorization === `Bearer ${token.token}`));
    } finally {
      await shimmed.stop();
    }
  });
});
