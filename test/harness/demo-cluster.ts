// `npm run cluster`: the real Flux image-reflector-controller on a real kube-apiserver (test/harness/cluster.ts)
// beside the demo registries of `npm run registry` (127.0.0.1:5050 and :5051), with examples/ applied, so a
// person can watch the controller and `tagline scan examples/` side by side. Prints the kubeconfig to use;
// Ctrl-C stops every process and removes every folder it made.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import { startCluster, type Cluster } from './cluster';
import { demoAuthSeed, demoCredentials, demoSeed } from './demo-registry';
import { startRegistryBed, type RegistryBed } from './registry-bed';

interface ImageRepositoryView extends KubernetesObject {
  status?: { conditions?: { type: string; status: string; message: string }[] };
}

function yamlFiles(folder: string): string[] {
  return readdirSync(folder).sort().flatMap((name) => {
    if (name.startsWith('.')) return []; // examples/.broken holds the deliberately failing ones
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

async function applyExamples(cluster: Cluster, folder: string): Promise<number> {
  const objects = yamlFiles(folder).flatMap((file) => (loadAllYaml(readFileSync(file, 'utf8')) as KubernetesObject[]).filter(Boolean));
  // Namespaces before what lives in them.
  objects.sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'));
  for (const object of objects) await cluster.objects.create(object);
  return objects.filter((o) => o.kind === 'ImageRepository').length;
}

async function waitUntilAllReported(cluster: Cluster, count: number): Promise<ImageRepositoryView[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const list = await cluster.objects.list<ImageRepositoryView>('image.toolkit.fluxcd.io/v1', 'ImageRepository');
    const reported = list.items.filter((item) => item.status?.conditions?.some((c) => c.type === 'Ready' && c.status !== 'Unknown'));
    if (reported.length >= count || Date.now() > deadline) return list.items;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const beds: RegistryBed[] = [];
  try {
    beds.push(await startRegistryBed({ variant: 'plain', shim: true, port: 5050, seed: demoSeed }));
    beds.push(await startRegistryBed({ variant: 'basic', port: 5051, credentials: demoCredentials, seed: demoAuthSeed }));
  } catch (error) {
    await Promise.all(beds.map((bed) => bed.stop()));
    console.error(`tagline cluster: the demo registries need 127.0.0.1:5050 and :5051 (is \`npm run registry\` or another \`npm run cluster\` running?): ${(error as Error).message}`);
    process.exit(1);
  }
  const cluster = await startCluster({ log: (line) => console.log(line) });
  const count = await applyExamples(cluster, resolve(__dirname, '../../examples'));
  const items = await waitUntilAllReported(cluster, count);
  console.log(`\nimage-reflector-controller on ${cluster.server}, ${count} ImageRepositories from examples/ (${((Date.now() - started) / 1000).toFixed(1)} s):`);
  for (const item of items) {
    const ready = item.status?.conditions?.find((c) => c.type === 'Ready');
    console.log(`  ${item.metadata!.namespace}/${item.metadata!.name}: Ready=${ready?.status ?? '-'} ${ready?.message ?? ''}`);
  }
  const peak = cluster.peakMemoryKiB();
  console.log(`peak memory: ${Object.entries(peak).map(([name, kib]) => `${name} ${(kib / 1024).toFixed(0)} MiB`).join(', ')}`);
  console.log(`\nkubeconfig: ${cluster.kubeconfigPath}`);
  console.log(`  KUBECONFIG=${cluster.kubeconfigPath} kubectl get imagerepositories -A`);
  console.log('  npx tagline scan examples/    (the same manifests, scanned by Tagline)');
  console.log('Ctrl-C stops the cluster and the registries and removes their folders.');
  // Ctrl-C and SIGTERM: processes.ts stops every program and removes every folder on the way out.
  setInterval(() => undefined, 1 << 30);
}

if (require.main === module) void main().catch((error: unknown) => {
  console.error(`tagline cluster: ${(error as Error).message}`);
  process.exit(1);
});
