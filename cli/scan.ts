// `tagline scan <files or folders...> [--db FILE] [--format table|json|yaml|describe] [--watch]`: the editor's
// reconciler in a terminal. Reconciles every ImageRepository once (or until interrupted with --watch) against the
// real registries, with the person's local credentials, and exits 0 only when every object is Ready and the tag
// database was saved (1 otherwise, with `tag database not saved: <reason>` on stderr). Objects the controller
// would not reconcile (an apiVersion the repository's Flux does not serve, a spec the CRD rejects) are reported on
// stderr with the reason, and make the exit code 1.
import { watch, type FSWatcher } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { NOT_APPLIED_MESSAGE } from '../common/kustomize';
import { getCondition } from '../common/flux/conditions';
import { describeFluxVersions, detectFluxVersions, loadManifests, servedObjects, shortPath } from '../common/manifests';
import { checkedFolder, checkWorkspace } from '../server/src/validation/workspaceCheck';
import { emptyStatus, objectKey, type FluxEvent, type SkippedObject, type WorkspaceObjects } from '../common/model';
import { PolicyEvaluator, Reconciler } from '../client/src/reconciler';
import { closeDispatchers } from '../client/src/registry';
import { TagStore } from '../client/src/store';
import { formatReports, SCAN_FORMATS, type PolicyReport, type ScanFormat, type ScanReport } from './format';
import { errorMessage } from '../common/errors';

const USAGE = 'usage: tagline scan <files or folders...> [--db FILE] [--format table|json|yaml|describe] [--watch] [--flux-version VERSION]';

export interface ScanArgs {
  paths: string[];
  db: string;
  format: ScanFormat;
  watch: boolean;
  /** Like the tagline.fluxVersion setting: wins over what the manifests say. */
  fluxVersion?: string;
}

export function defaultDatabaseFile(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(cache, 'tagline', 'tags.sqlite');
}

export function parseScanArgs(args: string[], env: NodeJS.ProcessEnv = process.env): ScanArgs | string {
  const parsed: ScanArgs = { paths: [], db: defaultDatabaseFile(env), format: 'table', watch: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const takeValue = () => inline ?? args[++i];
    if (flag === '--format') {
      const format = takeValue();
      if (!SCAN_FORMATS.includes(format as ScanFormat)) return `unknown format '${format ?? ''}' (one of ${SCAN_FORMATS.join(', ')})`;
      parsed.format = format as ScanFormat;
    } else if (flag === '--db') {
      const db = takeValue();
      if (!db) return '--db needs a file';
      parsed.db = db;
    } else if (flag === '--flux-version') {
      const version = takeValue();
      if (!version) return '--flux-version needs a version or range, e.g. 2.6.4 or 2.x';
      parsed.fluxVersion = version;
    } else if (flag === '--watch' || flag === '-w') {
      parsed.watch = true;
    } else if (flag === '-h' || flag === '--help') {
      return '';
    } else if (flag.startsWith('-')) {
      return `unknown option '${arg}'`;
    } else {
      parsed.paths.push(arg);
    }
  }
  if (parsed.paths.length === 0) return 'no files or folders given';
  return parsed;
}

export async function runScan(args: string[]): Promise<number> {
  const parsed = parseScanArgs(args);
  if (typeof parsed === 'string') {
    process.stderr.write((parsed ? `tagline scan: ${parsed}\n` : '') + USAGE + '\n');
    return parsed ? 2 : 0;
  }
  const loaded = await loadScanObjects(parsed);
  if (typeof loaded === 'string') {
    process.stderr.write(`tagline scan: ${loaded}\n`);
    return 2;
  }
  const { objects } = loaded;
  const store = await TagStore.open({ file: parsed.db });
  if (store.recoveredFrom) process.stderr.write(`tagline scan: the database was unreadable and was moved to ${store.recoveredFrom}; rescanning\n`);
  if (store.readOnlyReason) process.stderr.write(`tagline scan: ${store.readOnlyReason}\n`);
  // With --watch the database is written in the background: say at once when that fails, and when it recovers.
  store.onWriteFailure((reason) => process.stderr.write(reason ? `tagline scan: tag database not saved: ${reason}\n` : 'tagline scan: tag database saved again\n'));
  const reconciler = new Reconciler({ store, credentials: { env: process.env, allowProcesses: true } });
  const events = new Map<string, FluxEvent[]>();
  reconciler.onEvent((e) => {
    const key = objectKey(e.involvedObject);
    events.set(key, [...(events.get(key) ?? []), e]);
  });
  let current = objects;
  const evaluator = new PolicyEvaluator({ env: process.env, allowProcesses: true }, Date.now, store);
  let policies: PolicyReport[] = [];
  let lastPolicies = new Map<string, string>();
  // ImagePolicies are evaluated on the stored tags once their repositories are idle, as the controller does
  // when a repository's lastScanResult.revision changes.
  const evaluatePolicies = async () => {
    policies = (await evaluator.evaluate(current, reconciler)).sort((a, b) => (objectKey(a.object.metadata) < objectKey(b.object.metadata) ? -1 : 1));
  };
  const print = (keys?: Set<string>) => {
    const reports = reportsFor(current, reconciler, events).filter((r) => !keys || keys.has(objectKey(r.object.metadata)));
    const now = new Map(policies.map((p) => [objectKey(p.object.metadata), JSON.stringify(p.status)]));
    const changed = keys ? policies.filter((p) => lastPolicies.get(objectKey(p.object.metadata)) !== now.get(objectKey(p.object.metadata))) : policies;
    lastPolicies = now;
    const skipped = keys || (parsed.format !== 'json' && parsed.format !== 'yaml') ? [] : current.skipped ?? [];
    if (reports.length > 0 || changed.length > 0 || skipped.length > 0) process.stdout.write(formatReports(reports, parsed.format, changed, skipped));
  };
  // Watch before the first reconcile, so an edit made while it runs is not missed.
  const watching = parsed.watch
    ? watchManifests(parsed, reconciler, (objs) => (current = objs), (keys) => void evaluatePolicies().then(() => print(keys)))
    : undefined;
  let ready = false;
  let saved = false;
  try {
    const skipped = objects.skipped ?? [];
    if (objects.imageRepositories.length === 0 && skipped.length === 0 && loaded.notApplied.length === 0) {
      process.stderr.write(`tagline scan: no ImageRepository objects found in ${parsed.paths.join(', ')}\n`);
    }
    if (skipped.length > 0) process.stderr.write(skippedText(skipped, loaded.fluxLine));
    for (const file of loaded.notApplied) process.stderr.write(`tagline scan: ${relative(process.cwd(), file) || file}: ${NOT_APPLIED_MESSAGE}; its ImageRepositories are not scanned\n`);
    reconciler.update(objects);
    await reconciler.whenIdle();
    await evaluatePolicies();
    print();
    if (watching) await watching.untilInterrupted();
    ready = allReady(current, reconciler) && (current.skipped ?? []).length === 0
      && policies.every((p) => getCondition(p.status, 'Ready')?.status === 'True');
  } finally {
    watching?.close();
    await reconciler.dispose();
    saved = await store.close().then(() => true, (err: unknown) => {
      if (!store.lastWriteError) process.stderr.write(`tagline scan: tag database not saved: ${errorMessage(err)}\n`);
      return false;
    });
    await closeDispatchers();
  }
  return ready && saved ? 0 : 1;
}

/**
 * The objects Flux applies (built kustomize roots plus files no root reads), with those the repository's Flux
 * would not reconcile moved to `skipped`; a string when `--flux-version` is not a version or range.
 */
async function loadScanObjects(args: ScanArgs): Promise<{ objects: WorkspaceObjects; fluxLine: string; notApplied: string[] } | string> {
  const loaded = await loadManifests(args.paths);
  const { found, settingError } = detectFluxVersions(loaded.flatMap((l) => l.manifest.documents), args.fluxVersion, '--flux-version');
  if (settingError) return settingError;
  const { objects, notApplied } = await checkWorkspace(loaded, checkedFolder(args.paths), found);
  return { objects: servedObjects(objects, found), fluxLine: describeFluxVersions(found), notApplied };
}

/** `tagline scan: apps/podinfo: not scanned: spec.interval is missing (apps/podinfo.yaml:1)`, one per object. */
export function skippedText(skipped: readonly SkippedObject[], fluxLine: string): string {
  const lines = [...skipped]
    .sort((a, b) => objectKey(a.metadata).localeCompare(objectKey(b.metadata)))
    .map((o) => {
      const where = o.source ? ` (${shortPath(o.source.uri)}:${o.source.range.start.line + 1})` : '';
      return `tagline scan: ${o.metadata.namespace}/${o.metadata.name || '<no name>'}: not scanned: ${o.reason}${where}\n`;
    });
  return `tagline scan: ${fluxLine}\n` + lines.join('');
}

function reportsFor(objects: WorkspaceObjects, reconciler: Reconciler, events: Map<string, FluxEvent[]>): ScanReport[] {
  const seen = new Set<string>();
  const reports: ScanReport[] = [];
  for (const object of objects.imageRepositories) {
    const key = objectKey(object.metadata);
    if (seen.has(key)) continue;
    seen.add(key);
    const status = reconciler.status(key) ?? emptyStatus();
    reports.push({ object, status, events: events.get(key) ?? [] });
  }
  return reports.sort((a, b) => compareKeys(a, b));
}

function compareKeys(a: ScanReport, b: ScanReport): number {
  const ka = objectKey(a.object.metadata);
  const kb = objectKey(b.object.metadata);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function allReady(objects: WorkspaceObjects, reconciler: Reconciler): boolean {
  return objects.imageRepositories.every((o) => getCondition(reconciler.status(objectKey(o.metadata)) ?? emptyStatus(), 'Ready')?.status === 'True');
}

/** --watch: reload the manifests when files change, print the objects whose status changed, stop on Ctrl-C. */
function watchManifests(
  args: ScanArgs,
  reconciler: Reconciler,
  setObjects: (objects: WorkspaceObjects) => void,
  print: (keys: Set<string>) => void,
): { untilInterrupted(): Promise<void>; close(): void } {
  let printing = false;
  const changed = new Set<string>();
  let flushTimer: NodeJS.Timeout | undefined;
  const flushChanges = () => {
    flushTimer = undefined;
    void reconciler.whenIdle().then(() => {
      if (changed.size === 0) return;
      const keys = new Set(changed);
      changed.clear();
      print(keys);
    });
  };
  reconciler.onStatus((s) => {
    if (s.scanning || !printing) return;
    changed.add(s.key);
    flushTimer ??= setTimeout(flushChanges, 100);
  });
  let reloadTimer: NodeJS.Timeout | undefined;
  const reload = () => {
    reloadTimer = undefined;
    loadScanObjects(args).then(
      (loaded) => {
        if (typeof loaded === 'string') throw new Error(loaded);
        setObjects(loaded.objects);
        reconciler.update(loaded.objects);
      },
      (err: unknown) => process.stderr.write(`tagline scan: ${errorMessage(err)}\n`),
    );
  };
  const watchers: FSWatcher[] = args.paths.map((p) =>
    watch(p, { recursive: true }, () => {
      if (reloadTimer) clearTimeout(reloadTimer);
      reloadTimer = setTimeout(reload, 200);
    }),
  );
  return {
    untilInterrupted: () => {
      printing = true;
      return new Promise<void>((resolve) => {
        // The reconciler's timers are unref'd; this keeps the process alive until interrupted.
        const keepAlive = setInterval(() => undefined, 1 << 30);
        const stop = () => {
          clearInterval(keepAlive);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    },
    close: () => {
      for (const w of watchers) w.close();
      if (reloadTimer) clearTimeout(reloadTimer);
      if (flushTimer) clearTimeout(flushTimer);
    },
  };
}
