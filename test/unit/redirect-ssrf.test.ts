// go-containerregistry v0.21.6 pkg/v1/remote/fetcher.go `checkRedirectSSRF`, with the cases of its fetcher_test.go:
// a redirect to another host that is a private, loopback, link-local or unspecified address literal is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ssrfRedirectProblem } from '../../client/src/registry/redirect-ssrf';

const check = (from: string, to: string) => ssrfRedirectProblem(new URL(to), new URL(`https://${from}/v2/foo/bar/tags/list`));

test('refuses redirects to private, loopback, link-local and unspecified addresses of another host', () => {
  for (const to of ['http://169.254.169.254/latest/meta-data/', 'http://192.168.1.1/admin', 'http://10.0.0.1/internal',
    'http://172.16.0.1/secret', 'http://127.0.0.1:9999/creds', 'http://0.0.0.0/anything', 'http://[fd00:ec2::254]/latest/meta-data/',
    'http://[::1]/internal']) {
    assert.ok(check('registry.example.com', to), to);
  }
  assert.equal(check('registry.example.com', 'http://169.254.169.254/x'),
    'SSRF protection: redirect from "registry.example.com" to private/link-local host "169.254.169.254" denied');
  assert.ok(check('10.0.0.5:5000', 'http://10.0.0.6/x'), 'between two private hosts too');
});

test('allows the same host (any port), public addresses and names, which are not resolved', () => {
  assert.equal(check('registry.example.com', 'https://registry.example.com/v2/foo/bar/blobs/uploads/1'), undefined);
  assert.equal(check('127.0.0.1:5000', 'http://127.0.0.1:5001/v2/foo'), undefined);
  assert.equal(check('[::1]:5000', 'http://[::1]:5000/v2/foo/bar/blobs/uploads/1'), undefined);
  assert.equal(check('ghcr.io', 'https://pkg-containers.githubusercontent.com/x'), undefined);
  assert.equal(check('ghcr.io', 'http://8.8.8.8/x'), undefined);
  assert.equal(check('ghcr.io', 'http://localhost:5000/x'), undefined);
});
