// `remote.List` of ggcr v0.21.6 as the controller calls it (pkg/v1/remote/list.go): ping, authenticate with
// scope `repository:<repo>:pull`, then `GET /v2/<repo>/tags/list?n=1000` and every `Link` next page. Like ggcr
// ≥ 0.21.7 a next link to another host or scheme is refused (credentials never leave the registry) and `<>`
// ends the listing.
import type { ImageReference } from '../../../common/flux/reference';
import { RegistryError, type ScanOptions } from './contract';
import { BearerSession, directAuthorization } from './auth/bearer';
import type { Challenge } from './challenge';
import { cachedPing, forgetPing, sharedPing } from './ping-cache';
import { dispatcherFor, dispatcherKey } from './dispatcher';
import { abortCause, isNetworkError, redact, responseError } from './errors';
import { defaultLimits, pageSize, type ListLimits } from './limits';
import { resolved, type ResolvedScanOptions } from './options';
import { ssrfRedirectProblem } from './redirect-ssrf';
import { header, headerValues, send, type Exchange, type HttpResponse } from './transport';

/** ggcr's getNextPageURL, with the v0.21.7 rules for `<>` and other origins (`origin`: the registry's). */
export function nextPageUrl(response: HttpResponse, origin: string): URL | undefined {
  const link = header(response, 'link');
  if (!link) return undefined;
  if (!link.startsWith('<')) throw new RegistryError(`failed to parse link header: missing '<' in: ${link}`);
  const end = link.indexOf('>');
  if (end === -1) throw new RegistryError(`failed to parse link header: missing '>' in: ${link}`);
  const target = link.slice(1, end).trim();
  if (target === '') return undefined;
  let next: URL;
  try {
    next = new URL(target, response.url);
  } catch {
    throw new RegistryError(`failed to parse link header: invalid URL in: ${link}`);
  }
  if (next.origin !== origin) {
    throw new RegistryError(`refusing to follow the tag list's next page to ${redact(next.toString())}: it is not on ${origin}, the registry being listed`);
  }
  return next;
}

function decodePage(response: HttpResponse): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body.toString('utf8'));
  } catch (error) {
    const cause = /end of JSON input|Unterminated/i.test((error as Error).message) ? 'unexpected EOF' : (error as Error).message;
    throw new RegistryError(`GET ${redact(response.url)}: invalid tag list: ${cause}`);
  }
  const tags = (parsed as { tags?: unknown } | null)?.tags;
  if (tags === null || tags === undefined) return [];
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string')) {
    throw new RegistryError(`GET ${redact(response.url)}: invalid tag list: "tags" is not a list of strings`);
  }
  return tags as string[];
}

export async function listTags(reference: ImageReference, options: ScanOptions, signal: AbortSignal): Promise<string[]> {
  const opts = resolved(options);
  try {
    return await listAllPages(reference, opts, signal);
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (error instanceof RegistryError && (status === 401 || status === 403) && opts.authNotes.length > 0) {
      throw new RegistryError(`${error.message} (${opts.authNotes.join('; ')})`);
    }
    throw error;
  }
}

async function listAllPages(reference: ImageReference, opts: ResolvedScanOptions, signal: AbortSignal): Promise<string[]> {
  const limits: ListLimits = { ...defaultLimits, ...opts.limits };
  const transport = dispatcherKey(opts);
  const exchange: Exchange = { dispatcher: dispatcherFor(opts, transport), signal, maxResponseBytes: limits.maxResponseBytes };
  if (signal.aborted) throw new RegistryError(`Get "https://${reference.registry}/v2/": ${abortCause(signal)}`);
  const pingKey = `${reference.scheme}://${reference.registry} ${transport}`;
  const cached = cachedPing(pingKey);
  if (cached) {
    try {
      return await listWithPing(reference, opts, exchange, limits, cached.origin, cached.challenge);
    } catch (error) {
      // The registry may have gone, or come back with TLS (400 to plain HTTP) or with auth turned on: ping
      // afresh, as the controller always does.
      const status = (error as { status?: number }).status;
      const stale = isNetworkError(error) || status === 400 || (status === 401 && cached.challenge.scheme === 'anonymous');
      if (!stale) throw error;
      forgetPing(pingKey);
    }
  }
  const fresh = await sharedPing(pingKey, reference, exchange);
  return listWithPing(reference, opts, exchange, limits, fresh.origin, fresh.challenge);
}

async function listWithPing(
  reference: ImageReference, opts: ResolvedScanOptions, exchange: Exchange, limits: ListLimits,
  origin: string, challenge: Challenge,
): Promise<string[]> {
  const { signal } = exchange;
  const auth = await opts.authenticator(signal);
  const scope = `repository:${reference.repository}:pull`;
  const bearer = challenge.scheme === 'bearer'
    ? new BearerSession(challenge, scope, auth, exchange, reference.registry)
    : undefined;
  const fixed = bearer ? undefined : directAuthorization(auth);

  const fetchPage = async (url: string) => {
    const headers: Record<string, string> = {};
    const authorization = bearer ? await bearer.authorization() : fixed;
    if (authorization) headers.authorization = authorization;
    let response = await send({ method: 'GET', url, headers }, exchange, ssrfRedirectProblem);
    if (response.status === 401 && bearer) {
      const renewed = await bearer.rechallenge(headerValues(response, 'www-authenticate'));
      if (renewed) {
        headers.authorization = renewed;
        response = await send({ method: 'GET', url, headers }, exchange, ssrfRedirectProblem);
      }
    }
    if (response.status !== 200) throw responseError('GET', url, response.status, response.body);
    return response;
  };

  const tags: string[] = [];
  const seen = new Set<string>();
  let next: URL | undefined = new URL(`${origin}/v2/${reference.repository}/tags/list?n=${pageSize}`);
  let pages = 0;
  let bytes = 0;
  while (next) {
    const url = next.toString();
    if (seen.has(url)) throw new RegistryError(`the tag list of ${reference.canonicalImageName} links back to a page already read (${redact(url)})`);
    if (pages >= limits.maxPages) throw new RegistryError(`the tag list of ${reference.canonicalImageName} has more than ${limits.maxPages} pages; stopped reading`);
    seen.add(url);
    const response = await fetchPage(url);
    pages++;
    bytes += response.body.length;
    if (bytes > limits.maxTotalBytes) throw new RegistryError(`the tag list of ${reference.canonicalImageName} exceeds ${limits.maxTotalBytes} bytes; stopped reading`);
    for (const tag of decodePage(response)) tags.push(tag);
    next = nextPageUrl(response, new URL(origin).origin);
  }
  return tags;
}
