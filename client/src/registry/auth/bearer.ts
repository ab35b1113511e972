// Turning a challenge and an AuthConfig into an Authorization header, as ggcr's basic and bearer transports do
// (pkg/v1/remote/transport basic.go, bearer.go: `registrytoken` as Bearer, `identitytoken` as an OAuth2 refresh token). Bearer tokens are cached per realm, service, scope and credential until they
// expire, in memory only; the cache key holds a hash of the credential, never the credential.
import { createHash } from 'node:crypto';
import { RegistryError } from '../contract';
import { parseChallenge, type Challenge } from '../challenge';
import { responseError } from '../errors';
import type { AuthConfig } from '../options';
import { send, type Exchange } from '../transport';
import { checkedRealm, realmProblem } from './realm';

interface CachedToken { token: string; expiresAt: number }

const tokens = new Map<string, CachedToken>();
const maxTokens = 1000;
/** A token is not reused in the last seconds of its life: a page fetch must not race its expiry. */
const expiryMarginMs = 10_000;
/** Docker's token spec: a response without expires_in is valid for 60 s. */
const defaultExpirySeconds = 60;

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** ggcr `defaultUserAgent`, sent as the OAuth2 `client_id`. */
const oauthClientId = 'go-containerregistry';
/** ggcr `maxTokenBodySize`: a token answer is read up to 64 KiB. */
const maxTokenBodyBytes = 64 * 1024;

/**
 * The header ggcr's `basicTransport` (go-containerregistry v0.21.6 pkg/v1/remote/transport/basic.go) sends for
 * any challenge other than Bearer: a registry token as `Bearer`, else Basic when both username and password are
 * set, else nothing (an identity token alone is not sent).
 */
export function directAuthorization(auth: AuthConfig | undefined): string | undefined {
  if (!auth) return undefined;
  if (auth.registryToken) return `Bearer ${auth.registryToken}`;
  if (auth.username && auth.password) return basic(auth.username, auth.password);
  return undefined;
}

function credentialKey(auth: AuthConfig | undefined): string {
  return auth ? createHash('sha256').update(JSON.stringify([auth.username, auth.password, auth.identityToken, auth.registryToken])).digest('hex') : 'anonymous';
}

/** Go's `json.Unmarshal` error for a token answer that is not JSON (the first words of it). */
function goJsonError(text: string): string {
  const trimmed = text.trimStart();
  if (trimmed === '') return 'unexpected end of JSON input';
  const first = trimmed[0]!;
  if (!'{["-0123456789tfn'.includes(first)) return `invalid character '${first}' looking for beginning of value`;
  return 'unexpected end of JSON input';
}

/**
 * ggcr's `bearerTransport` for one scan (go-containerregistry v0.21.6 pkg/v1/remote/transport/bearer.go): the
 * realm is checked before any request (`fromChallenge`), tokens come from the realm by GET (Basic credentials)
 * or, for an identity token, by the OAuth2 POST with a GET fallback on 404; a `refresh_token` in an answer
 * replaces the credentials for later refreshes; a 401 carrying challenges adds their new scopes in front and
 * refreshes once (`RoundTrip`). Tokens are cached across scans per realm, service, scopes and credential.
 * Throws RegistryError with ggcr's texts.
 */
export class BearerSession {
  private token: string | undefined;
  private readonly realm: string;
  private readonly service: string;
  private scopes: string[];
  /** `bt.basic`: the scan's credentials, replaced by `{ identityToken: refresh_token }` once one is returned. */
  private credentials: AuthConfig | undefined;
  /** The ping was answered over plain HTTP: an `http` realm is acceptable. */
  private readonly insecure: boolean;

  constructor(
    challenge: Challenge,
    scope: string,
    private readonly auth: AuthConfig | undefined,
    private readonly exchange: Exchange,
    private readonly registry: string,
  ) {
    this.realm = checkedRealm(challenge.params, registry, challenge.insecure);
    this.service = challenge.params.service ?? '';
    this.scopes = [scope];
    this.credentials = auth;
    this.insecure = challenge.insecure;
  }

  private get cacheKey(): string {
    return [this.realm, this.service, this.scopes.join(' '), credentialKey(this.auth)].join('\n');
  }

  /** `Bearer <token>`, from the cache when a fresh one is there. */
  async authorization(): Promise<string> {
    if (this.token) return `Bearer ${this.token}`;
    const cached = tokens.get(this.cacheKey);
    if (cached && cached.expiresAt > Date.now()) {
      this.token = cached.token;
      return `Bearer ${cached.token}`;
    }
    return this.refresh();
  }

  /**
   * ggcr `bearerTransport.RoundTrip` on a 401: with WWW-Authenticate challenges, the scopes they ask for that
   * are not requested yet go first and a new token is fetched (the caller sends the request once more); a 401
   * without a challenge is final. Returns the new Authorization header, or undefined when there is no retry.
   */
  async rechallenge(challengeHeaders: string[]): Promise<string | undefined> {
    const challenges = challengeHeaders.map(parseChallenge).filter((challenge) => challenge.scheme !== '');
    if (challenges.length === 0) return undefined;
    const requested = new Set(this.scopes);
    const added = challenges.map((challenge) => challenge.params.scope).filter((want): want is string => want !== undefined && !requested.has(want));
    this.scopes = [...added, ...this.scopes];
    return this.refresh();
  }

  /** Fetches a new token (ggcr `bearerTransport.refresh`). */
  async refresh(): Promise<string> {
    if (this.auth?.registryToken) {
      this.token = this.auth.registryToken;
      return `Bearer ${this.token}`;
    }
    let response;
    if (this.credentials?.identityToken) {
      response = await this.refreshOauth(this.credentials.identityToken);
      // Not every token server implements OAuth2; the token spec's GET works everywhere.
      if (response.status === 404) response = await this.refreshBasic();
    } else {
      response = await this.refreshBasic();
    }
    if (response.status !== 200) throw responseError(response.method, response.url, response.status, response.body);
    const text = response.body.subarray(0, maxTokenBodyBytes).toString('utf8');
    let parsed: { token?: unknown; access_token?: unknown; refresh_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new RegistryError(goJsonError(text));
    }
    const token = [parsed.access_token, parsed.token].find((value): value is string => typeof value === 'string' && value !== '');
    if (!token) throw new RegistryError(`no token in bearer response:\n${text}`);
    if (typeof parsed.refresh_token === 'string' && parsed.refresh_token !== '') this.credentials = { identityToken: parsed.refresh_token };
    const lifetime = (typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : defaultExpirySeconds) * 1000;
    this.token = token;
    if (tokens.size >= maxTokens) tokens.delete(tokens.keys().next().value as string);
    tokens.set(this.cacheKey, { token, expiresAt: Date.now() + lifetime - expiryMarginMs });
    return `Bearer ${token}`;
  }

  /** ggcr `realmRedirectCheck`: every redirect of the token request passes the realm rules again. */
  private readonly checkRedirect = (to: URL): string | undefined => {
    const problem = realmProblem(to.toString(), this.registry, this.insecure);
    return problem && `refusing token-server redirect to "${to.toString()}": ${problem}`;
  };

  private async refreshBasic() {
    const url = new URL(this.realm);
    url.searchParams.delete('scope');
    for (const scope of this.scopes) url.searchParams.append('scope', scope);
    url.searchParams.set('service', this.service);
    const headers: Record<string, string> = {};
    const authorization = directAuthorization(this.credentials);
    if (authorization) headers.authorization = authorization;
    const response = await send({ method: 'GET', url: url.toString(), headers }, this.exchange, this.checkRedirect);
    return { ...response, method: 'GET' };
  }

  private async refreshOauth(identityToken: string) {
    const form = new URLSearchParams({ scope: this.scopes.join(' ') });
    if (this.service) form.set('service', this.service);
    form.set('client_id', oauthClientId);
    form.set('grant_type', 'refresh_token');
    form.set('refresh_token', identityToken);
    const response = await send({
      method: 'POST', url: this.realm, body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }, this.exchange, this.checkRedirect);
    return { ...response, method: 'POST' };
  }
}

/** Forgets every cached token (tests; "sign out"). */
export function clearTokenCache(): void {
  tokens.clear();
}
