// A registry must not be able to aim the scanner, and the credentials it carries, at a cloud metadata endpoint
// or a service on the person's own network by redirecting a listing there. ggcr's `checkRedirectSSRF`
// (go-containerregistry v0.21.6 pkg/v1/remote/fetcher.go) refuses a redirect to another host that is a
// private, loopback, link-local or unspecified address literal; names are not resolved.
import { isPrivateOrLinkLocal } from './addresses';

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '');

/**
 * ggcr's `checkRedirectSSRF` for a redirect to `to` in a chain that started at `first`: its error text, or
 * undefined when the redirect may be followed (same host as the first request, whatever the port, or not a
 * private address literal).
 */
export function ssrfRedirectProblem(to: URL, first: URL): string | undefined {
  const origin = bare(first.hostname);
  const destination = bare(to.hostname);
  if (destination === origin || !isPrivateOrLinkLocal(destination)) return undefined;
  return `SSRF protection: redirect from "${origin}" to private/link-local host "${destination}" denied`;
}
