// One HTTP exchange with ggcr's retry transport semantics (pkg/v1/remote/transport retry.go): retry on 408, 429, 499, 5xx
// gateway codes and on connection resets/EOF, 3 attempts with 1 s × 3 backoff and 10 % jitter; Retry-After is
// honoured (ggcr ignores it; registries that send it mean it). Every wait and read honours the scan's signal.
import { request, type Dispatcher } from 'undici';
import { RegistryError } from './contract';
import { abortCause, networkError, redact } from './errors';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  url: string;
}

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Exchange {
  dispatcher: Dispatcher;
  signal: AbortSignal;
  maxResponseBytes: number;
}

const retryStatuses = new Set([408, 429, 499, 500, 502, 503, 504, 522]);
const retryCodes = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ECONNABORTED', 'UND_ERR_ABORTED_BODY']);
const backoff = { initialMs: 1000, factor: 3, jitter: 0.1, attempts: 3 };
const maxRetryAfterMs = 5 * 60_000;

class BodyTooLarge extends Error {}

export function header(response: { headers: HttpResponse['headers'] }, name: string): string | undefined {
  return headerValues(response, name)[0];
}

/** Every value of a header that may be repeated (Go's `http.Header[name]`), in the order they came. */
export function headerValues(response: { headers: HttpResponse['headers'] }, name: string): string[] {
  const value = response.headers[name.toLowerCase()];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, maxRetryAfterMs) : undefined;
}

export function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) { reject(signal.reason); return; }
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(timer); reject(signal.reason); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function isRetryable(error: unknown): boolean {
  const err = error as { code?: string; cause?: { code?: string } };
  return retryCodes.has(err?.code ?? '') || retryCodes.has(err?.cause?.code ?? '');
}

async function once(req: HttpRequest, exchange: Exchange): Promise<HttpResponse> {
  const response = await request(req.url, {
    method: req.method,
    headers: { 'user-agent': 'tagline (go-containerregistry compatible)', ...req.headers },
    body: req.body,
    dispatcher: exchange.dispatcher,
    signal: exchange.signal,
  });
  const tooLarge = () => new RegistryError(`${req.method} ${redact(req.url)}: response body exceeds the limit of ${exchange.maxResponseBytes} bytes`);
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > exchange.maxResponseBytes) {
    response.body.on('error', () => undefined);
    response.body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // 'data' events rather than `for await`: measurably cheaper per page on long listings.
  await new Promise<void>((resolve, reject) => {
    response.body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > exchange.maxResponseBytes) {
        response.body.on('error', () => undefined);
        response.body.destroy();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    response.body.once('end', resolve);
    response.body.once('error', reject);
  }).catch((error: unknown) => {
    if (error instanceof BodyTooLarge) throw tooLarge();
    throw error;
  });
  return { status: response.statusCode, headers: response.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), url: req.url };
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const maxRedirects = 10;

/**
 * Sends `req` like Go's http.Client under ggcr: redirects of GETs are followed (at most 10), the Authorization
 * header only to the same origin, never from HTTPS down to plain HTTP. `url` of the result is the final URL.
 * `checkRedirect` is Go's `http.Client.CheckRedirect` (given the next URL and the chain's first one): a text it
 * returns stops the request with that error, as Go's `Get "<location>": <error>`.
 */
export async function send(req: HttpRequest, exchange: Exchange, checkRedirect?: (to: URL, first: URL) => string | undefined): Promise<HttpResponse> {
  const first = new URL(req.url);
  let current = req;
  for (let hop = 0; ; hop++) {
    const response = await sendWithRetries(current, exchange);
    const location = header(response, 'location');
    if ((current.method !== 'GET' && current.method !== 'HEAD') || !redirectStatuses.has(response.status) || !location) return response;
    if (hop >= maxRedirects) throw new RegistryError(`Get "${redact(current.url)}": stopped after ${maxRedirects} redirects`);
    let next: URL;
    try {
      next = new URL(location, current.url);
    } catch {
      throw new RegistryError(`Get "${redact(current.url)}": invalid redirect location`);
    }
    const from = new URL(current.url);
    if (from.protocol === 'https:' && next.protocol !== 'https:') {
      throw new RegistryError(`Get "${redact(current.url)}": refusing a redirect from HTTPS to ${redact(next.toString())}`);
    }
    const refused = checkRedirect?.(next, first);
    if (refused) throw new RegistryError(`Get "${redact(next.toString())}": ${refused}`);
    const headers = { ...current.headers };
    if (next.origin !== from.origin) delete headers.authorization;
    current = { method: current.method, url: next.toString(), headers };
  }
}

/** One request (no redirects), retried like ggcr; returns the last response whatever its status. */
async function sendWithRetries(req: HttpRequest, exchange: Exchange): Promise<HttpResponse> {
  let delay = backoff.initialMs;
  for (let attempt = 1; ; attempt++) {
    const last = attempt >= backoff.attempts;
    let response: HttpResponse | undefined;
    try {
      response = await once(req, exchange);
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      if (exchange.signal.aborted || last || !isRetryable(error)) throw networkError(req.method, req.url, error, exchange.signal);
    }
    if (response && (last || !retryStatuses.has(response.status))) return response;
    const hinted = response ? retryAfterMs(header(response, 'retry-after')) : undefined;
    const pause = hinted ?? delay * (1 + Math.random() * backoff.jitter);
    delay *= backoff.factor;
    try {
      await wait(pause, exchange.signal);
    } catch {
      throw new RegistryError(`${req.method === 'GET' ? 'Get' : req.method === 'HEAD' ? 'Head' : 'Post'} "${redact(req.url)}": ${abortCause(exchange.signal)}`);
    }
  }
}
