// Benchmark: building the kustomize roots of a generated Flux repository (30 roots, ~2,000 YAML files) with
// Tagline's WebAssembly module (KustomizePool: worker threads holding the files in memory; TAGLINE_BENCH_INSTANCES
// sets their number, default the pool's own) against `kustomize build` run as a process per root
// (sigs.k8s.io/kustomize/kustomize/v5 v5.8.1, the kustomize of kustomize-controller v1.10.1, built from the Go
// module proxy into ${XDG_CACHE_HOME:-~/.cache}/tagline/kustomize-v5.8.1). Prints both totals, the
// time per root, the pool size and the ratio.
// `npm run bench:kustomize` builds first.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOTS = 30;
const BASE_FILES = 64;
const KUSTOMIZE_VERSION = 'v5.8.1';

function kustomizeBinary() {
  const bin = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tagline', `kustomize-${KUSTOMIZE_VERSION}`);
  const file = join(bin, 'kustomize');
  if (!existsSync(file)) {
    mkdirSync(bin, { recursive: true });
    execFileSync('go', ['install', `sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}`], { env: { ...process.env, GOBIN: bin }, stdio: 'inherit' });
  }
  return file;
}

/** CPU time (ms) of this process's waited-for children, from /proc/self/stat (cutime + cstime); undefined off Linux. */
function childrenCpuMs() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

function write(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** clusters/prod/app-N.yaml (Flux Kustomization) → apps/app-N/overlays/prod → apps/app-N/base (64 files). */
function generate(root) {
  let files = 0;
  for (let r = 0; r < ROOTS; r++) {
    const app = join(root, 'apps', `app-${r}`);
    const resources = [];
    for (let i = 0; i < BASE_FILES; i++) {
      const name = `repo-${i}.yaml`;
      resources.push(name);
      write(join(app, 'base', name), `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: app-${r}-${i}
  annotations:
    tagline.dev/scan: registry
spec:
  image: ghcr.io/acme/app-${r}-${i}
`);
      files++;
    }
    write(join(app, 'base', 'interval.yaml'), 'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: any\nspec:\n  interval: 5m\n');
    write(join(app, 'base', 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: apps
resources:
${resources.map((f) => `  - ${f}`).join('\n')}
patches:
  - path: interval.yaml
    target:
      kind: ImageRepository
      annotationSelector: tagline.dev/scan=registry
`);
    write(join(app, 'overlays', 'prod', 'kustomization.yaml'), 'resources:\n  - ../../base\nnamePrefix: prod-\n');
    write(join(root, 'clusters', 'prod', `app-${r}.yaml`), `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: app-${r}
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps/app-${r}/overlays/prod
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`);
    files += 4;
  }
  return files;
}

const work = mkdtempSync(join(tmpdir(), 'tagline-bench-kustomize-'));
try {
  const files = generate(work);
  const kustomize = kustomizeBinary();

  const childCpu = childrenCpuMs();
  let started = performance.now();
  let objects = 0;
  for (let r = 0; r < ROOTS; r++) {
    const run = spawnSync(kustomize, ['build', join(work, 'apps', `app-${r}`, 'overlays', 'prod')], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (run.status !== 0) throw new Error(run.stderr);
    objects += run.stdout.split('\nkind: ImageRepository').length - 1;
  }
  const processMs = performance.now() - started;
  const processCpuMs = childCpu === undefined ? undefined : childrenCpuMs() - childCpu;

  started = performance.now();
  const check = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'kustomize-roots.ts'), work, ...(process.env.TAGLINE_BENCH_INSTANCES ? [process.env.TAGLINE_BENCH_INSTANCES] : [])], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (check.status !== 0) throw new Error(check.stderr);
  const ours = JSON.parse(check.stdout);
  const totalMs = performance.now() - started;

  console.log(`workload: ${files} YAML files, ${ROOTS} roots, ${objects} objects from kustomize build, ${ours.objects} from Tagline`);
  console.log(`kustomize build ${KUSTOMIZE_VERSION}, one process per root: ${processMs.toFixed(0)} ms${processCpuMs === undefined ? '' : ` (CPU ${processCpuMs.toFixed(0)} ms)`}`);
  const { perRoot } = ours;
  console.log(`Tagline WebAssembly, pool of ${ours.instances} module${ours.instances === 1 ? '' : 's'} on ${availableParallelism()} cores: module start ${ours.startMs.toFixed(0)} ms (CPU ${ours.startCpuMs.toFixed(0)} ms), first build of all roots ${ours.buildMs.toFixed(0)} ms (CPU ${ours.cpuMs.toFixed(0)} ms), rebuild after editing one base file ${ours.rebuildMs.toFixed(0)} ms (whole process ${totalMs.toFixed(0)} ms)`);
  console.log(`per root (${perRoot.roots} roots, first build): median ${perRoot.medianMs.toFixed(0)} ms, mean ${perRoot.meanMs.toFixed(0)} ms, min ${perRoot.minMs.toFixed(0)} ms, max ${perRoot.maxMs.toFixed(0)} ms`);
  console.log(`ratio (kustomize processes / Tagline builds without module start): ${(processMs / ours.buildMs).toFixed(2)}x${processCpuMs === undefined ? '' : `; in CPU time ${(processCpuMs / ours.cpuMs).toFixed(2)}x`}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
