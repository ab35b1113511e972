// `tagline check <files or folders...> [--format text|json] [--kustomize-timeout SECONDS]`: the editor's diagnostics in a terminal or CI.
import { relative } from 'node:path';
import { describeFluxVersions, detectFluxVersions, loadManifests } from '../common/manifests';
import type { DetectedFlux } from '../common/flux/fluxVersion';
import { Severity, type TaglineDiagnostic } from '../server/src/validation';
import { checkedFolder, checkWorkspace } from '../server/src/validation/workspaceCheck';
import { existsSync } from 'node:fs';
import { TagStore } from '../client/src/store';
import { defaultDatabaseFile } from './scan';
import { KustomizePool } from '../common/kustomize';

const SEVERITY_NAMES = { [Severity.Error]: 'error', [Severity.Warning]: 'warning', [Severity.Information]: 'information', [Severity.Hint]: 'hint' } as const;

const USAGE = 'usage: tagline check <files or folders...> [--format text|json] [--flux-version VERSION] [--db FILE] [--kustomize-timeout SECONDS]';

interface CheckArgs { paths: string[]; format: 'text' | 'json'; fluxVersion?: string; db?: string; kustomizeTimeoutMs?: number }

function parseArgs(args: string[]): CheckArgs | string {
  const paths: string[] = [];
  let format: CheckArgs['format'] = 'text';
  let fluxVersion: string | undefined;
  let db: string | undefined;
  let kustomizeTimeoutMs: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--kustomize-timeout' || arg.startsWith('--kustomize-timeout=')) {
      const value = arg === '--kustomize-timeout' ? args[++i] : arg.slice('--kustomize-timeout='.length);
      const seconds = Number(value);
      if (!value || !(seconds > 0)) return '--kustomize-timeout needs a positive number of seconds (CPU time one kustomize build may use; default 30)';
      kustomizeTimeoutMs = seconds * 1000;
      continue;
    }
    if (arg === '--db' || arg.startsWith('--db=')) {
      db = arg === '--db' ? args[++i] : arg.slice('--db='.length);
      if (!db) return '--db needs a file';
      continue;
    }
    if (arg === '--flux-version' || arg.startsWith('--flux-version=')) {
      fluxVersion = arg === '--flux-version' ? args[++i] : arg.slice('--flux-version='.length);
      if (!fluxVersion) return '--flux-version needs a version or range, e.g. 2.6.4 or 2.x';
      continue;
    }
    const value = arg === '--format' ? args[++i] : arg.startsWith('--format=') ? arg.slice('--format='.length) : undefined;
    if (arg === '--format' || arg.startsWith('--format=')) {
      if (value !== 'text' && value !== 'json') return `unknown format '${value ?? ''}'`;
      format = value;
    } else if (arg === '-h' || arg === '--help') {
      return '';
    } else if (arg.startsWith('-')) {
      return `unknown option '${arg}'`;
    } else {
      paths.push(arg);
    }
  }
  if (paths.length === 0) return 'no files or folders given';
  return {
    paths, format, ...(fluxVersion !== undefined ? { fluxVersion } : {}), ...(db !== undefined ? { db } : {}),
    ...(kustomizeTimeoutMs !== undefined ? { kustomizeTimeoutMs } : {}),
  };
}

export interface CheckFinding {
  file: string;
  range: TaglineDiagnostic['range'];
  severity: (typeof SEVERITY_NAMES)[keyof typeof SEVERITY_NAMES];
  code: string;
  source: string;
  message: string;
}

export interface CheckResult {
  findings: CheckFinding[];
  /** The Flux the files run (tagline.fluxVersion's equivalent `fluxVersion` wins); empty when none was found. */
  flux: DetectedFlux[];
  /** Set when `fluxVersion` was given and is not a version or range. */
  fluxVersionError?: string;
}

/**
 * Validates every YAML file under `paths`, judging apiVersions against the Flux they run (or `fluxVersion`), and
 * ImagePolicies against the stored tags of the tag database `db` when that file exists (`tagline scan` writes it).
 * `kustomizeTimeoutMs` is the CPU time one kustomize build may use (KustomizeModuleOptions.timeoutMs).
 */
export async function checkPaths(paths: string[], fluxVersion?: string, db = defaultDatabaseFile(), kustomizeTimeoutMs?: number): Promise<CheckResult> {
  const loaded = await loadManifests(paths);
  const { found: flux, settingError } = detectFluxVersions(loaded.flatMap((l) => l.manifest.documents), fluxVersion, '--flux-version');
  const store = existsSync(db) ? await TagStore.open({ file: db }) : undefined;
  let diagnostics: Awaited<ReturnType<typeof checkWorkspace>>['diagnostics'];
  try {
    const module = new KustomizePool(kustomizeTimeoutMs ? { timeoutMs: kustomizeTimeoutMs } : {});
    ({ diagnostics } = await checkWorkspace(loaded, checkedFolder(paths), flux, module, store ? (name) => store.imageTags(name) : undefined));
  } finally {
    await store?.close().catch(() => undefined);
  }
  const findings: CheckFinding[] = [];
  for (const { path } of loaded) {
    const file = relative(process.cwd(), path) || path;
    for (const d of diagnostics.get(path) ?? []) {
      findings.push({ file, range: d.range, severity: SEVERITY_NAMES[d.severity], code: d.code, source: d.source, message: d.message });
    }
  }
  return { findings, flux, ...(settingError ? { fluxVersionError: settingError } : {}) };
}

export async function runCheck(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    process.stderr.write((parsed ? `tagline check: ${parsed}\n` : '') + USAGE + '\n');
    return parsed ? 2 : 0;
  }
  const { findings, flux, fluxVersionError } = await checkPaths(parsed.paths, parsed.fluxVersion, parsed.db, parsed.kustomizeTimeoutMs);
  if (fluxVersionError) {
    process.stderr.write(`tagline check: ${fluxVersionError}\n`);
    return 2;
  }
  if (parsed.format === 'json') {
    process.stdout.write(JSON.stringify(findings, null, 2) + '\n');
  } else {
    process.stdout.write(`${describeFluxVersions(flux)}\n`);
    for (const f of findings) {
      const message = f.message.replace(/\n/g, ' ');
      process.stdout.write(`${f.file}:${f.range.start.line + 1}:${f.range.start.character + 1} ${f.severity} ${f.code} ${message}\n`);
    }
  }
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}
