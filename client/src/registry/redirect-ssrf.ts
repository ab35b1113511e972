// The controller refuses a redirect from a public registry to a private, loopback or link-local address
// (go-containerregistry pkg/v1/remote/fetcher.go `checkRedirectSSRF`): a public registry must not be able to aim the scanner, and the
// credentials it carries, at services on the person's own machine or network. Only address literals and
// `localhost` are judged here; names are not resolved.
import { isIP } from 'node:net';

export function isInternalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  if (family === 4) {
    const [a, b] = host.split('.').map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    if (mapped) return isInternalHost(mapped[1]);
    return host === '::' || host === '::1' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
  }
  return false;
}

/** A redirect is refused only when it leaves a public host for an internal one. */
export function isRedirectAllowed(from: URL, to: URL): boolean {
  return isInternalHost(from.hostname) || !isInternalHost(to.hostname);
}
