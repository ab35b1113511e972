// Cluster mode at scale: 2,000 ImageRepositories (with a controller-shaped status each) in a real
// kube-apiserver; measures the time from ClusterSource.start() to every object listed, watched and summarised
// for the views (drift against 2,000 manifests, one summary line each), and the heap those objects take.
// Run: npm run bench:cluster (node --expose-gc, so the heap is measured after a collection).
import { performance } from 'node:perf_hooks';
import type { KubernetesObject } from '@kubernetes/client-node';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { findDrift } from '../common/flux/drift';
import { ClusterSource, clusterSubjects, clusterSummary, loadKubeConfig } from '../client/src/kubernetes';
import { startCluster } from '../test/harness/cluster';

const COUNT = Number(process.env.TAGLINE_BENCH_OBJECTS ?? 2000);
const NAMESPACES = 20;
const gc = (globalThis as { gc?: () => void }).gc;

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function main(): Promise<void> {
  const cluster = await startCluster({ log: (line) => process.stderr.write(`${line}\n`) });
  try {
    const api = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
    for (let n = 0; n < NAMESPACES; n++) await cluster.core.createNamespace({ body: { metadata: { name: `bench-${n}` } } });
    const names = Array.from({ length: COUNT }, (_, i) => ({ namespace: `bench-${i % NAMESPACES}`, name: `app-${i}` }));
    const seeded = performance.now();
    // Suspended, so the controller leaves them alone; the status is written through the status subresource in
    // the controller's shape (conditions, lastScanResult with 10 latest tags), as a busy cluster would have it.
    await inParallel(names, 16, async ({ namespace, name }) => {
      await cluster.objects.create({
        apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository', metadata: { namespace, name },
        spec: { image: `ghcr.io/example/${name}`, interval: '5m', suspend: true },
      } as KubernetesObject);
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      await api.patchNamespacedCustomObjectStatus({
        group: 'image.toolkit.fluxcd.io', version: 'v1', namespace, plural: 'imagerepositories', name,
        body: { status: {
          observedGeneration: 1, canonicalImageName: `ghcr.io/example/${name}`,
          conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: 'successful scan: found 211 tags', lastTransitionTime: now, observedGeneration: 1 }],
          lastScanResult: { revision: 'sha256:' + 'a'.repeat(64), tagCount: 211, scanTime: now, latestTags: Array.from({ length: 10 }, (_, t) => `6.${9 - t}.0`) },
          observedExclusionList: ['^.*\\.sig$'],
        } },
      }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    });
    process.stderr.write(`seeded ${COUNT} objects in ${((performance.now() - seeded) / 1000).toFixed(1)} s\n`);

    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const source = new ClusterSource(loadKubeConfig({ files: [cluster.kubeconfigPath] }));
    await source.start();
    const listed = performance.now();
    const objects = source.objects();
    if (objects.length !== COUNT) throw new Error(`listed ${objects.length} of ${COUNT}`);
    const manifests = clusterSubjects(objects).map((s) => ({ ...s, spec: { ...s.spec, interval: '10m' } }));
    const drift = findDrift(manifests, clusterSubjects(objects), { kinds: ['ImageRepository'] });
    const lines = objects.map((o) => clusterSummary(o));
    const shown = performance.now();
    gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    source.stop();
    const result = {
      objects: COUNT,
      listAndWatchMs: Math.round(listed - started),
      listShowMs: Math.round(shown - started),
      driftFound: drift.length,
      summaries: lines.length,
      heapMiB: Number(((heapAfter - heapBefore) / 1024 / 1024).toFixed(1)),
      bytesPerObject: Math.round((heapAfter - heapBefore) / COUNT),
    };
    process.stdout.write(JSON.stringify(result) + '\n');
    if (result.listShowMs > 2000) process.exitCode = 1;
  } finally {
    await cluster.stop();
  }
}

void main();
