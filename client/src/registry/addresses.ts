// Address literals as Go's net package classifies them, for the SSRF rules ggcr applies to Bearer realms
// (transport/bearer.go validateRealmURL) and to redirects (remote/fetcher.go checkRedirectSSRF).
import { isIP } from 'node:net';

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

