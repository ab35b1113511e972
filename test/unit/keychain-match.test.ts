// ggcr's pull-secret keychain (go-containerregistry pkg/authn/kubernetes/keychain.go): key normalisation, host matching and which entry wins.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authConfigFrom, keyMatches, normaliseKey, parseDockerConfig, resolveFromKeyrings } from '../../client/src/registry/auth/keychain';

const hub = ['index.docker.io/library/alpine', 'index.docker.io/stefanprodan/podinfo', 'index.docker.io/x/y'];
const ghcr = 'ghcr.io/stefanprodan/podinfo';

function matches(key: string, target: string): boolean {
  return keyMatches(normaliseKey(key)!, target);
}

describe('docker config key normalisation', () => {
  const cases: [string, string][] = [
    ['https://index.docker.io/v1/', 'index.docker.io'],
    ['https://ghcr.io/v2/', 'ghcr.io'],
    ['https://ghcr.io/v1/stefanprodan', 'ghcr.io/stefanprodan'],
    ['http://localhost:5000', 'localhost:5000'],
    ['ghcr.io', 'ghcr.io'],
    ['GHCR.IO', 'GHCR.IO'],
    ['ghcr.io/', 'ghcr.io'],
  ];
  for (const [key, expected] of cases) {
    it(`normalises ${key} to ${expected}`, () => assert.equal(normaliseKey(key), expected));
  }
});

describe('the keychain matching table', () => {
  const rows: [string, boolean, boolean][] = [
    ['https://index.docker.io/v1/', true, false],
    ['index.docker.io', true, false],
    ['*.docker.io', true, false],
    ['docker.io', false, false],
    ['https://docker.io', false, false],
    ['registry-1.docker.io', false, false],
    ['ghcr.io', false, true],
    ['https://ghcr.io', false, true],
    ['http://ghcr.io', false, true],
    ['https://ghcr.io/v2/', false, true],
    ['ghcr.io/stefanprodan', false, true],
    ['ghcr.io/stefan', false, true],
    ['https://ghcr.io/v1/stefanprodan', false, true],
    ['ghcr.io/other', false, false],
    ['ghcr.io:443', false, false],
    ['GHCR.IO', false, false],
    ['*.io', false, true],
  ];
  for (const [key, dockerHub, github] of rows) {
    it(`key ${key} ${dockerHub ? 'matches' : 'does not match'} Docker Hub and ${github ? 'matches' : 'does not match'} ghcr.io`, () => {
      for (const target of hub) assert.equal(matches(key, target), dockerHub, target);
      assert.equal(matches(key, ghcr), github);
    });
  }

  it('matches a host:port key only against the same port', () => {
    assert.equal(matches('localhost:5000', 'localhost:5000/team/app'), true);
    assert.equal(matches('http://localhost:5000', 'localhost:5000/team/app'), true);
    assert.equal(matches('localhost:5000', 'localhost:5001/team/app'), false);
    assert.equal(matches('localhost', 'localhost:5000/team/app'), false);
    assert.equal(matches('ghcr.io:443', 'ghcr.io:443/a/b'), true);
  });

  it('lets * match exactly one label', () => {
    assert.equal(matches('*.example.com', 'a.example.com/x'), true);
    assert.equal(matches('*.example.com', 'a.b.example.com/x'), false);
    assert.equal(matches('reg?.example.com', 'reg1.example.com/x'), true);
  });
});

describe('which entry wins', () => {
  const ring = (source: string, auths: Record<string, object>) => parseDockerConfig(JSON.stringify({ auths }), 'dockerconfigjson', source);

  it('prefers the more specific key (reverse lexicographic order)', () => {
    const found = resolveFromKeyrings([ring('s', { 'ghcr.io': { username: 'broad', password: 'p' }, 'ghcr.io/stefanprodan': { username: 'narrow', password: 'p' } })], ghcr);
    assert.equal(found?.auth.username, 'narrow');
    assert.equal(found?.key, 'ghcr.io/stefanprodan');
  });

  it('takes the earlier Secret for the same key (secretRef before the ServiceAccount\'s)', () => {
    const found = resolveFromKeyrings([ring('first', { 'ghcr.io': { username: 'one', password: 'p' } }), ring('second', { 'https://ghcr.io': { username: 'two', password: 'p' } })], ghcr);
    assert.equal(found?.auth.username, 'one');
    assert.equal(found?.source, 'first');
  });

  it('finds nothing when no key matches', () => {
    assert.equal(resolveFromKeyrings([ring('s', { 'docker.io': { username: 'u', password: 'p' } })], hub[0]!), undefined);
  });
});

describe('auth entries', () => {
  it('decodes auth and lets it override username and password', () => {
    const auth = authConfigFrom({ username: 'ignored', password: 'ignored', auth: Buffer.from('user:pa:ss').toString('base64') });
    assert.deepEqual([auth.username, auth.password], ['user', 'pa:ss']);
  });

  it('accepts unpadded base64', () => {
    const auth = authConfigFrom({ auth: Buffer.from('ab:c').toString('base64').replace(/=+$/, '') });
    assert.deepEqual([auth.username, auth.password], ['ab', 'c']);
  });

  it('rejects auth that is not base64(username:password)', () => {
    assert.throws(() => authConfigFrom({ auth: '!!!' }), /^Error: unable to decode auth field/);
    assert.throws(() => authConfigFrom({ auth: Buffer.from('nocolon').toString('base64') }), /must be formatted as base64\(username:password\)/);
  });

  it('keeps identity and registry tokens', () => {
    assert.deepEqual(authConfigFrom({ identitytoken: 'i', registrytoken: 'r' }), { username: undefined, password: undefined, identityToken: 'i', registryToken: 'r' });
  });

  it('reads the dockercfg format (the bare auths map)', () => {
    const keyring = parseDockerConfig(JSON.stringify({ 'https://index.docker.io/v1/': { auth: Buffer.from('u:p').toString('base64') } }), 'dockercfg', 's');
    assert.equal(resolveFromKeyrings([keyring], hub[0]!)?.auth.username, 'u');
  });

  it('reports invalid JSON', () => {
    assert.throws(() => parseDockerConfig('{', 'dockerconfigjson', "secret 'a/b'"), /^Error: secret 'a\/b': invalid JSON/);
  });
});
