// undici dispatchers per transport configuration (TLS material, proxy), reused across scans so connections are
// kept alive between pages and between objects on the same registry. The cache key is a hash: no credential is
// kept as a map key or logged.
import { createHash } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { Agent, EnvHttpProxyAgent, ProxyAgent, type Dispatcher } from 'undici';
import type { ResolvedScanOptions } from './options';

const cache = new Map<string, Dispatcher>();
const maxCached = 32;

function tlsOptions(options: ResolvedScanOptions) {
  // Flux adds certSecretRef's CA to the system pool (fluxcd/pkg runtime/secrets `WithSystemCertPool`); Node replaces its roots when `ca` is given, so the
  // system roots are passed along. Verification is never turned off.
  const ca = options.tls.extraCa.length > 0 ? [...rootCertificates, ...options.tls.extraCa] : undefined;
  return { ca, cert: options.tls.cert, key: options.tls.key, rejectUnauthorized: true };
}

function create(options: ResolvedScanOptions): Dispatcher {
  const tls = tlsOptions(options);
  // The registry's client certificate is for the registry: an HTTPS proxy gets the trusted roots only.
  const proxyTls = { ca: tls.ca, rejectUnauthorized: true };
  const common = { connections: 16, keepAliveTimeout: 10_000 };
  if (options.proxy) {
    const { url, username, password } = options.proxy;
    const token = username !== undefined
      ? `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`
      : undefined;
    if (/^socks5?:/.test(url)) {
      // A SOCKS5 proxy authenticates in its own handshake (RFC 1929), for which undici reads the credentials
      // from the proxy URI only; and undici speaks TLS to the proxy itself whenever proxyTls is given.
      return new ProxyAgent({ ...common, uri: withCredentials(url, username, password), requestTls: tls });
    }
    return new ProxyAgent({ ...common, uri: url, token, requestTls: tls, proxyTls });
  }
  const env = options.environmentProxy;
  if (env.httpProxy || env.httpsProxy) {
    // Explicit empty strings: EnvHttpProxyAgent would otherwise read process.env instead of the context's.
    return new EnvHttpProxyAgent({
      ...common, httpProxy: env.httpProxy ?? '', httpsProxy: env.httpsProxy ?? '', noProxy: env.noProxy ?? '',
      connect: tls, requestTls: tls, proxyTls,
    });
  }
  return new Agent({ ...common, connect: tls });
}

function withCredentials(url: string, username: string | undefined, password: string | undefined): string {
  if (username === undefined) return url;
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(username);
  parsed.password = encodeURIComponent(password ?? '');
  return parsed.toString();
}

export function dispatcherKey(options: ResolvedScanOptions): string {
  return createHash('sha256').update(JSON.stringify([options.tls, options.proxy ?? null, options.environmentProxy])).digest('hex');
}

export function dispatcherFor(options: ResolvedScanOptions, key = dispatcherKey(options)): Dispatcher {
  let dispatcher = cache.get(key);
  if (dispatcher) {
    cache.delete(key);
    cache.set(key, dispatcher);
    return dispatcher;
  }
  dispatcher = create(options);
  cache.set(key, dispatcher);
  if (cache.size > maxCached) {
    const [oldestKey, oldest] = cache.entries().next().value as [string, Dispatcher];
    cache.delete(oldestKey);
    void oldest.close().catch(() => undefined);
  }
  return dispatcher;
}

/** Closes every kept-alive connection (tests, CLI exit). */
export async function closeDispatchers(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  await Promise.all(all.map((dispatcher) => dispatcher.close().catch(() => undefined)));
}
