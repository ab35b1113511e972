// spec.image → canonical name, as the controller's registry.ParseImageReference computes it with
// go-containerregistry v0.21.6 `pkg/name` (internal/registry/helper.go). The controller keeps only its own short
// messages; the precise ggcr reason travels in `detail` so an editor can show it beside them.

export interface ImageReference {
  /** `RegistryStr()`: `index.docker.io`, `ghcr.io`, `localhost:5000`, … */
  registry: string;
  /** `RepositoryStr()`: with `library/` added for Docker Hub single names. */
  repository: string;
  /** `registry + "/" + repository`, the status' canonicalImageName. */
  canonicalImageName: string;
  /** `Registry.Scheme()`: `http` means plain HTTP is allowed (raced after HTTPS), never that TLS is skipped. */
  scheme: 'https' | 'http';
}

export type ImageReferenceError = {
  ok: false;
  /** The controller's own message, e.g. `could not parse reference: Alpine`. */
  message: string;
  kind: 'scheme' | 'tag' | 'invalid';
  /** A more precise reason (the ggcr message the controller throws away), for editors only. */
  detail?: string;
};

export type ParseImageReferenceResult = { ok: true; reference: ImageReference } | ImageReferenceError;

export const DEFAULT_REGISTRY = 'index.docker.io';
const REPOSITORY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_-./';
const TAG_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.';

class BadName extends Error {}

interface ParsedName {
  registry: string;
  repository: string;
}

export function parseImageReference(image: string, insecure = false): ParseImageReferenceResult {
  const schemeParts = image.split('://');
  if (schemeParts.length > 1) {
    return {
      ok: false,
      kind: 'scheme',
      message: `image '${image}' should not include URL scheme; remove '${schemeParts[0]}://'`,
    };
  }

  let parsed: ParsedName;
  try {
    parsed = parseReference(image);
  } catch (err) {
    return {
      ok: false,
      kind: 'invalid',
      message: `could not parse reference: ${image}`,
      detail: err instanceof BadName ? err.message : undefined,
    };
  }

  // The controller trims the registry as a literal prefix, so `docker.io/x:tag` (registry index.docker.io)
  // keeps its `:` and is caught here too; a digest is reported as a "tag" with a misleading remainder.
  const imageName = image.startsWith(parsed.registry) ? image.slice(parsed.registry.length) : image;
  if (imageName.includes(':')) {
    const s = imageName.split(':');
    return { ok: false, kind: 'tag', message: `image '${image}' should not include a tag; remove ':${s[1]}'` };
  }

  const repository = repositoryStr(parsed);
  return {
    ok: true,
    reference: {
      registry: parsed.registry,
      repository,
      canonicalImageName: `${parsed.registry}/${repository}`,
      scheme: registryScheme(parsed.registry, insecure),
    },
  };
}

/** ggcr `name.ParseReference` with weak validation: a tag reference first, then a digest reference. */
function parseReference(s: string): ParsedName {
  try {
    return parseTag(s);
  } catch (tagError) {
    try {
      return parseDigest(s);
    } catch (digestError) {
      // The digest form is only the more helpful reason when the input looks like one.
      throw s.includes('@') ? digestError : tagError;
    }
  }
}

function parseTag(s: string): ParsedName {
  let base = s;
  const parts = s.split(':');
  // A last part with a `/` is a registry port followed by a path, not a tag.
  if (parts.length > 1 && !parts[parts.length - 1].includes('/')) {
    base = parts.slice(0, -1).join(':');
    checkElement('tag', parts[parts.length - 1], TAG_CHARS, 1, 128);
  }
  return parseRepository(base);
}

function parseDigest(s: string): ParsedName {
  const parts = s.split('@');
  if (parts.length !== 2) {
    throw new BadName(`a digest must contain exactly one '@' separator (e.g. registry/repository@digest) saw: ${s}`);
  }
  const [base, digest] = parts;
  if (!digest.startsWith('sha256:')) throw new BadName(`unsupported digest algorithm: ${digest}`);
  if (!/^[a-f0-9]{64}$/.test(digest.slice('sha256:'.length))) throw new BadName('invalid checksum digest format');
  let repositoryBase = base;
  try {
    // ggcr re-parses the digest's base through Repository.Name(), which drops any tag.
    const tagged = parseTag(base);
    repositoryBase = `${tagged.registry}/${repositoryStr(tagged)}`;
  } catch {
    // Not a valid tag reference: the base is parsed as a repository below and fails there with its own reason.
  }
  return parseRepository(repositoryBase);
}

function parseRepository(name: string): ParsedName {
  if (name.length === 0) throw new BadName('a repository name must be specified');
  let registry = '';
  let repository = name;
  const slash = name.indexOf('/');
  if (slash >= 0) {
    const first = name.slice(0, slash);
    // v0.21.6: only a `.` or `:` makes the first component a registry; `localhost/foo` is a Docker Hub path.
    if (first.includes('.') || first.includes(':')) {
      registry = first;
      repository = name.slice(slash + 1);
    }
  }
  checkElement('repository', repository, REPOSITORY_CHARS, 2, 255);
  checkRegistry(registry);
  if (registry === '' || registry === 'docker.io') registry = DEFAULT_REGISTRY;
  return { registry, repository };
}

function checkElement(what: string, element: string, allowed: string, minRunes: number, maxRunes: number): void {
  const runes = [...element];
  if (runes.length < minRunes || runes.length > maxRunes) {
    throw new BadName(`${what} must be between ${minRunes} and ${maxRunes} characters in length: ${element}`);
  }
  if (runes.some((r) => !allowed.includes(r))) {
    throw new BadName(`${what} can only contain the characters \`${allowed}\`: ${element}`);
  }
}

/**
 * ggcr accepts a registry when Go's `url.Parse("//" + name)` gives back `Host == name`: that rejects
 * userinfo, query, fragment, percent-escapes, characters Go refuses in hosts, and a non-numeric port after
 * the last `:`; it accepts non-ASCII, `_` and an empty port.
 */
function checkRegistry(name: string): void {
  if (name === '') return;
  const bad = (): never => {
    throw new BadName(`registries must be valid RFC 3986 URI authorities: ${name}`);
  };
  if (/[\x00-\x1f\x7f@?#%/]/.test(name)) bad();
  for (const ch of name) {
    if (ch.codePointAt(0)! >= 0x80) continue;
    if (/[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]/.test(ch)) continue;
    bad();
  }
  if (name.startsWith('[')) {
    const close = name.indexOf(']');
    if (close < 0 || !/^(:\d*)?$/.test(name.slice(close + 1))) bad();
    return;
  }
  const colon = name.lastIndexOf(':');
  if (colon >= 0 && !/^:\d*$/.test(name.slice(colon))) bad();
}

function repositoryStr(name: ParsedName): string {
  return name.registry === DEFAULT_REGISTRY && !name.repository.includes('/') ? `library/${name.repository}` : name.repository;
}

/** ggcr v0.21.6 `Registry.Scheme()`; its loopback checks are unanchored substring matches. */
function registryScheme(registry: string, insecure: boolean): 'https' | 'http' {
  if (insecure) return 'http';
  const host = registry.split(':')[0];
  if (isRFC1918(host)) return 'http';
  if (registry.startsWith('localhost:')) return 'http';
  if (registry.includes('127.0.0.1') || registry.includes('::1')) return 'http';
  const hostname = registry.startsWith('[') ? registry : registry.replace(/:\d*$/, '');
  if (hostname.endsWith('.localhost')) return 'http';
  return 'https';
}

function isRFC1918(host: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  if (m.slice(1).some((o) => Number(o) > 255)) return false;
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}
