// Child of bench/kustomize.mjs: builds every root of a folder with the kustomize module and prints the timings.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findManifestFiles } from '../common/manifests';
import { KustomizeBuilds, KustomizePool, modulePath } from '../common/kustomize';

async function main(folder: string): Promise<void> {
  const instances = Number(process.argv[3] ?? 2);
  const module = new KustomizePool({ instances });
  const builds = new KustomizeBuilds(module, modulePath(folder));
  const files = await findManifestFiles([folder]);
  builds.setFiles(Object.fromEntries(files.map((f) => [modulePath(f), readFileSync(f, 'utf8')])));
  let started = performance.now();
  // Starts every instance (compile, Go initialisation, OpenAPI warm-up).
  await Promise.all(Array.from({ length: instances }, () => module.build({ path: '/' })));
  const startMs = performance.now() - started;
  started = performance.now();
  const first = await builds.build();
  const buildMs = performance.now() - started;
  const edited = join(folder, 'apps', 'app-0', 'base', 'repo-0.yaml');
  builds.setFiles({ [modulePath(edited)]: readFileSync(edited, 'utf8').replace('app-0-0\n', 'app-0-0x\n') });
  started = performance.now();
  await builds.build();
  const rebuildMs = performance.now() - started;
  module.dispose();
  const objects = first.builds.reduce((n, b) => n + b.response.objects.length, 0);
  process.stdout.write(JSON.stringify({ startMs, buildMs, rebuildMs, objects, errors: first.builds.filter((b) => b.response.error).length }));
}

void main(process.argv[2]);
