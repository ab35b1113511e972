// Where a Bearer challenge may send the credential exchange. A registry names its token server in `realm`; a
// malicious or compromised one could name a cloud metadata endpoint or a service on the person's own machine, so
// ggcr checks the realm before any request is made to it, and again on every redirect of the token request.
// Only address literals are judged; names are not resolved (as in ggcr).
import { isPrivateOrLinkLocal } from '../addresses';
import { RegistryError } from '../contract';

/** Go's `url.URL.Scheme` of a realm: `[A-Za-z][A-Za-z0-9+.-]*` before the first `:`, lower-cased, else empty. */
function scheme(realm: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(realm);
  return match ? match[1]!.toLowerCase() : '';
}

/** Go's `url.URL.Host` as written (no case folding, no default-port removal, userinfo dropped). */
function rawHost(realm: string): string {
  const afterScheme = realm.slice(scheme(realm).length + (scheme(realm) ? 1 : 0));
  if (!afterScheme.startsWith('//')) return '';
  const authority = afterScheme.slice(2).split(/[/?#]/, 1)[0]!;
  return authority.slice(authority.lastIndexOf('@') + 1);
}

/** Go's `url.URL.Hostname()`: the host without port and brackets. */
function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']') === -1 ? undefined : host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/**
 * ggcr's `validateRealmURL` (go-containerregistry v0.21.6 pkg/v1/remote/transport/bearer.go): `https` always,
 * `http` only when the ping was answered over plain HTTP (`insecure`), a realm on the registry's own host:port
 * always, otherwise no private, loopback, link-local or unspecified address literal. Returns ggcr's error text
 * (without the caller's prefix), or undefined when the realm may be used.
 */
export function realmProblem(realm: string, registryHost: string, insecure: boolean): string | undefined {
  const realmScheme = scheme(realm);
  if (realmScheme === 'http') {
    if (!insecure) return `realm scheme "http" not allowed for a secure registry; use https`;
  } else if (realmScheme !== 'https') {
    return `realm scheme "${realmScheme}" not allowed; must be https (or http for insecure registries)`;
  }
  const host = rawHost(realm);
  if (registryHost !== '' && host === registryHost) return undefined;
  const name = hostname(host);
  if (isPrivateOrLinkLocal(name)) return `realm host "${name}" is a private or link-local address`;
  return undefined;
}

/** ggcr `fromChallenge`: the realm of a Bearer challenge, or its error (`invalid realm in www-authenticate: …`). */
export function checkedRealm(params: Record<string, string>, registryHost: string, insecure: boolean): string {
  const realm = params.realm;
  if (realm === undefined) {
    const shown = Object.keys(params).sort().map((key) => `${key}:${params[key]}`).join(' ');
    throw new RegistryError(`malformed www-authenticate, missing realm: map[${shown}]`);
  }
  const problem = realmProblem(realm, registryHost, insecure);
  if (problem) throw new RegistryError(`invalid realm in www-authenticate: ${problem}`);
  return realm;
}
