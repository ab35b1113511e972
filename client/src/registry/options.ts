// The concrete shape behind the reconciler's opaque ScanOptions: everything one scan needs, built by
// buildScanOptions (auth/scan-options.ts) and consumed by listTags. Credentials stay in memory, inside closures.
import type { ScanOptions } from './contract';
import type { ListLimits } from './limits';

/** ggcr `authn.AuthConfig`: what an authenticator yields for one registry. */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** OAuth2 refresh token: exchanged with `grant_type=refresh_token`, falling back to GET on 404. */
  identityToken?: string;
  /** Sent as is: `Authorization: Bearer <registrytoken>`. */
  registryToken?: string;
}

/**
 * Resolves credentials lazily, at scan time, as the controller's provider authenticators do (fluxcd/pkg auth): a cloud CLI
 * that is missing fails the scan, not the option building. `undefined` means anonymous.
 */
export type Authenticator = (signal: AbortSignal) => Promise<AuthConfig | undefined>;

export interface TlsSettings {
  /** Extra CA certificates (PEM), added to the system roots, never replacing them. */
  extraCa: string[];
  cert?: string;
  key?: string;
}

export interface ProxySettings {
  /** http://, https:// or socks5:// without userinfo. */
  url: string;
  username?: string;
  password?: string;
}

export interface EnvironmentProxy {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

export interface ResolvedScanOptions extends ScanOptions {
  readonly kind: 'scan-options';
  authenticator: Authenticator;
  /** Where the credentials came from, for logs and hovers (never the credential itself). */
  credentialSource: string;
  tls: TlsSettings;
  /** The proxySecretRef proxy; it replaces the environment's. */
  proxy?: ProxySettings;
  environmentProxy: EnvironmentProxy;
  /** Why credentials the manifests name could not be used (e.g. SOPS); added to an authentication failure. */
  authNotes: string[];
  limits?: Partial<ListLimits>;
}

export const anonymous: Authenticator = async () => undefined;

export function scanOptions(partial: Partial<Omit<ResolvedScanOptions, 'kind'>> = {}): ResolvedScanOptions {
  return {
    kind: 'scan-options',
    authenticator: partial.authenticator ?? anonymous,
    credentialSource: partial.credentialSource ?? 'anonymous',
    tls: partial.tls ?? { extraCa: [] },
    proxy: partial.proxy,
    environmentProxy: partial.environmentProxy ?? {},
    authNotes: partial.authNotes ?? [],
    limits: partial.limits,
  };
}

export function resolved(options: ScanOptions): ResolvedScanOptions {
  const candidate = options as Partial<ResolvedScanOptions>;
  if (candidate.kind !== 'scan-options' || typeof candidate.authenticator !== 'function') {
    throw new TypeError('listTags needs ScanOptions made by buildScanOptions or scanOptions()');
  }
  return candidate as ResolvedScanOptions;
}

/** Go's http.ProxyFromEnvironment variables; ALL_PROXY (curl's) as the fallback for both schemes. */
export function environmentProxyFrom(env: NodeJS.ProcessEnv): EnvironmentProxy {
  const pick = (...names: string[]) => names.map((name) => env[name]).find((value) => value !== undefined && value !== '');
  const all = pick('ALL_PROXY', 'all_proxy');
  return {
    httpProxy: pick('HTTP_PROXY', 'http_proxy') ?? all,
    httpsProxy: pick('HTTPS_PROXY', 'https_proxy') ?? all,
    noProxy: pick('NO_PROXY', 'no_proxy'),
  };
}
