// Pure parts of the registry client: challenges, Link headers, ggcr error texts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenge } from '../../client/src/registry/challenge';
import { nextPageUrl } from '../../client/src/registry/list';
import { goValue, redact, responseError } from '../../client/src/registry/errors';

const page = (link: string | undefined, url = 'https://r.example/v2/a/b/tags/list?n=1000') => ({ status: 200, headers: link === undefined ? {} : { link }, body: Buffer.alloc(0), url });

describe('WWW-Authenticate challenges', () => {
  it('reads a Bearer challenge with quoted parameters', () => {
    assert.deepEqual(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"'),
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' } });
  });
  it('reads Basic case-insensitively, with unquoted and escaped values', () => {
    assert.deepEqual(parseChallenge('BASIC realm=test, charset="UTF-8"'), { scheme: 'basic', params: { realm: 'test', charset: 'UTF-8' } });
    assert.equal(parseChallenge('Bearer realm="a\\"b"').params.realm, 'a"b');
  });
});

describe('Link headers (ggcr getNextPageURL)', () => {
  const origin = 'https://r.example';
  it('resolves a relative next link against the page', () => {
    assert.equal(nextPageUrl(page('</v2/a/b/tags/list?n=1000&last=x>; rel="next"'), origin)?.toString(), 'https://r.example/v2/a/b/tags/list?n=1000&last=x');
  });
  it('has no next page without a Link header or with <>', () => {
    assert.equal(nextPageUrl(page(undefined), origin), undefined);
    assert.equal(nextPageUrl(page('<>; rel="next"'), origin), undefined);
  });
  it('does not check rel="next", as ggcr does not', () => {
    assert.ok(nextPageUrl(page('</v2/a/b/tags/list?last=y>; rel="prev"'), origin));
  });
  it('rejects links without < or >', () => {
    assert.throws(() => nextPageUrl(page('/v2/x'), origin), { message: "failed to parse link header: missing '<' in: /v2/x" });
    assert.throws(() => nextPageUrl(page('</v2/x'), origin), { message: "failed to parse link header: missing '>' in: </v2/x" });
  });
  it('refuses another host, port or scheme', () => {
    for (const link of ['<https://evil.example/v2/a/b/tags/list>', '<https://r.example:8443/v2/x>', '<http://r.example/v2/x>']) {
      assert.throws(() => nextPageUrl(page(link), origin), /^Error: refusing to follow the tag list's next page to /);
    }
  });
});

describe('ggcr error texts', () => {
  const url = 'https://r.example/v2/a/b/tags/list?n=1000';
  it('prints one registry error as CODE: message; detail', () => {
    const body = Buffer.from(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: [{ Type: 'repository', Name: 'a/b', Action: 'pull', Class: '' }] }] }));
    assert.equal(responseError('GET', url, 401, body).message, `GET ${url}: UNAUTHORIZED: authentication required; [map[Action:pull Class: Name:a/b Type:repository]]`);
  });
  it('joins several errors', () => {
    const body = Buffer.from(JSON.stringify({ errors: [{ code: 'A', message: 'one' }, { code: 'B', message: 'two', detail: null }] }));
    assert.equal(responseError('GET', url, 400, body).message, `GET ${url}: multiple errors returned: A: one; B: two`);
  });
  it('prints the status and raw body when the body is not a registry error', () => {
    assert.equal(responseError('GET', url, 404, Buffer.alloc(0)).message, `GET ${url}: unexpected status code 404 Not Found`);
    assert.equal(responseError('GET', url, 404, Buffer.from('404 page not found\n')).message, `GET ${url}: unexpected status code 404 Not Found: 404 page not found\n`);
    assert.equal(responseError('GET', url, 429, Buffer.alloc(0)).message, `GET ${url}: unexpected status code 429 Too Many Requests`);
  });
  it('formats JSON details like Go\'s %v', () => {
    assert.equal(goValue({ b: 1, a: [true, null, 'x'], c: { d: 1.5 } }), 'map[a:[true <nil> x] b:1 c:map[d:1.5]]');
  });
  it('prints URLs like ggcr\'s redact.URL: keys sorted, unknown values replaced, a password as xxxxx', () => {
    assert.equal(redact('https://user:pass@r.example/token?scope=x&refresh_token=abc'), 'https://user:xxxxx@r.example/token?refresh_token=REDACTED&scope=x');
    assert.equal(redact('https://r.example/v2/a/tags/list?n=1000&last=v1.2&cursor=b3BhcXVl'), 'https://r.example/v2/a/tags/list?cursor=REDACTED&last=v1.2&n=1000');
    assert.equal(redact('https://r.example/token?service=reg&scope=repository%3Aa%2Fb%3Apull&scope=x+y'), 'https://r.example/token?scope=repository%3Aa%2Fb%3Apull&scope=x+y&service=reg');
    assert.equal(redact('https://r.example/v2/'), 'https://r.example/v2/');
    assert.equal(redact('https://blob.example/x?X-Amz-Signature=abc&X-Amz-Credential=AKIA'), 'https://blob.example/x?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED');
  });
});
