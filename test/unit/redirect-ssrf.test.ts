// go-containerregistry pkg/v1/remote/fetcher.go `checkRedirectSSRF`: a public registry may not redirect the scanner to a private, loopback or link-local address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isInternalHost, isRedirectAllowed } from '../../client/src/registry/redirect-ssrf';

test('recognises private, loopback and link-local addresses', () => {
  for (const host of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '0.0.0.0',
    'localhost', 'api.localhost', '[::1]', '::', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1']) {
    assert.equal(isInternalHost(host), true, host);
  }
  for (const host of ['8.8.8.8', '172.32.0.1', '192.169.0.1', 'ghcr.io', '2606:4700::1', 'registry.example.com']) {
    assert.equal(isInternalHost(host), false, host);
  }
});

test('refuses a redirect from a public registry to an internal address', () => {
  assert.equal(isRedirectAllowed(new URL('https://ghcr.io/v2/x/tags/list'), new URL('http://169.254.169.254/latest/meta-data')), false);
  assert.equal(isRedirectAllowed(new URL('https://ghcr.io/v2/'), new URL('https://127.0.0.1:5000/v2/')), false);
});

test('allows public-to-public redirects and anything from an internal registry', () => {
  assert.equal(isRedirectAllowed(new URL('https://ghcr.io/v2/'), new URL('https://pkg-containers.githubusercontent.com/x')), true);
  assert.equal(isRedirectAllowed(new URL('http://127.0.0.1:5000/v2/'), new URL('http://127.0.0.1:5001/v2/')), true);
});
