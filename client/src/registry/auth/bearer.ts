// Turning a challenge and an AuthConfig into an Authorization header, as ggcr's basic and bearer transports do
// (pkg/v1/remote/transport basic.go, bearer.go: `registrytoken` as Bearer, `identitytoken` as an OAuth2 refresh token). Bearer tokens are cached per realm, service, scope and credential until they
// expire, in memory only; the cache key holds a hash of the credential, never the credential.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { RegistryError } from '../contract';
import type { Challenge } from '../challenge';
import { redact, responseError } from '../errors';
import type { AuthConfig } from '../options';
import { send, type Exchange } from '../transport';

interface CachedToken { token: string; expiresAt: number }

const tokens = new Map<string, CachedToken>();
const maxTokens = 1000;
/** A token is not reused in the last seconds of its life: a page fetch must not race its expiry. */
const expiryMarginMs = 10_000;
/** Docker's token spec: a response without expires_in is valid for 60 s. */
const defaultExpirySeconds = 60;

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** The header ggcr's basicTransport sends on anonymous and Basic registries. */
export function directAuthorization(auth: AuthConfig | undefined): string | undefined {
  if (!auth) return undefined;
  if (auth.registryToken) return `Bearer ${auth.registryToken}`;
  if (auth.identityToken) return `Bearer ${auth.identityToken}`;
  if (auth.username || auth.password) return basic(auth.username ?? '', auth.password ?? '');
  return undefined;
}

function credentialKey(auth: AuthConfig | undefined): string {
  return auth ? createHash('sha256').update(JSON.stringify([auth.username, auth.password, auth.identityToken, auth.registryToken])).digest('hex') : 'anonymous';
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare.endsWith('.localhost') || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
}

export class BearerSession {
  private token: string | undefined;
  constructor(
    private readonly challenge: Challenge,
    private readonly scope: string,
    private readonly auth: AuthConfig | undefined,
    /** Plain HTTP is acceptable for the realm only where it is for the registry itself. */
    private readonly httpAllowed: boolean,
    private readonly exchange: Exchange,
    private readonly registry: string,
  ) {}

  /** ggcr: a challenge without `service` (Quay) gets the registry's name. */
  private get service(): string {
    return this.challenge.params.service ?? this.registry;
  }

  private get cacheKey(): string {
    return [this.challenge.params.realm, this.service, this.scope, credentialKey(this.auth)].join('\n');
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

  /** Fetches a new token (after a 401 the cached one is no good). */
  async refresh(): Promise<string> {
    if (this.auth?.registryToken) {
      this.token = this.auth.registryToken;
      return `Bearer ${this.token}`;
    }
    const realm = this.realmUrl();
    let response;
    if (this.auth?.identityToken) {
      response = await this.refreshOauth(realm, this.auth.identityToken);
      // Not every token server implements OAuth2; the token spec's GET works everywhere.
      if (response.status === 404) response = await this.refreshBasic(realm);
    } else {
      response = await this.refreshBasic(realm);
    }
    if (response.status !== 200) throw responseError(response.method, response.url, response.status, response.body);
    let parsed: { token?: string; access_token?: string; expires_in?: number };
    try {
      parsed = JSON.parse(response.body.toString('utf8'));
    } catch {
      parsed = {};
    }
    const token = parsed.access_token || parsed.token;
    if (!token) throw new RegistryError(`no token in bearer response:\n${response.body.toString('utf8').slice(0, 1024)}`);
    const lifetime = (typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : defaultExpirySeconds) * 1000;
    this.token = token;
    if (tokens.size >= maxTokens) tokens.delete(tokens.keys().next().value as string);
    tokens.set(this.cacheKey, { token, expiresAt: Date.now() + lifetime - expiryMarginMs });
    return `Bearer ${token}`;
  }

  private realmUrl(): URL {
    const realm = this.challenge.params.realm;
    let url: URL;
    try {
      url = new URL(realm ?? '');
    } catch {
      throw new RegistryError(`malformed bearer challenge: realm '${realm ?? ''}' is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RegistryError(`malformed bearer challenge: realm '${realm}' is not http(s)`);
    const sendsSecret = Boolean(this.auth?.username || this.auth?.password || this.auth?.identityToken);
    if (url.protocol === 'http:' && sendsSecret && !this.httpAllowed && !isLoopback(url.hostname)) {
      throw new RegistryError(`refusing to send credentials to the token realm ${redact(url.toString())} over plain HTTP`);
    }
    return url;
  }

  private async refreshBasic(realm: URL) {
    const url = new URL(realm);
    url.searchParams.set('scope', this.scope);
    url.searchParams.set('service', this.service);
    const headers: Record<string, string> = {};
    if (this.auth?.identityToken) headers.authorization = basic('<token>', this.auth.identityToken);
    else if (this.auth?.username || this.auth?.password) headers.authorization = basic(this.auth.username ?? '', this.auth.password ?? '');
    const response = await send({ method: 'GET', url: url.toString(), headers }, this.exchange);
    return { ...response, method: 'GET' };
  }

  private async refreshOauth(realm: URL, identityToken: string) {
    const form = new URLSearchParams({ scope: this.scope });
    form.set('service', this.service);
    form.set('client_id', 'tagline');
    form.set('grant_type', 'refresh_token');
    form.set('refresh_token', identityToken);
    const response = await send({
      method: 'POST', url: realm.toString(), body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }, this.exchange);
    return { ...response, method: 'POST' };
  }
}

/** Forgets every cached token (tests; "sign out"). */
export function clearTokenCache(): void {
  tokens.clear();
}
