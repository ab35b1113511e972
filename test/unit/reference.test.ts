// image-reflector-controller internal/registry/helper.go `ParseImageReference` (go-containerregistry v0.21.6
// pkg/name + the controller's checks), including the cases of its Test_ParseImageReference (helper_test.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImageReference } from '../../common/flux/reference';

const hex = 'a'.repeat(64);
type Row = [input: string, expected: string, scheme?: 'http' | 'https'];

const accepted: Row[] = [
  ['alpine', 'index.docker.io/library/alpine', 'https'],
  ['library/alpine', 'index.docker.io/library/alpine', 'https'],
  ['docker.io/alpine', 'index.docker.io/library/alpine', 'https'],
  ['docker.io/library/alpine', 'index.docker.io/library/alpine', 'https'],
  ['index.docker.io/alpine', 'index.docker.io/library/alpine', 'https'],
  ['registry-1.docker.io/library/alpine', 'registry-1.docker.io/library/alpine', 'https'],
  ['stefanprodan/podinfo', 'index.docker.io/stefanprodan/podinfo', 'https'],
  ['docker.io/stefanprodan/podinfo', 'index.docker.io/stefanprodan/podinfo', 'https'],
  ['ghcr.io/stefanprodan/podinfo', 'ghcr.io/stefanprodan/podinfo', 'https'],
  ['registry.example.com/a/b/c/d', 'registry.example.com/a/b/c/d', 'https'],
  ['localhost:5000/foo', 'localhost:5000/foo', 'http'],
  ['localhost/foo', 'index.docker.io/localhost/foo', 'https'],
  ['127.0.0.1:5000/foo', '127.0.0.1:5000/foo', 'http'],
  ['[::1]:5000/foo', '[::1]:5000/foo', 'http'],
  ['192.168.1.10:5000/app', '192.168.1.10:5000/app', 'http'],
  ['10.0.0.1/foo', '10.0.0.1/foo', 'http'],
  ['172.16.0.5:5000/a/b', '172.16.0.5:5000/a/b', 'http'],
  ['foo.localhost/bar', 'foo.localhost/bar', 'http'],
  ['registry.local/foo', 'registry.local/foo', 'https'],
  ['my-registry:5000/team/app', 'my-registry:5000/team/app', 'https'],
  ['ghcr.io:443/foo', 'ghcr.io:443/foo', 'https'],
  ['docker.io:443/alpine', 'docker.io:443/alpine', 'https'],
  ['index.docker.io:443/alpine', 'index.docker.io:443/alpine', 'https'],
  ['GHCR.IO/foo', 'GHCR.IO/foo', 'https'],
  ['Docker.io/alpine', 'Docker.io/alpine', 'https'],
  ['localhost', 'index.docker.io/library/localhost', 'https'],
  ['ghcr.io', 'index.docker.io/library/ghcr.io', 'https'],
  ['docker.io', 'index.docker.io/library/docker.io', 'https'],
  ['ab', 'index.docker.io/library/ab', 'https'],
  ['ghcr.io:/foo', 'ghcr.io:/foo', 'https'],
  ['ghcr.io/foo/', 'ghcr.io/foo/'],
  ['ghcr.io//foo', 'ghcr.io//foo'],
  ['example.com/-foo', 'example.com/-foo'],
  ['example.com/foo..bar', 'example.com/foo..bar'],
  ['library', 'index.docker.io/library/library'],
  ['library/', 'index.docker.io/library/'],
  ['_/nginx', 'index.docker.io/_/nginx'],
  ['foo_bar/baz__qux', 'index.docker.io/foo_bar/baz__qux'],
  ['my_registry.io/foo', 'my_registry.io/foo'],
  ['xn--bcher-kva.example/foo', 'xn--bcher-kva.example/foo'],
  ['ghcr.io/' + 'a'.repeat(255), 'ghcr.io/' + 'a'.repeat(255)],
  ['a'.repeat(255), 'index.docker.io/library/' + 'a'.repeat(255)],
  // Test_ParseImageReference (internal/registry/helper_test.go)
  ['example.com/foo/bar', 'example.com/foo/bar', 'https'],
  ['example.com:9999/foo/bar', 'example.com:9999/foo/bar', 'https'],
];

const rejected: [input: string, message: string][] = [
  ['ghcr.io/Stefanprodan/podinfo', 'could not parse reference: ghcr.io/Stefanprodan/podinfo'],
  ['Alpine', 'could not parse reference: Alpine'],
  ['ghcr.io/stefanprodan/podinfo:6.5.0', "image 'ghcr.io/stefanprodan/podinfo:6.5.0' should not include a tag; remove ':6.5.0'"],
  ['alpine:3.18', "image 'alpine:3.18' should not include a tag; remove ':3.18'"],
  ['docker.io/alpine:latest', "image 'docker.io/alpine:latest' should not include a tag; remove ':latest'"],
  ['localhost:5000/foo:v1', "image 'localhost:5000/foo:v1' should not include a tag; remove ':v1'"],
  [`alpine@sha256:${hex}`, `image 'alpine@sha256:${hex}' should not include a tag; remove ':${hex}'`],
  [`ghcr.io/foo/bar:v1@sha256:${hex}`, `image 'ghcr.io/foo/bar:v1@sha256:${hex}' should not include a tag; remove ':v1@sha256'`],
  ['alpine@sha256:abc', 'could not parse reference: alpine@sha256:abc'],
  ['ghcr.io/stefanprodan/podinfo:foo:bar', 'could not parse reference: ghcr.io/stefanprodan/podinfo:foo:bar'],
  ['ghcr.io/foo:', 'could not parse reference: ghcr.io/foo:'],
  ['https://ghcr.io/foo', "image 'https://ghcr.io/foo' should not include URL scheme; remove 'https://'"],
  ['http://localhost:5000/foo', "image 'http://localhost:5000/foo' should not include URL scheme; remove 'http://'"],
  ['oci://ghcr.io/foo', "image 'oci://ghcr.io/foo' should not include URL scheme; remove 'oci://'"],
  ['localhost:5000', "image 'localhost:5000' should not include a tag; remove ':5000'"],
  ['a', 'could not parse reference: a'],
  ['ghcr.io/a', 'could not parse reference: ghcr.io/a'],
  ['a.b/c', 'could not parse reference: a.b/c'],
  ['', 'could not parse reference: '],
  [' alpine', 'could not parse reference:  alpine'],
  ['ghcr.io/foo bar', 'could not parse reference: ghcr.io/foo bar'],
  ['ghcr.io/foo\n', 'could not parse reference: ghcr.io/foo\n'],
  ['ghcr.io/föö', 'could not parse reference: ghcr.io/föö'],
  ['ghcr.io:foo/bar', 'could not parse reference: ghcr.io:foo/bar'],
  ['a:b/c', 'could not parse reference: a:b/c'],
  ['user@ghcr.io/foo', 'could not parse reference: user@ghcr.io/foo'],
  ['ghcr.io/' + 'a'.repeat(256), 'could not parse reference: ghcr.io/' + 'a'.repeat(256)],
  ['example.com/.', 'could not parse reference: example.com/.'],
  // Test_ParseImageReference (internal/registry/helper_test.go)
  ['https://example.com/foo/bar', "image 'https://example.com/foo/bar' should not include URL scheme; remove 'https://'"],
  ['example.com/foo/bar:baz', "image 'example.com/foo/bar:baz' should not include a tag; remove ':baz'"],
];

for (const [input, expected, scheme] of accepted) {
  test(`canonicalises ${JSON.stringify(input.length > 40 ? input.slice(0, 40) + '…' : input)} to ${expected.slice(0, 60)}`, () => {
    const result = parseImageReference(input);
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.equal(result.reference.canonicalImageName, expected);
    if (scheme) assert.equal(result.reference.scheme, scheme);
  });
}

for (const [input, message] of rejected) {
  test(`rejects ${JSON.stringify(input.length > 40 ? input.slice(0, 40) + '…' : input)} with the controller's message`, () => {
    const result = parseImageReference(input);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.message, message);
  });
}

test('insecure switches the scheme to http without changing the canonical name', () => {
  const result = parseImageReference('example.com/foo/bar', true);
  assert.ok(result.ok);
  assert.equal(result.reference.canonicalImageName, 'example.com/foo/bar');
  assert.equal(result.reference.scheme, 'http');
});

test('keeps the precise ggcr reason as detail for editors', () => {
  const result = parseImageReference('ghcr.io/Stefanprodan/podinfo');
  assert.equal(result.ok, false);
  if (!result.ok) assert.match(result.detail ?? '', /repository can only contain the characters/);
});

test('splits registry and repository like RegistryStr and RepositoryStr', () => {
  const result = parseImageReference('alpine');
  assert.ok(result.ok);
  assert.equal(result.reference.registry, 'index.docker.io');
  assert.equal(result.reference.repository, 'library/alpine');
});
