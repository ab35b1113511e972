// The ping (`GET /v2/`) and its WWW-Authenticate challenge, as ggcr's transport.Ping does it (pkg/v1/remote/transport/ping.go): for a
// registry whose scheme is `http`, HTTPS is tried first and plain HTTP joins after 300 ms or as soon as HTTPS
// fails; the first answer fixes the scheme for the rest of the scan. TLS verification is never relaxed.
import type { ImageReference } from '../../../common/flux/reference';
import { RegistryError } from './contract';
import { responseError } from './errors';
import { header, send, type Exchange } from './transport';

export interface Challenge {
  scheme: 'anonymous' | 'basic' | 'bearer';
  params: Record<string, string>;
}

export interface PingResult {
  /** `https://host` or `http://host`: the origin every later request of this scan goes to. */
  origin: string;
  challenge: Challenge;
}

/** Parses the first challenge of a WWW-Authenticate header: `Bearer realm="…",service="…",scope="…"`. */
export function parseChallenge(value: string): { scheme: string; params: Record<string, string> } {
  const match = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(value);
  if (!match) return { scheme: '', params: {} };
  const params: Record<string, string> = {};
  const pattern = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/gy;
  pattern.lastIndex = 0;
  const rest = match[2]!;
  let param: RegExpExecArray | null;
  while ((param = pattern.exec(rest)) !== null) {
    if (param[0] === '') break;
    params[param[1]!.toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : param[3]!;
  }
  return { scheme: match[1]!.toLowerCase(), params };
}

async function pingOnce(origin: string, exchange: Exchange): Promise<PingResult> {
  const url = `${origin}/v2/`;
  const response = await send({ method: 'GET', url }, exchange);
  if (response.status === 200) return { origin, challenge: { scheme: 'anonymous', params: {} } };
  if (response.status === 401) {
    const value = header(response, 'www-authenticate');
    if (!value) return { origin, challenge: { scheme: 'anonymous', params: {} } };
    const parsed = parseChallenge(value);
    if (parsed.scheme !== 'basic' && parsed.scheme !== 'bearer') throw new RegistryError(`unrecognized challenge: ${parsed.scheme}`);
    return { origin, challenge: { scheme: parsed.scheme, params: parsed.params } };
  }
  throw responseError('GET', url, response.status, response.body);
}

export async function ping(reference: ImageReference, exchange: Exchange): Promise<PingResult> {
  const schemes: ('https' | 'http')[] = reference.scheme === 'http' ? ['https', 'http'] : ['https'];
  const controllers = schemes.map(() => new AbortController());
  const errors: (Error | undefined)[] = schemes.map(() => undefined);
  return new Promise<PingResult>((resolve, reject) => {
    let settled = false;
    let pending = schemes.length;
    let startNext: (() => void) | undefined;
    const attempt = (index: number) => {
      const signal = AbortSignal.any([exchange.signal, controllers[index]!.signal]);
      pingOnce(`${schemes[index]}://${reference.registry}`, { ...exchange, signal }).then(
        (result) => {
          if (settled) return;
          settled = true;
          controllers.forEach((controller, other) => { if (other !== index) controller.abort(); });
          resolve(result);
        },
        (error: Error) => {
          errors[index] = error;
          if (index === 0) startNext?.();
          if (--pending === 0 && !settled) {
            settled = true;
            reject(new RegistryError(errors.map((e) => e!.message).join('; ')));
          }
        },
      );
    };
    attempt(0);
    if (schemes.length > 1) {
      const timer = setTimeout(() => startNext?.(), 300);
      startNext = () => { clearTimeout(timer); startNext = undefined; attempt(1); };
      exchange.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    }
  });
}
