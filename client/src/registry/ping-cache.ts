// Remembering and sharing pings. ggcr pings before every listing; a reconcile of many objects on one registry
// would pay one extra round trip (and, for local registries, a failed HTTPS attempt) per object. The answer is
// reused for a minute per registry and transport (listTags drops it at any sign it is stale), and listings
// started at once share one ping.
import type { ImageReference } from '../../../common/flux/reference';
import { RegistryError } from './contract';
import { ping, type PingResult } from './challenge';
import { abortCause } from './errors';
import type { Exchange } from './transport';

interface CachedPing { result: PingResult; until: number }
const pings = new Map<string, CachedPing>();
const pingTtlMs = 60_000;

export function cachedPing(key: string): PingResult | undefined {
  const cached = pings.get(key);
  if (cached && cached.until > Date.now()) return cached.result;
  pings.delete(key);
  return undefined;
}

export function rememberPing(key: string, result: PingResult): void {
  if (pings.size >= 1000) pings.delete(pings.keys().next().value as string);
  pings.set(key, { result, until: Date.now() + pingTtlMs });
}

export function forgetPing(key: string): void {
  pings.delete(key);
}

export function clearPingCache(): void {
  pings.clear();
}

const pingsInFlight = new Map<string, { promise: Promise<PingResult>; signal: AbortSignal }>();

/**
 * Objects scanned at once on one registry share one ping. It runs under the first caller's signal; a caller
 * whose own deadline has not passed pings again itself if that signal ends the shared one.
 */
export async function sharedPing(key: string, reference: ImageReference, exchange: Exchange): Promise<PingResult> {
  let shared = pingsInFlight.get(key);
  if (!shared) {
    const promise = ping(reference, exchange)
      .then((result) => { rememberPing(key, result); return result; })
      .finally(() => { if (pingsInFlight.get(key)?.promise === promise) pingsInFlight.delete(key); });
    shared = { promise, signal: exchange.signal };
    pingsInFlight.set(key, shared);
    return promise;
  }
  try {
    return await raceSignal(shared.promise, exchange.signal, () => new RegistryError(`Get "https://${reference.registry}/v2/": ${abortCause(exchange.signal)}`));
  } catch (error) {
    if (!shared.signal.aborted || exchange.signal.aborted) throw error;
    return sharedPing(key, reference, exchange);
  }
}

function raceSignal<T>(promise: Promise<T>, signal: AbortSignal, onAbort: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => { signal.removeEventListener('abort', abort); resolve(value); },
      (error: unknown) => { signal.removeEventListener('abort', abort); reject(error); },
    );
  });
}
