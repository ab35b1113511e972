// Speed of scanning: on one local registry behind the paginating shim,
//   1. listing a 50,000-tag repository (50 pages of 1,000, whatever `n` the client sends): Tagline's client and
//      `skopeo list-tags` each as a whole process (start-up included), Tagline's client in process, and a bare
//      undici page loop in process (the floor); same number of runs for each, fresh connections every run;
//   2. a cold `tagline scan` (the built dist/cli.js) of 1,000 ImageRepositories of 500 tags each: wall time,
//      requests/s, peak RSS, database size, and the time to reopen the database.
// What is cached: the shim keeps each repository's tag list in memory after the first listing (a warm-up
// listing fills it before anything is timed), and the registry's files sit in the page cache; nothing else.
// Run with `npm run bench:scan` (builds first). Prints the date, the load average, medians and ratios.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/cjs/api';

// The harness and the client are TypeScript; one CommonJS module cache keeps a single undici instance.
register();
const require = createRequire(import.meta.url);
const { Agent, request } = require('undici');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = (path) => require(join(root, path));
const { startRegistryBed } = load('test/harness/registry-bed.ts');
const { listTags, scanOptions, closeDispatchers, clearTokenCache, clearPingCache } = load('client/src/registry/index.ts');
const { buildSync } = require('esbuild');
const { parseImageReference } = load('common/flux/reference.ts');
const { TagStore } = load('client/src/store/index.ts');

const BIG_TAGS = Number(process.env.BENCH_BIG_TAGS ?? 50_000);
const REPOS = Number(process.env.BENCH_REPOS ?? 1_000);
const TAGS_PER_REPO = 500;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 3);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => `${x.toFixed(0)} ms`;
const timed = async (fn) => {
  const started = performance.now();
  const result = await fn();
  return { ms: performance.now() - started, result };
};
const verdict = (ok) => (ok ? 'meets target' : 'MISSES target');

/** The floor: what the registry and shim cost, with no ping, auth logic, retries or limits. */
async function bareUndiciList(url, dispatcher) {
  const tags = [];
  let next = new URL(`${url}/v2/bench/big/tags/list?n=1000`);
  while (next) {
    const response = await request(next, { dispatcher });
    const page = await response.body.json();
    tags.push(...(page.tags ?? []));
    const link = response.headers.link;
    next = typeof link === 'string' && link.startsWith('<') ? new URL(link.slice(1, link.indexOf('>')), next) : undefined;
  }
  return tags;
}

/**
 * A listing program as a whole process; resolves with its wall time and the tag count it reports.
 * Asynchronous on purpose: the shim runs in this process and must keep answering meanwhile.
 */
function runProcess(command, args, count) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${command} failed: ${stderr}`));
      resolve({ ms: performance.now() - started, count: count(stdout) });
    });
  });
}

/** `tagline scan` in a child process under GNU time, for its peak RSS. */
function runCli(args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'TAGLINE_MAXRSS_KB=%M', process.execPath, join(root, 'dist/cli.js'), ...args], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const rss = /TAGLINE_MAXRSS_KB=(\d+)/.exec(stderr);
      resolve({ code, ms: performance.now() - started, maxRssKb: rss ? Number(rss[1]) : NaN, stderr });
    });
  });
}

const loadAtStart = loadavg().map((x) => x.toFixed(2)).join(' ');
const work = mkdtempSync(join(tmpdir(), 'tagline-bench-'));
const bed = await startRegistryBed({ variant: 'plain', shim: true });
try {
  console.log(`seeding ${BIG_TAGS} tags and ${REPOS} repositories of ${TAGS_PER_REPO} tags…`);
  await bed.seed('bench/big', Array.from({ length: BIG_TAGS }, (_, i) => `1.${Math.floor(i / 1000)}.${i % 1000}`));
  await bed.seed('bench/r0', Array.from({ length: TAGS_PER_REPO }, (_, i) => `v${i}`));
  // Every repository reads the same tag folders: the registry still answers each listing on its own.
  const repositories = join(bed.storage, 'docker/registry/v2/repositories/bench');
  for (let i = 1; i < REPOS; i++) symlinkSync(join(repositories, 'r0'), join(repositories, `r${i}`));

  // 1. Listing 50,000 tags: 50 pages of 1,000 for every client, whether it sends `n` (Tagline, the floor) or
  // not (skopeo), so the work on the wire is the same.
  console.log('listing…');
  bed.shimSettings.defaultN = 1000;
  const reference = parseImageReference(`${bed.host}/bench/big`).reference;
  const listerScript = join(work, 'list-tags.js');
  buildSync({ entryPoints: [join(root, 'bench/list-tags.ts')], bundle: true, platform: 'node', target: 'node20', outfile: listerScript, logLevel: 'error' });
  const rows = { taglineProcess: [], skopeoProcess: [], taglineInProcess: [], bareInProcess: [] };
  const requestsPerListing = {};
  const check = (name, count) => { if (count !== BIG_TAGS) throw new Error(`${name} listed ${count} tags, not ${BIG_TAGS}`); };
  const freshClient = async () => { clearTokenCache(); clearPingCache(); await closeDispatchers(); };
  const runs = {
    taglineProcess: async () => {
      const r = await runProcess(process.execPath, [listerScript, `${bed.host}/bench/big`], (out) => Number(out.trim()));
      check('tagline (process)', r.count);
      return r.ms;
    },
    skopeoProcess: async () => {
      const r = await runProcess('skopeo', ['list-tags', '--tls-verify=false', `docker://${bed.host}/bench/big`], (out) => JSON.parse(out).Tags.length);
      check('skopeo', r.count);
      return r.ms;
    },
    taglineInProcess: async () => {
      await freshClient();
      const r = await timed(() => listTags(reference, scanOptions(), AbortSignal.timeout(60_000)));
      check('tagline (in process)', r.result.length);
      return r.ms;
    },
    bareInProcess: async () => {
      const dispatcher = new Agent();
      const r = await timed(() => bareUndiciList(bed.url, dispatcher));
      await dispatcher.close();
      check('the bare loop', r.result.length);
      return r.ms;
    },
  };
  await listTags(reference, scanOptions(), AbortSignal.timeout(60_000)); // fills the shim's cache
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so a busy spell on the machine hits every row alike.
    for (const [name, run] of Object.entries(runs)) {
      const before = bed.requests.length;
      rows[name].push(await run());
      requestsPerListing[name] = bed.requests.length - before;
    }
  }
  await freshClient();
  const m = Object.fromEntries(Object.entries(rows).map(([name, xs]) => [name, median(xs)]));

  // 2. Cold reconcile of 1,000 ImageRepositories.
  console.log('reconciling…');
  const manifests = join(work, 'manifests');
  mkdirSync(manifests);
  for (let file = 0; file < 10; file++) {
    const docs = [];
    for (let i = file * (REPOS / 10); i < (file + 1) * (REPOS / 10); i++) {
      docs.push(`apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: repo-${i}\n  namespace: bench\nspec:\n  image: ${bed.host}/bench/r${i}\n  interval: 1h\n`);
    }
    writeFileSync(join(manifests, `repos-${file}.yaml`), docs.join('---\n'));
  }
  const env = { PATH: process.env.PATH, HOME: work, DOCKER_CONFIG: join(work, 'docker'), XDG_CACHE_HOME: join(work, 'cache') };
  const colds = [];
  let db;
  let requests = 0;
  for (let i = 0; i < COLD_RUNS; i++) {
    db = join(work, `tags-${i}.sqlite`);
    bed.requests.length = 0;
    const run = await runCli(['scan', manifests, '--db', db, '--format', 'json'], env);
    if (run.code !== 0) throw new Error(`tagline scan exited ${run.code}: ${run.stderr.slice(0, 2000)}`);
    requests = bed.requests.length;
    colds.push(run);
  }
  const cold = { ms: median(colds.map((c) => c.ms)), maxRssKb: Math.max(...colds.map((c) => c.maxRssKb)) };
  const dbBytes = statSync(db).size;

  const reopen = [];
  const firstOpen = await timed(() => TagStore.open({ file: db }));
  await firstOpen.result.close();
  for (let i = 0; i < RUNS; i++) {
    const r = await timed(() => TagStore.open({ file: db }));
    reopen.push(r.ms);
    if (r.result.objects().length !== REPOS) throw new Error('the database lost objects');
    await r.result.close();
  }
  const mReopen = median(reopen);

  const ratio = (a, b) => (a / b).toFixed(2);
  const spread = (xs) => `${ms(Math.min(...xs))}–${ms(Math.max(...xs))}`;
  const row = (label, name) => `  ${label.padEnd(38)} ${ms(m[name]).padStart(8)}   (${spread(rows[name])}; ${requestsPerListing[name]} requests)`;
  console.log(`
${new Date().toISOString()} · ${cpus().length} cores · load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the end (${loadAtStart} at the start)

Listing ${BIG_TAGS} tags (${BIG_TAGS / 1000} pages of 1000 through the shim, its tag list cached), median of ${RUNS} runs each, fresh connections every run
${row('tagline, whole process (node start-up)', 'taglineProcess')}
${row('skopeo list-tags, whole process', 'skopeoProcess')}
${row('tagline listTags, in process', 'taglineInProcess')}
${row('bare undici page loop, in process', 'bareInProcess')}
  as processes: tagline is ${ratio(m.skopeoProcess, m.taglineProcess)}x as fast as skopeo   target faster: ${verdict(m.taglineProcess < m.skopeoProcess)}
  in process:   tagline takes ${ratio(m.taglineInProcess, m.bareInProcess)}x the floor (it also pings /v2/)   target <= 1.2x: ${verdict(m.taglineInProcess <= 1.2 * m.bareInProcess)}
  (skopeo cannot be timed in process: it is a Go program.)

Cold \`tagline scan\` of ${REPOS} ImageRepositories x ${TAGS_PER_REPO} tags (dist/cli.js, fresh database each run), median of ${COLD_RUNS}
  wall time, reconciled + persisted  ${ms(cold.ms)} (${spread(colds.map((c) => c.ms))})   target < 10 s: ${verdict(cold.ms < 10_000)}
  registry requests                  ${requests} (${(requests / (cold.ms / 1000)).toFixed(0)} requests/s)
  peak RSS                           ${(cold.maxRssKb / 1024).toFixed(0)} MB (highest of the runs)   target < 300 MB: ${verdict(cold.maxRssKb < 300 * 1024)}
  database file                      ${(dbBytes / 1024 / 1024).toFixed(1)} MB
  reopen the database                ${ms(mReopen)} median of ${RUNS} (first open, with WebAssembly start: ${ms(firstOpen.ms)})   target < 200 ms: ${verdict(mReopen < 200)}
`);
} finally {
  await closeDispatchers();
  await bed.stop();
  rmSync(work, { recursive: true, force: true });
}
