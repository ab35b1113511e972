// ggcr's realm rules (go-containerregistry v0.21.6 pkg/v1/remote/transport/bearer.go validateRealmURL), with the
// cases of its own bearer_test.go (TestValidateRealmURLUnspecified, TestValidateRealmURLSameHost) and its texts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPrivateOrLinkLocal } from '../../client/src/registry/addresses';
import { checkedRealm, realmProblem } from '../../client/src/registry/auth/realm';
import { parseChallenge, pickChallenge } from '../../client/src/registry/challenge';

describe('Bearer realm checks (ggcr validateRealmURL)', () => {
  it('blocks unspecified, loopback, private and link-local literals and allows public ones', () => {
    const cases: [string, boolean][] = [
      ['https://0.0.0.0/token', true], ['https://0.0.0.0:8443/token', true], ['https://[::]/token', true],
      ['https://[::]:8443/token', true], ['https://127.0.0.1/token', true], ['https://[::1]/token', true],
      ['https://10.0.0.1/token', true], ['https://192.168.1.1/token', true], ['https://169.254.169.254/token', true],
      ['https://172.16.0.1/token', true], ['https://172.31.255.1/token', true], ['https://172.32.0.1/token', false],
      ['https://[fd00:ec2::254]/token', true], ['https://[fe80::1]/token', true], ['https://[::ffff:10.1.2.3]/token', true],
      ['https://224.0.0.251/token', true], ['https://[ff02::1]/token', true],
      ['https://8.8.8.8/token', false], ['https://registry.example.com/token', false], ['https://localhost:5001/token', false],
      ['https://[2001:db8::1]/token', false],
    ];
    for (const [realm, blocked] of cases) {
      assert.equal(realmProblem(realm, '', false) !== undefined, blocked, realm);
    }
  });

  it('allows a realm on the registry\'s own host:port, and only that port', () => {
    assert.equal(realmProblem('http://127.0.0.1:5000/auth', '127.0.0.1:5000', true), undefined);
    assert.equal(realmProblem('https://10.0.0.1/auth', '10.0.0.1', false), undefined);
    assert.equal(realmProblem('http://[::1]:5000/auth', '[::1]:5000', true), undefined);
    assert.equal(realmProblem('http://127.0.0.1:8080/auth', '127.0.0.1:5000', true), 'realm host "127.0.0.1" is a private or link-local address');
    assert.equal(realmProblem('http://127.0.0.1:5000/auth', 'registry.example.com', true), 'realm host "127.0.0.1" is a private or link-local address');
    assert.equal(realmProblem('https://169.254.169.254/auth', 'registry.example.com', false), 'realm host "169.254.169.254" is a private or link-local address');
  });

  it('allows an http realm only for a registry pinged over plain HTTP, and no other scheme', () => {
    assert.equal(realmProblem('http://127.0.0.1:5000/auth', '127.0.0.1:5000', false), 'realm scheme "http" not allowed for a secure registry; use https');
    assert.equal(realmProblem('ftp://auth.example/token', 'r.example', true), 'realm scheme "ftp" not allowed; must be https (or http for insecure registries)');
    assert.equal(realmProblem('/token', 'r.example', true), 'realm scheme "" not allowed; must be https (or http for insecure registries)');
    assert.equal(realmProblem('HTTPS://auth.example/token', 'r.example', false), undefined);
  });

  it('gives ggcr\'s texts for a missing or refused realm', () => {
    assert.throws(() => checkedRealm({ service: 'reg', scope: 'x' }, 'r.example', false), { message: 'malformed www-authenticate, missing realm: map[scope:x service:reg]' });
    assert.throws(() => checkedRealm({ realm: 'https://10.1.1.1/t' }, 'r.example', false), { message: 'invalid realm in www-authenticate: realm host "10.1.1.1" is a private or link-local address' });
  });

  it('judges only address literals, as Go\'s net.ParseIP does', () => {
    assert.equal(isPrivateOrLinkLocal('metadata.google.internal'), false);
    assert.equal(isPrivateOrLinkLocal('fe80::1%eth0'), false);
    assert.equal(isPrivateOrLinkLocal('::ffff:127.0.0.1'), true);
  });
});

describe('WWW-Authenticate as ggcr reads it (authchallenge, pickFromMultipleChallenges)', () => {
  it('reads the first challenge of a header only, stopping at what is not a parameter', () => {
    assert.deepEqual(parseChallenge('Negotiate, Basic realm="x"'), { scheme: 'negotiate', params: {} });
    assert.deepEqual(parseChallenge('Bearer realm="https://a/t",service=reg,other=fun,slashed="he\\"\\l\\lo"'),
      { scheme: 'bearer', params: { realm: 'https://a/t', service: 'reg', other: 'fun', slashed: 'he"llo' } });
    assert.deepEqual(parseChallenge('  Bearer realm=x'), { scheme: '', params: {} });
  });

  it('picks the first Basic or Bearer challenge of all headers, else the first, else the raw header', () => {
    assert.equal(pickChallenge(['Negotiate', 'NTLM', 'Basic realm="Acme"']).scheme, 'basic');
    assert.equal(pickChallenge(['Negotiate', 'Bearer realm="https://a/t"', 'Basic realm="x"']).scheme, 'bearer');
    assert.equal(pickChallenge(['Negotiate, Basic realm="x"']).scheme, 'negotiate');
    assert.equal(pickChallenge(['NTLM', 'Negotiate']).scheme, 'ntlm');
    assert.equal(pickChallenge([' odd']).scheme, ' odd');
    assert.equal(pickChallenge([]).scheme, '');
  });
});
