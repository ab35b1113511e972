// The ping (`GET /v2/`) and its WWW-Authenticate challenge, as ggcr's transport.Ping does it (pkg/v1/remote/transport/ping.go): for a
// registry whose scheme is `http`, HTTPS is tried first and plain HTTP joins after 300 ms or as soon as HTTPS
// fails; the first answer fixes the scheme for the rest of the scan. TLS verification is never relaxed.
import type { ImageReference } from '../../../common/flux/reference';
import { RegistryError } from './contract';
import { responseError } from './errors';
import { headerValues, send, type Exchange } from './transport';

export interface Challenge {
  /**
   * The lower-cased auth-scheme of the challenge ggcr picked (`bearer`, `basic`, `negotiate`, …), `anonymous` for
   * a 200 ping, or (a 401 whose header ggcr cannot parse) the raw header value. Anything but `bearer` is handled
   * by the basic transport, as ggcr's `transport.NewWithContext` does.
   */
  scheme: string;
  params: Record<string, string>;
  /** ggcr `Challenge.Insecure`: the ping was answered over plain HTTP (after any redirect). */
  insecure: boolean;
}

export interface PingResult {
  /** `https://host` or `http://host`: the origin every later request of this scan goes to. */
  origin: string;
  challenge: Challenge;
}

const tokenChars = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const spaceChars = ' \t\r\n';

function expectToken(s: string): [string, string] {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) < 128 && tokenChars.test(s[i]!)) i++;
  return [s.slice(0, i), s.slice(i)];
}

function skipSpace(s: string): string {
  let i = 0;
  while (i < s.length && spaceChars.includes(s[i]!)) i++;
  return s.slice(i);
}

function expectTokenOrQuoted(s: string): [string, string] {
  if (!s.startsWith('"')) return expectToken(s);
  let value = '';
  for (let i = 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') return [value, s.slice(i + 1)];
    if (c === '\\') {
      i++;
      if (i >= s.length) break;
      value += s[i];
    } else {
      value += c;
    }
  }
  return ['', ''];
}

/**
 * One WWW-Authenticate header value → its first challenge, as ggcr's `authchallenge.parseValueAndParams`
 * (go-containerregistry v0.21.6 pkg/v1/remote/internal/authchallenge/authchallenge.go) reads it: the scheme
 * lower-cased, then `key=value` pairs (keys lower-cased, values a token or a quoted string) until the first
 * thing that is not one. A second challenge in the same header is therefore not seen, exactly as in ggcr.
 * An empty scheme means "no challenge here".
 */
export function parseChallenge(value: string): { scheme: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  let [scheme, rest] = expectToken(value);
  if (scheme === '') return { scheme: '', params };
  scheme = scheme.toLowerCase();
  rest = ',' + skipSpace(rest);
  while (rest.startsWith(',')) {
    let key: string;
    [key, rest] = expectToken(skipSpace(rest.slice(1)));
    if (key === '' || !rest.startsWith('=')) break;
    let param: string;
    [param, rest] = expectTokenOrQuoted(rest.slice(1));
    if (param === '') break;
    params[key.toLowerCase()] = param;
    rest = skipSpace(rest);
  }
  return { scheme, params };
}

/**
 * The challenge ggcr's `transport.Ping` takes from a 401 (ping.go `pingSingle` + `pickFromMultipleChallenges`):
 * every WWW-Authenticate header is parsed, the first `basic` or `bearer` one wins, else the first challenge;
 * without any parsable challenge the scheme is the raw header value (so, to ggcr, a Basic-style registry).
 */
export function pickChallenge(values: string[]): { scheme: string; params: Record<string, string> } {
  const challenges = values.map(parseChallenge).filter((challenge) => challenge.scheme !== '');
  if (challenges.length === 0) return { scheme: values[0] ?? '', params: {} };
  return challenges.find((challenge) => challenge.scheme === 'basic' || challenge.scheme === 'bearer') ?? challenges[0]!;
}

async function pingOnce(origin: string, exchange: Exchange): Promise<PingResult> {
  const url = `${origin}/v2/`;
  const response = await send({ method: 'GET', url }, exchange);
  const insecure = new URL(response.url).protocol === 'http:';
  if (response.status === 200) return { origin, challenge: { scheme: 'anonymous', params: {}, insecure } };
  if (response.status === 401) return { origin, challenge: { ...pickChallenge(headerValues(response, 'www-authenticate')), insecure } };
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
