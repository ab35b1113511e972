// The same ImageRepositories (200 by default, BENCH_FLUX_REPOS), on one local registry, reconciled by the real
// image-reflector-controller (on the stack of test/harness/cluster.ts, --concurrent=4, its default) and by
// Tagline's reconciler in process (4 listings per host, its default): wall time from apply to all Ready for
// each, and the ratio. Run with `npm run bench:flux` (builds the Go programs first if the cache has none).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { specHash } from '../common/flux/generation';
import type { ImageRepositoryObject } from '../common/model';
import { Reconciler } from '../client/src/reconciler';
import { closeDispatchers } from '../client/src/registry';
import { TagStore } from '../client/src/store';
import { startCluster } from '../test/harness/cluster';
import { startRegistryBed } from '../test/harness/registry-bed';

const REPOS = Number(process.env.BENCH_FLUX_REPOS ?? 200);
const TAGS = Array.from({ length: 100 }, (_, i) => `1.${Math.floor(i / 10)}.${i % 10}`);
const NAMESPACE = 'bench';

interface Listed extends KubernetesObject { status?: { conditions?: { type: string; status: string }[] } }

async function main(): Promise<void> {
  const bed = await startRegistryBed({ variant: 'plain', seed: Object.fromEntries(Array.from({ length: REPOS }, (_, i) => [`bench/app-${i}`, TAGS])) });
  const cluster = await startCluster({ log: (line) => console.log(line) });
  const folder = mkdtempSync(join(tmpdir(), 'tagline-bench-flux-'));
  try {
    const objects: ImageRepositoryObject[] = Array.from({ length: REPOS }, (_, i) => {
      const spec = { image: `${bed.host}/bench/app-${i}`, interval: '1h', insecure: true };
      return { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository', metadata: { name: `app-${i}`, namespace: NAMESPACE }, spec, specHash: specHash(spec) };
    });

    await cluster.core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
    const fluxStarted = performance.now();
    await Promise.all(objects.map(({ apiVersion, kind, metadata, spec }) => cluster.objects.create({ apiVersion, kind, metadata, spec } as KubernetesObject)));
    let ready = 0;
    while (ready < REPOS) {
      const list = await cluster.objects.list<Listed>('image.toolkit.fluxcd.io/v1', 'ImageRepository', NAMESPACE);
      ready = list.items.filter((item) => item.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
      if (ready < REPOS) await new Promise((r) => setTimeout(r, 50));
    }
    const fluxMs = performance.now() - fluxStarted;

    const store = await TagStore.open({ file: join(folder, 'tags.sqlite') });
    const reconciler = new Reconciler({ store, credentials: { env: { PATH: process.env.PATH, HOME: folder }, allowProcesses: false } });
    const taglineStarted = performance.now();
    reconciler.update({ imageRepositories: objects, secrets: [], serviceAccounts: [] });
    await reconciler.whenIdle();
    const taglineMs = performance.now() - taglineStarted;
    const taglineReady = objects.filter((o) => reconciler.status(`${NAMESPACE}/${o.metadata.name}`)?.conditions.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    await reconciler.dispose();
    await store.close();

    console.log(`\n${REPOS} ImageRepositories of ${TAGS.length} tags, apply to all Ready:`);
    console.log(`  image-reflector-controller ${(fluxMs / 1000).toFixed(2)} s (${ready} Ready)`);
    console.log(`  Tagline                    ${(taglineMs / 1000).toFixed(2)} s (${taglineReady} Ready)`);
    console.log(`  ratio (controller / Tagline): ${(fluxMs / taglineMs).toFixed(1)}×`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
    await closeDispatchers();
    await cluster.stop();
    await bed.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
