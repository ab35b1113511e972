// Where a Bearer challenge may send the credential exchange. A registry names its token server in `realm`; a
// malicious or compromised one could name a cloud metadata endpoint or a service on the person's own machine, so
// ggcr checks the realm before any request is made to it, and again on every redirect of the token request.
// Only address literals are judged; names are not resolved (as in ggcr).
import { isIP } from 'node:net';
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

/** The 16 bytes of an IPv6 literal (embedded IPv4 allowed); `isIP(text) === 6` must hold. */
function ipv6Bytes(text: string): number[] {
  let body = text;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (v4) {
    tail.push(...v4[1]!.split('.').map(Number));
    body = body.slice(0, -v4[1]!.length) + '0:0';
  }
  const [head, rest] = body.includes('::') ? body.split('::') as [string, string] : [body, undefined];
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const words = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  const bytes = words.flatMap((word) => [word >> 8, word & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/**
 * Go's `ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsPrivate() ||
 * ip.IsUnspecified()` for an address literal (`net.ParseIP`; IPv4-mapped IPv6 counts as IPv4); false for
 * anything that is not an address literal.
 */
export function isPrivateOrLinkLocal(host: string): boolean {
  let bytes: number[];
  if (isIP(host) === 4) bytes = host.split('.').map(Number);
  else if (isIP(host) === 6 && !host.includes('%')) bytes = ipv6Bytes(host);
  else return false;
  if (bytes.length === 16 && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) bytes = bytes.slice(12);
  if (bytes.length === 4) {
    const [a, b, c] = bytes as [number, number, number, number];
    return a === 127 || (a === 169 && b === 254) || (a === 224 && b === 0 && c === 0) || a === 10
      || (a === 172 && (b & 0xf0) === 16) || (a === 192 && b === 168) || bytes.every((x) => x === 0);
  }
  const loopback = bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1;
  return loopback || (bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80) || (bytes[0] === 0xff && (bytes[1]! & 0x0f) === 0x02)
    || (bytes[0]! & 0xfe) === 0xfc || bytes.every((b) => b === 0);
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
