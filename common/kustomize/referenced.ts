/**
 * Files a kustomization reads that are not YAML manifests: the `files`, `envs` and `env` of its
 * `configMapGenerator`/`secretGenerator` (`stream-config.json`, `app.env`), and JSON resources, patches,
 * replacements, configurations, CRDs and OpenAPI schemas. kustomize-controller builds from the whole source
 * artifact, where these are present; the kustomize module holds only what Tagline gives it, so without them a
 * generator fails with `'…/stream-config.json' doesn't exist` where Flux builds cleanly.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isRecord } from '../manifests/objects';
import { modulePath } from './paths';

/** Largest file read (bytes): a generator source larger than this is left out, and kustomize names it. */
const MAX_BYTES = 1024 * 1024;

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function paths(value: unknown): string[] {
  return Array.isArray(value) ? value.flatMap((v) => (isRecord(v) ? strings(v.path) : strings(v))) : [];
}

/**
 * The relative paths a kustomization names as files, following sigs.k8s.io/kustomize/api types.Kustomization:
 * generator `files` (`key=path` or `path`), `envs`/`env`, and the file entries of `resources`, `components`,
 * `patches`, `patchesJson6902`, `patchesStrategicMerge`, `replacements`, `configurations`, `crds` and
 * `openapi.path`. Remote entries (`https://…`, `github.com/…`) are left out: they are not fetched.
 */
export function kustomizationFileEntries(text: string): string[] {
  let value: unknown;
  try {
    value = parseAllDocuments(text, { prettyErrors: false })[0]?.toJS({ maxAliasCount: 100 });
  } catch {
    return [];
  }
  if (!isRecord(value)) return [];
  const out: string[] = [];
  for (const generator of [value.configMapGenerator, value.secretGenerator].flatMap((g) => (Array.isArray(g) ? g : []))) {
    if (!isRecord(generator)) continue;
    out.push(...strings(generator.files).map((f) => f.slice(f.indexOf('=') + 1)), ...strings(generator.envs), ...strings(generator.env));
  }
  out.push(...strings(value.resources), ...strings(value.components), ...strings(value.patchesStrategicMerge), ...strings(value.configurations), ...strings(value.crds));
  out.push(...paths(value.patches), ...paths(value.patchesJson6902), ...paths(value.replacements));
  if (isRecord(value.openapi)) out.push(...strings(value.openapi.path));
  return out.filter((entry) => entry !== '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) && !/^(github\.com|gitlab\.com|bitbucket\.org)\//.test(entry));
}

/**
 * Reads from disk the non-YAML files named by the kustomization files among `files` (host paths and texts),
 * keyed by module path (modulePath), for KustomizeBuilds.setFiles. Only regular files up to 1 MiB for which
 * `inside(modulePath)` holds (the workspace folder) are read; YAML files and those already in `files` are skipped,
 * a missing file is left for kustomize to report. Never rejects.
 */
export async function readReferencedFiles(
  files: { path: string; text: string }[], inside: (path: string) => boolean,
): Promise<Record<string, string>> {
  const known = new Set(files.map((f) => f.path));
  const wanted = new Set<string>();
  for (const file of files) {
    if (!/(^|[/\\])(kustomization\.ya?ml|Kustomization)$/.test(file.path)) continue;
    for (const entry of kustomizationFileEntries(file.text)) {
      const path = resolve(dirname(file.path), entry);
      if (!known.has(path) && !/\.ya?ml$/i.test(path) && inside(modulePath(path))) wanted.add(path);
    }
  }
  const out: Record<string, string> = {};
  await Promise.all([...wanted].map(async (path) => {
    try {
      const info = await stat(path);
      if (info.isFile() && info.size <= MAX_BYTES) out[modulePath(path)] = await readFile(path, 'utf8');
    } catch {
      // Missing or unreadable: kustomize reports the file it cannot read.
    }
  }));
  return out;
}
