// Child of bench/kustomize.mjs: builds every root of a folder with the kustomize module and prints the timings.
// argv: folder [instances (default: the pool's)]. Wall times in ms; `cpuMs` (`startCpuMs`) is this process's CPU time (all threads) over the first build (the start),
// which a busy machine inflates less than the wall time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findManifestFiles } from '../common/manifests';
import { KustomizeBuilds, KustomizePool, modulePath, type KustomizeBuilder } from '../common/kustomize';

/**
 * The pool, with at most `instances` builds in flight: each build then starts on an idle module at once, so its wall
 * time is that root's own build time (the pool alone would queue them, and the queueing would count as build time).
 * Total throughput is the same: a module never has more than one build to do.
 */
function timed(pool: KustomizePool, instances: number, times: { path: string; ms: number }[]): KustomizeBuilder {
  const waiting: (() => void)[] = [];
  let free = instances;
  const acquire = () => (free > 0 ? (free--, Promise.resolve()) : new Promise<void>((resolve) => waiting.push(resolve)));
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return {
    setFiles: (files) => pool.setFiles(files),
    async build(request) {
      await acquire();
      const started = performance.now();
      try {
        return await pool.build(request);
      } finally {
        times.push({ path: request.path, ms: performance.now() - started });
        release();
      }
    },
  };
}

async function main(folder: string): Promise<void> {
  const pool = new KustomizePool({ instances: process.argv[3] ? Number(process.argv[3]) : undefined });
  const { instances } = pool;
  const times: { path: string; ms: number }[] = [];
  const builds = new KustomizeBuilds(timed(pool, instances, times), modulePath(folder));
  const files = await findManifestFiles([folder]);
  builds.setFiles(Object.fromEntries(files.map((f) => [modulePath(f), readFileSync(f, 'utf8')])));
  let started = performance.now();
  const startCpu = process.cpuUsage();
  // Starts every instance (compile, Go initialisation, OpenAPI warm-up).
  await pool.start();
  const startMs = performance.now() - started;
  const startUsed = process.cpuUsage(startCpu);
  started = performance.now();
  const cpu = process.cpuUsage();
  const first = await builds.build();
  const buildMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const perRoot = times.splice(0).map((t) => t.ms).sort((a, b) => a - b);
  const edited = join(folder, 'apps', 'app-0', 'base', 'repo-0.yaml');
  builds.setFiles({ [modulePath(edited)]: readFileSync(edited, 'utf8').replace('app-0-0\n', 'app-0-0x\n') });
  started = performance.now();
  await builds.build();
  const rebuildMs = performance.now() - started;
  pool.dispose();
  const objects = first.builds.reduce((n, b) => n + b.response.objects.length, 0);
  const at = (q: number) => perRoot[Math.min(perRoot.length - 1, Math.floor(q * perRoot.length))];
  process.stdout.write(JSON.stringify({
    instances, startMs, startCpuMs: (startUsed.user + startUsed.system) / 1000, buildMs, cpuMs: (used.user + used.system) / 1000, rebuildMs, objects,
    errors: first.builds.filter((b) => b.response.error).length,
    perRoot: { roots: perRoot.length, minMs: perRoot[0], medianMs: at(0.5), maxMs: perRoot[perRoot.length - 1], meanMs: perRoot.reduce((a, b) => a + b, 0) / perRoot.length },
  }));
}

void main(process.argv[2]);
