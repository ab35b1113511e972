// Docker-config parsing and host matching exactly as ggcr's pkg/authn/kubernetes keychain
// (keychain.go): keys normalised to host[/path], matched against the canonical image name by port, label-wise glob and
// plain path prefix; keys in reverse lexicographic order, the first match wins, earlier configs before later.
import { RegistryError } from '../contract';
import type { AuthConfig } from '../options';

export interface DockerAuthEntry {
  username?: string;
  password?: string;
  auth?: string;
  identitytoken?: string;
  registrytoken?: string;
  email?: string;
}

/** One parsed docker config: normalised key → entry, and where it came from (for messages, no secrets). */
export interface Keyring {
  source: string;
  entries: Map<string, AuthConfig>;
}

function decodeBase64Strict(value: string): Buffer | undefined {
  // Go: padded input uses StdEncoding, unpadded RawStdEncoding; both reject any other character.
  const padded = value.endsWith('=');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return undefined;
  if (padded ? value.length % 4 !== 0 : value.length % 4 === 1) return undefined;
  return Buffer.from(value, 'base64');
}

export function authConfigFrom(entry: DockerAuthEntry): AuthConfig {
  const config: AuthConfig = {
    username: entry.username || undefined,
    password: entry.password || undefined,
    identityToken: entry.identitytoken || undefined,
    registryToken: entry.registrytoken || undefined,
  };
  if (entry.auth) {
    const decoded = decodeBase64Strict(entry.auth);
    if (!decoded) throw new RegistryError('unable to decode auth field: illegal base64 data');
    const text = decoded.toString('utf8');
    const colon = text.indexOf(':');
    if (colon < 0) throw new RegistryError('unable to decode auth field: must be formatted as base64(username:password)');
    config.username = text.slice(0, colon);
    config.password = text.slice(colon + 1);
  }
  return config;
}

/** `https://index.docker.io/v1/` → `index.docker.io`, `http://localhost:5000` → `localhost:5000`, … */
export function normaliseKey(key: string): string | undefined {
  const withScheme = key.startsWith('https://') || key.startsWith('http://') ? key : `https://${key}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  // WHATWG URL lowercases hosts; Go keeps their case and matching is case-sensitive, so the host is cut from the
  // raw key text instead.
  const afterScheme = withScheme.slice(withScheme.indexOf('://') + 3);
  const slash = afterScheme.indexOf('/');
  const host = slash < 0 ? afterScheme : afterScheme.slice(0, slash);
  let path = slash < 0 ? '' : afterScheme.slice(slash).replace(/[?#].*$/, '');
  if (path.startsWith('/v1/') || path.startsWith('/v2/')) path = path.slice(3);
  void url;
  return path === '' || path === '/' ? host : host + path;
}

/** Go's filepath.Match for one host label (no path separators in a label). */
function globMatch(pattern: string, text: string): boolean {
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return false;
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('^')) body = `^${body.slice(1)}`;
      source += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < pattern.length) {
      source += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  try {
    return new RegExp(`${source}$`, 's').test(text);
  } catch {
    return false;
  }
}

function splitHostPort(hostport: string): { host: string; port: string } {
  const match = /^(.*?)(?::(\d*))?$/.exec(hostport)!;
  return { host: match[1]!, port: match[2] ?? '' };
}

/** Does normalised key `key` apply to `target` (`Repository.String()`, e.g. `index.docker.io/library/alpine`)? */
export function keyMatches(key: string, target: string): boolean {
  const keySlash = key.indexOf('/');
  const targetSlash = target.indexOf('/');
  const keyHostPort = keySlash < 0 ? key : key.slice(0, keySlash);
  const keyPath = keySlash < 0 ? '' : key.slice(keySlash);
  const targetHostPort = targetSlash < 0 ? target : target.slice(0, targetSlash);
  const targetPath = targetSlash < 0 ? '' : target.slice(targetSlash);
  const k = splitHostPort(keyHostPort);
  const t = splitHostPort(targetHostPort);
  if (k.port !== t.port) return false;
  const keyLabels = k.host.split('.');
  const targetLabels = t.host.split('.');
  if (keyLabels.length !== targetLabels.length) return false;
  if (!keyLabels.every((label, i) => globMatch(label, targetLabels[i]!))) return false;
  return targetPath.startsWith(keyPath);
}

/** Parses a `.dockerconfigjson` (`{auths: {...}}`) or `.dockercfg` (the bare auths map) document. */
export function parseDockerConfig(json: string, format: 'dockerconfigjson' | 'dockercfg', source: string): Keyring {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new RegistryError(`${source}: invalid JSON: ${(error as Error).message}`);
  }
  const auths = format === 'dockerconfigjson' ? (parsed as { auths?: unknown } | null)?.auths : parsed;
  return keyringFromAuths(auths, source);
}

export function keyringFromAuths(auths: unknown, source: string): Keyring {
  const entries = new Map<string, AuthConfig>();
  if (auths && typeof auths === 'object' && !Array.isArray(auths)) {
    for (const [key, value] of Object.entries(auths as Record<string, unknown>)) {
      const normalised = normaliseKey(key);
      if (normalised === undefined || !value || typeof value !== 'object') continue;
      if (entries.has(normalised)) continue;
      entries.set(normalised, authConfigFrom(value as DockerAuthEntry));
    }
  }
  return { source, entries };
}

export interface KeyringMatch { key: string; source: string; auth: AuthConfig }

/** ggcr's lookup: per keyring in order, keys sorted in reverse, first match wins. */
export function resolveFromKeyrings(keyrings: Keyring[], target: string): KeyringMatch | undefined {
  const candidates: { key: string; order: number; match: KeyringMatch }[] = [];
  keyrings.forEach((ring, order) => {
    for (const [key, auth] of ring.entries) {
      if (keyMatches(key, target)) candidates.push({ key, order, match: { key, source: ring.source, auth } });
    }
  });
  // ggcr merges all secrets into one index keyed by host; keys sort in reverse order and, for the same key, the
  // earlier secret's entry comes first.
  candidates.sort((a, b) => (a.key === b.key ? a.order - b.order : a.key < b.key ? 1 : -1));
  return candidates[0]?.match;
}
