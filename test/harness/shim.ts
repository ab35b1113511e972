// A loopback HTTP shim in front of the real registry. distribution 2.8 ignores `n`/`last` and sends no `Link`, so
// the shim paginates tag lists (sorted, `n`/`last`, `Link: <…>; rel="next"`) and injects the faults a real
// registry cannot be made to produce on demand. Everything else (auth challenges, uploads) is forwarded as is.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';

export interface FaultRule {
  /** Substring of the request path and query the rule applies to. */
  match: string;
  /** How many matching requests it applies to (default: all). */
  times?: number;
  /** Answer with this status (and a registry error body) instead of forwarding. */
  status?: number;
  retryAfter?: string;
  /** Wait this long before answering (or before the other fault). */
  delayMs?: number;
  /** Close the connection without an answer. */
  reset?: boolean;
  /** Send half of the tag list JSON and end the response cleanly. */
  truncate?: boolean;
  /** Send the full tag list JSON but close the connection after half of the promised Content-Length. */
  cutConnection?: boolean;
  /** Replace the Link header of a tag list page with this value (e.g. a next link to another host). */
  link?: string;
  /** Answer the tag list with `"tags": null`. */
  tagsNull?: boolean;
  /** Answer with this raw body (status `status` or 200). */
  body?: string;
  /** Location header to send with `status` (a redirect). */
  location?: string;
}

export interface ShimRequest {
  method: string;
  url: string;
  authorization?: string;
  /** When the request arrived (performance.now(), ms). */
  at: number;
  /** Who asked: Tagline and image-reflector-controller may scan the same registry. */
  userAgent?: string;
}

export interface Shim {
  host: string;
  url: string;
  requests: ShimRequest[];
  settings: { defaultN?: number; maxN?: number };
  faults(rules: FaultRule[]): void;
  /** Forget cached tag lists (the bed calls this after seeding). */
  invalidate(): void;
  close(): Promise<void>;
}

export async function startShim(upstream: string, port = 0): Promise<Shim> {
  let rules: FaultRule[] = [];
  const cache = new Map<string, { name: string; tags: string[] }>();
  const requests: ShimRequest[] = [];
  const settings: Shim['settings'] = {};
  const upstreamAgent = new Agent({ connections: 64 });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const takeFault = (url: string) => {
    const rule = rules.find((r) => url.includes(r.match) && (r.times ?? Infinity) > 0);
    if (rule && rule.times !== undefined) rule.times--;
    return rule;
  };

  const page = (list: { name: string; tags: string[] }, url: URL) => {
    let n = url.searchParams.has('n') ? Number(url.searchParams.get('n')) : settings.defaultN;
    if (n !== undefined && settings.maxN !== undefined) n = Math.min(n, settings.maxN);
    const last = url.searchParams.get('last');
    let tags = list.tags;
    if (last) {
      let lo = 0;
      let hi = tags.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (tags[mid]! <= last) lo = mid + 1; else hi = mid; }
      tags = tags.slice(lo);
    }
    let link: string | undefined;
    if (n !== undefined && n > 0 && tags.length > n) {
      tags = tags.slice(0, n);
      link = `<${url.pathname}?${new URLSearchParams({ n: String(n), last: tags[tags.length - 1]! })}>; rel="next"`;
    }
    return { body: JSON.stringify({ name: list.name, tags }), link };
  };

  const sendTags = (res: ServerResponse, list: { name: string; tags: string[] }, url: URL, fault?: FaultRule) => {
    const { body: fullBody, link } = page(list, url);
    const body = fault?.tagsNull ? JSON.stringify({ name: list.name, tags: null }) : fullBody;
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'docker-distribution-api-version': 'registry/2.0' };
    const linkValue = fault?.link ?? link;
    if (linkValue !== undefined) headers.link = linkValue;
    if (fault?.truncate) { res.writeHead(200, headers); res.end(body.slice(0, body.length >> 1)); return; }
    if (fault?.cutConnection) {
      res.writeHead(200, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
      res.write(body.slice(0, body.length >> 1), () => res.socket?.destroy());
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  };

  const forward = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const headers = { ...req.headers };
    delete headers.connection;
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const up = await request(new URL(path, upstream), {
      method: req.method as 'GET', headers: headers as Record<string, string>, body: hasBody ? req : undefined, dispatcher: upstreamAgent,
    });
    return up;
  };

  const server: Server = createServer(async (req, res) => {
    try {
      const rawUrl = req.url ?? '/';
      requests.push({ method: req.method ?? 'GET', url: rawUrl, authorization: req.headers.authorization, userAgent: req.headers['user-agent'], at: performance.now() });
      const fault = takeFault(rawUrl);
      if (fault?.delayMs) await sleep(fault.delayMs);
      if (fault?.reset) { req.socket.destroy(); return; }
      if (fault?.status !== undefined || fault?.body !== undefined) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (fault.retryAfter) headers['retry-after'] = fault.retryAfter;
        if (fault.location) headers.location = fault.location;
        const status = fault.status ?? 200;
        res.writeHead(status, headers);
        res.end(fault.body ?? JSON.stringify({ errors: [{ code: 'UNKNOWN', message: `injected ${status}` }] }));
        return;
      }
      const url = new URL(rawUrl, 'http://shim.invalid');
      if (req.method !== 'GET' && req.method !== 'HEAD') cache.clear();
      const isTags = req.method === 'GET' && /^\/v2\/.+\/tags\/list$/.test(url.pathname);
      const key = `${url.pathname} ${req.headers.authorization ?? ''}`;
      const hit = isTags ? cache.get(key) : undefined;
      if (hit) { sendTags(res, hit, url, fault); return; }
      const up = await forward(req, res, isTags ? url.pathname : rawUrl);
      if (isTags && up.statusCode === 200) {
        const list = (await up.body.json()) as { name: string; tags: string[] | null };
        const sorted = { name: list.name, tags: (list.tags ?? []).sort() };
        cache.set(key, sorted);
        sendTags(res, sorted, url, fault);
        return;
      }
      const headers = { ...up.headers };
      delete headers['transfer-encoding'];
      delete headers.connection;
      delete headers['keep-alive'];
      res.writeHead(up.statusCode, headers as Record<string, string>);
      for await (const chunk of up.body) res.write(chunk);
      res.end();
    } catch (error) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(error));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${bound}`,
    url: `http://127.0.0.1:${bound}`,
    requests,
    settings,
    faults(next) { rules = next.map((rule) => ({ ...rule })); },
    invalidate() { cache.clear(); },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await upstreamAgent.close();
    },
  };
}
