// listTags against the real distribution 2.8 registry, with the paginating, fault-injecting shim in front.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRegistryBed, type RegistryBed } from '../harness/registry-bed';
import { clearPingCache, clearTokenCache, closeDispatchers, listTags, RegistryError, scanOptions } from '../../client/src/registry';
import { ref, rejection, seconds } from './helpers';

describe('listTags on an anonymous registry', () => {
  let bed: RegistryBed;
  const many = Array.from({ length: 10_000 }, (_, i) => `1.0.${i}`);
  before(async () => {
    bed = await startRegistryBed({ variant: 'plain', shim: true, seed: { 'team/app': ['c', 'd', 'a', 'b'], 'team/many': many } });
  });
  after(async () => { await closeDispatchers(); await bed?.stop(); });
  beforeEach(() => { bed.faults([]); bed.requests.length = 0; clearTokenCache(); clearPingCache(); });

  it('lists every tag of a repository over plain HTTP on loopback', async () => {
    const tags = await listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(5));
    assert.deepEqual([...tags].sort(), ['a', 'b', 'c', 'd']);
  });

  it('asks for pages of 1000 and follows Link headers through 10,000 tags', async () => {
    const tags = await listTags(ref(`${bed.host}/team/many`), scanOptions(), seconds(20));
    assert.equal(tags.length, 10_000);
    assert.deepEqual(new Set(tags), new Set(many));
    const pages = bed.requests.filter((r) => r.url.includes('/tags/list'));
    assert.equal(pages.length, 10);
    assert.match(pages[0]!.url, /\?n=1000$/);
    assert.match(pages[1]!.url, /n=1000&last=/);
  });

  it('follows pages the registry makes smaller than asked for', async () => {
    bed.shimSettings!.maxN = 100;
    try {
      const tags = await listTags(ref(`${bed.host}/team/many`), scanOptions(), seconds(20));
      assert.equal(tags.length, 10_000);
      assert.equal(bed.requests.filter((r) => r.url.includes('/tags/list')).length, 100);
    } finally {
      delete bed.shimSettings!.maxN;
    }
  });

  it('pings the registry once for several listings in a row', async () => {
    await listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(5));
    await listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(5));
    assert.equal(bed.requests.filter((r) => r.url === '/v2/').length, 1);
  });

  it('shares one ping among many listings started at once', async () => {
    const all = await Promise.all(Array.from({ length: 20 }, () => listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(5))));
    assert.ok(all.every((tags) => tags.length === 4));
    assert.equal(bed.requests.filter((r) => r.url === '/v2/').length, 1);
  });

  it('lets a listing with time left ping again when the shared ping was cut by another\'s deadline', async () => {
    bed.faults([{ match: '/v2/', delayMs: 400, times: 1 }]);
    const hurried = rejection(listTags(ref(`${bed.host}/team/app`), scanOptions(), AbortSignal.timeout(100)));
    const patient = listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(5));
    assert.match((await hurried).message, /context deadline exceeded/);
    assert.equal((await patient).length, 4);
  });

  it('pings afresh when the remembered registry stops answering, then lists', async () => {
    await listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(5));
    bed.faults([{ match: '/tags/list', reset: true, times: 3 }]);
    assert.equal((await listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(10))).length, 4);
    assert.equal(bed.requests.filter((r) => r.url === '/v2/').length, 2);
  });

  it('reports an unknown repository with the registry error text as ggcr prints it', async () => {
    const error = await rejection(listTags(ref(`${bed.host}/team/missing`), scanOptions(), seconds(5)));
    assert.ok(error instanceof RegistryError);
    assert.equal(error.message, `GET http://${bed.host}/v2/team/missing/tags/list?n=1000: NAME_UNKNOWN: repository name not known to registry; map[name:team/missing]`);
  });

  it('reports an empty 404 as "unexpected status code 404 Not Found"', async () => {
    bed.faults([{ match: '/tags/list', status: 404, body: '' }]);
    const error = await rejection(listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(5)));
    assert.equal(error.message, `GET http://${bed.host}/v2/team/app/tags/list?n=1000: unexpected status code 404 Not Found`);
  });

  it('treats "tags": null as no tags', async () => {
    bed.faults([{ match: '/tags/list', tagsNull: true }]);
    assert.deepEqual(await listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(5)), []);
  });

  it('waits as long as Retry-After says after a 429, then succeeds', async () => {
    bed.faults([{ match: '/tags/list', status: 429, retryAfter: '2', times: 1 }]);
    const started = Date.now();
    const tags = await listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(10));
    assert.equal(tags.length, 4);
    assert.ok(Date.now() - started >= 1950, `waited only ${Date.now() - started} ms`);
  });

  it('retries a 5xx answer after about a second and succeeds', async () => {
    bed.faults([{ match: '/tags/list', status: 503, times: 1 }]);
    const started = Date.now();
    const tags = await listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(10));
    assert.equal(tags.length, 4);
    assert.ok(Date.now() - started >= 1000);
    assert.equal(bed.requests.filter((r) => r.url.includes('/tags/list')).length, 2);
  });

  it('gives up after three attempts (waits of 1 s and 3 s) with the last error', async () => {
    bed.faults([{ match: '/tags/list', status: 500 }]);
    const error = await rejection(listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(10)));
    assert.equal(error.message, `GET http://${bed.host}/v2/team/app/tags/list?n=1000: UNKNOWN: injected 500`);
    const attempts = bed.requests.filter((r) => r.url.includes('/tags/list')).map((r) => r.at);
    assert.equal(attempts.length, 3);
    // ggcr's backoff: 1 s then 3 s, each plus up to 10 % jitter. A busy machine only makes waits longer: the
    // upper bounds tell 1 s from 3 s and 3 s from 9 s, with room to spare.
    const [first, second] = [attempts[1]! - attempts[0]!, attempts[2]! - attempts[1]!];
    assert.ok(first >= 1000 && first < 3000, `first wait ${Math.round(first)} ms, want 1–1.1 s`);
    assert.ok(second >= 3000 && second < 9000, `second wait ${Math.round(second)} ms, want 3–3.3 s`);
  });

  it('retries a connection reset', async () => {
    bed.faults([{ match: '/tags/list', reset: true, times: 1 }]);
    assert.equal((await listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(10))).length, 4);
  });

  it('retries a body cut short by a closed connection', async () => {
    bed.faults([{ match: '/tags/list', cutConnection: true, times: 1 }]);
    assert.equal((await listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(10))).length, 4);
  });

  it('fails clearly on a truncated JSON body', async () => {
    bed.faults([{ match: '/tags/list', truncate: true }]);
    const error = await rejection(listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(5)));
    assert.equal(error.message, `GET http://${bed.host}/v2/team/app/tags/list?n=1000: invalid tag list: unexpected EOF`);
  });

  it('is stopped by the scan signal while the registry is slow', async () => {
    bed.faults([{ match: '/tags/list', delayMs: 20_000 }]);
    const started = Date.now();
    const error = await rejection(listTags(ref(`${bed.host}/team/app`), scanOptions(), AbortSignal.timeout(500)));
    assert.ok(Date.now() - started < 10_000, 'stopped long before the registry answered');
    assert.equal(error.message, `Get "http://${bed.host}/v2/team/app/tags/list?n=1000": context deadline exceeded`);
  });

  it('is stopped by the signal during a retry wait', async () => {
    bed.faults([{ match: '/tags/list', status: 429, retryAfter: '30' }]);
    const started = Date.now();
    const error = await rejection(listTags(ref(`${bed.host}/team/app`), scanOptions(), AbortSignal.timeout(500)));
    assert.ok(Date.now() - started < 10_000, 'stopped long before the 30 s Retry-After');
    assert.match(error.message, /context deadline exceeded$/);
  });

  it('refuses a next link to another host and never contacts it', async () => {
    bed.faults([{ match: '/tags/list', link: '<http://127.0.0.2:1/v2/team/app/tags/list?last=b>; rel="next"', times: 1 }]);
    const error = await rejection(listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(5)));
    assert.equal(error.message, `refusing to follow the tag list's next page to http://127.0.0.2:1/v2/team/app/tags/list?last=b: it is not on http://${bed.host}, the registry being listed`);
  });

  it('refuses a next link that switches scheme', async () => {
    bed.faults([{ match: '/tags/list', link: `<https://${bed.host}/v2/team/app/tags/list?last=b>`, times: 1 }]);
    const error = await rejection(listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(5)));
    assert.match(error.message, /^refusing to follow the tag list's next page to https:/);
  });

  it('follows a redirect on the same registry', async () => {
    bed.faults([{ match: '/tags/list?n=1000', status: 307, location: '/v2/team/app/tags/list?n=1000&moved=1', body: '', times: 1 }]);
    assert.equal((await listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(5))).length, 4);
    assert.ok(bed.requests.some((r) => r.url.endsWith('moved=1')));
  });

  it('refuses a redirect to a private address of another host (ggcr checkRedirectSSRF)', async () => {
    const port = bed.host.split(':')[1];
    const target = `http://127.0.0.1:${port}/v2/team/app/tags/list?n=1000`;
    bed.faults([{ match: '/tags/list?n=1000', status: 302, location: target, body: '', times: 1 }]);
    const error = await rejection(listTags(ref(`localhost:${port}/team/app`), scanOptions(), seconds(5)));
    assert.equal(error.message, `Get "${target}": SSRF protection: redirect from "localhost" to private/link-local host "127.0.0.1" denied`);
  });

  it('sends no credentials along a redirect to another origin', async () => {
    const other = await startRegistryBed({ variant: 'plain', shim: true, seed: { 'team/app': ['x'] } });
    try {
      bed.faults([{ match: '/tags/list', status: 302, location: `${other.url}/v2/team/app/tags/list?n=1000`, body: '', times: 1 }]);
      const tags = await listTags(ref(`${bed.host}/team/app`), scanOptions({ authenticator: async () => ({ username: 'u', password: 'secret-password' }) }), seconds(5));
      assert.deepEqual(tags, ['x']);
      assert.ok(bed.requests.some((r) => r.authorization?.startsWith('Basic ')));
      assert.ok(other.requests.length > 0 && other.requests.every((r) => r.authorization === undefined));
    } finally {
      await other.stop();
    }
  });

  it('takes an empty <> link as the last page', async () => {
    bed.faults([{ match: '/tags/list', link: '<>; rel="next"' }]);
    assert.equal((await listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(5))).length, 4);
  });

  it('rejects a malformed Link header with ggcr\'s text', async () => {
    bed.faults([{ match: '/tags/list', link: 'v2/next' }]);
    const error = await rejection(listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(5)));
    assert.equal(error.message, "failed to parse link header: missing '<' in: v2/next");
  });

  it('stops at the page budget and at the response size cap', async () => {
    const budget = await rejection(listTags(ref(`${bed.host}/team/many`), scanOptions({ limits: { maxPages: 3 } }), seconds(10)));
    assert.equal(budget.message, `the tag list of ${bed.host}/team/many has more than 3 pages; stopped reading`);
    const size = await rejection(listTags(ref(`${bed.host}/team/many`), scanOptions({ limits: { maxResponseBytes: 4096 } }), seconds(10)));
    assert.equal(size.message, `GET http://${bed.host}/v2/team/many/tags/list?n=1000: response body exceeds the limit of 4096 bytes`);
    // Without Content-Length (chunked) the cap applies while reading.
    bed.faults([{ match: '/tags/list', truncate: true }]);
    const streamed = await rejection(listTags(ref(`${bed.host}/team/many`), scanOptions({ limits: { maxResponseBytes: 4096 } }), seconds(10)));
    assert.equal(streamed.message, size.message);
  });

  it('detects a next link that loops back to a page already read', async () => {
    bed.faults([{ match: '/tags/list', link: '</v2/team/app/tags/list?n=1000>' }]);
    const error = await rejection(listTags(ref(`${bed.host}/team/app`), scanOptions(), seconds(5)));
    assert.match(error.message, /links back to a page already read/);
  });

  it('fails fast with "connection refused" when the registry is down', async () => {
    const down = await startRegistryBed({ variant: 'plain' });
    const host = down.host;
    await down.stop();
    const started = Date.now();
    const error = await rejection(listTags(ref(`${host}/team/app`), scanOptions(), seconds(10)));
    // Retried like a 5xx it would take the 1 s + 3 s backoff at least.
    assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`);
    assert.equal(error.message, `Get "https://${host}/v2/": dial tcp ${host}: connect: connection refused; Get "http://${host}/v2/": dial tcp ${host}: connect: connection refused`);
  });
});
