// Speed of scanning (issue 3, "Speed"): on one local registry behind the paginating shim,
//   1. listing a 50,000-tag repository: our client in process vs `skopeo list-tags` vs a bare undici page loop;
//   2. a cold `tagline scan` (the built dist/cli.js) of 1,000 ImageRepositories of 500 tags each: wall time,
//      requests/s, peak RSS, database size, and the time to reopen the database.
// Run with `npm run bench:scan` (builds first). Prints medians and ratios against the targets.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const { listTags, scanOptions, closeDispatchers, clearTokenCache } = load('client/src/registry/index.ts');
const { parseImageReference } = load('common/flux/reference.ts');
const { TagStore } = load('client/src/store/index.ts');

const BIG_TAGS = Number(process.env.BENCH_BIG_TAGS ?? 50_000);
const REPOS = Number(process.env.BENCH_REPOS ?? 1_000);
const TAGS_PER_REPO = 500;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

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

/** The floor: what the registry and shim cost, with no auth logic, retries or limits. */
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

/** Asynchronous on purpose: the shim runs in this process and must keep answering while skopeo runs. */
function runSkopeo(host) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('skopeo', ['list-tags', '--tls-verify=false', `docker://${host}/bench/big`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`skopeo failed: ${stderr}`));
      resolve({ ms: performance.now() - started, count: JSON.parse(stdout).Tags.length });
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

const work = mkdtempSync(join(tmpdir(), 'tagline-bench-'));
const bed = await startRegistryBed({ variant: 'plain', shim: true });
try {
  console.log(`seeding ${BIG_TAGS} tags and ${REPOS} repositories of ${TAGS_PER_REPO} tags…`);
  await bed.seed('bench/big', Array.from({ length: BIG_TAGS }, (_, i) => `1.${Math.floor(i / 1000)}.${i % 1000}`));
  await bed.seed('bench/r0', Array.from({ length: TAGS_PER_REPO }, (_, i) => `v${i}`));
  // Every repository reads the same tag folders: the registry still answers each listing on its own.
  const repositories = join(bed.storage, 'docker/registry/v2/repositories/bench');
  for (let i = 1; i < REPOS; i++) symlinkSync(join(repositories, 'r0'), join(repositories, `r${i}`));

  // 1. Listing 50,000 tags.
  console.log('listing…');
  const reference = parseImageReference(`${bed.host}/bench/big`).reference;
  const dispatcher = new Agent();
  const ours = [];
  const bare = [];
  const skopeo = [];
  await listTags(reference, scanOptions(), AbortSignal.timeout(60_000)); // warm the shim's page cache
  for (let i = 0; i < RUNS; i++) {
    clearTokenCache();
    const a = await timed(() => listTags(reference, scanOptions(), AbortSignal.timeout(60_000)));
    if (a.result.length !== BIG_TAGS) throw new Error(`our client listed ${a.result.length} tags`);
    ours.push(a.ms);
    const b = await timed(() => bareUndiciList(bed.url, dispatcher));
    if (b.result.length !== BIG_TAGS) throw new Error(`the bare loop listed ${b.result.length} tags`);
    bare.push(b.ms);
  }
  console.log('skopeo…');
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    const s = await runSkopeo(bed.host);
    if (s.count !== BIG_TAGS) throw new Error(`skopeo listed ${s.count} tags`);
    skopeo.push(s.ms);
  }
  await dispatcher.close();
  const [mOurs, mBare, mSkopeo] = [median(ours), median(bare), median(skopeo)];

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
  const db = join(work, 'tags.sqlite');
  const env = { PATH: process.env.PATH, HOME: work, DOCKER_CONFIG: join(work, 'docker'), XDG_CACHE_HOME: join(work, 'cache') };
  bed.requests.length = 0;
  const cold = await runCli(['scan', manifests, '--db', db, '--format', 'json'], env);
  if (cold.code !== 0) throw new Error(`tagline scan exited ${cold.code}: ${cold.stderr.slice(0, 2000)}`);
  const requests = bed.requests.length;
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

  console.log(`
Listing ${BIG_TAGS} tags (${BIG_TAGS / 1000} pages through the shim), median of ${RUNS} (skopeo: ${skopeo.length})
  bare undici page loop (floor)   ${ms(mBare)}
  tagline listTags (in process)   ${ms(mOurs)}   ${(mOurs / mBare).toFixed(2)}x the floor   target <= 1.2x: ${verdict(mOurs <= 1.2 * mBare)}
  skopeo list-tags (whole run)    ${ms(mSkopeo)}   tagline is ${(mSkopeo / mOurs).toFixed(1)}x faster   target faster: ${verdict(mOurs < mSkopeo)}

Cold \`tagline scan\` of ${REPOS} ImageRepositories x ${TAGS_PER_REPO} tags (dist/cli.js, fresh database)
  wall time, reconciled + persisted  ${ms(cold.ms)}   target < 10 s: ${verdict(cold.ms < 10_000)}
  registry requests                  ${requests} (${(requests / (cold.ms / 1000)).toFixed(0)} requests/s)
  peak RSS                           ${(cold.maxRssKb / 1024).toFixed(0)} MB   target < 300 MB: ${verdict(cold.maxRssKb < 300 * 1024)}
  database file                      ${(dbBytes / 1024 / 1024).toFixed(1)} MB
  reopen the database                ${ms(mReopen)} median (first open, with WebAssembly start: ${ms(firstOpen.ms)})   target < 200 ms: ${verdict(mReopen < 200)}
`);
} finally {
  await closeDispatchers();
  await bed.stop();
  rmSync(work, { recursive: true, force: true });
}
