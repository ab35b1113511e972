// Cluster mode against the real stack: kube-apiserver + etcd + image-reflector-controller (test/harness/cluster.ts)
// and a real registry (test/harness/registry-bed.ts). Tagline's ClusterSource lists and watches what the real
// controller writes; its writes are observed by the real controller.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RbacAuthorizationV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { ClusterSource, loadKubeConfig, requestReconciliation, setSuspended, type ClusterObject } from '../../client/src/kubernetes';
import { startCluster, type Cluster } from '../harness/cluster';
import { startRegistryBed, type RegistryBed } from '../harness/registry-bed';

const CLI = resolve('dist/cli.js');
let cluster: Cluster;
let bed: RegistryBed;
let work: string;

const repository = (namespace: string, name: string, image: string, extra: Record<string, unknown> = {}): KubernetesObject => ({
  apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository', metadata: { namespace, name },
  spec: { image, interval: '5m', ...extra },
} as KubernetesObject);

const policy = (namespace: string, name: string, rule: Record<string, unknown>): KubernetesObject => ({
  apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy', metadata: { namespace, name },
  spec: { imageRepositoryRef: { name: 'same' }, policy: rule },
} as KubernetesObject);

async function namespace(name: string): Promise<void> {
  await cluster.core.createNamespace({ body: { metadata: { name } } });
}

function ready(o: ClusterObject | undefined): string | undefined {
  return o?.status.conditions?.find((c) => c.type === 'Ready')?.status;
}

/** Runs the CLI; the kill timeout only bounds a hang (a loaded 2-core CI machine can take tens of seconds). */
function cli(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, ...env }, timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'tagline-cluster-mode-'));
  [cluster, bed] = await Promise.all([
    startCluster({ log: (line) => process.stderr.write(`${line}\n`) }),
    startRegistryBed({ variant: 'plain', seed: { 'apps/podinfo': ['6.0.0', '6.1.0'], 'apps/other': ['1.0.0'] } }),
  ]);
  await namespace('apps');
  await cluster.objects.create(repository('apps', 'podinfo', `${bed.host}/apps/podinfo`, { insecure: true }));
});

after(async () => {
  await cluster?.stop();
  await bed?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('cluster mode against a real kube-apiserver and image-reflector-controller', () => {
  it('lists, then shows a status change the real controller makes after a push, through the watch', async () => {
    const source = new ClusterSource(loadKubeConfig({ files: [cluster.kubeconfigPath] }));
    try {
      await source.start();
      await waitUntil(source, () => source.state.phase === 'connected');
      assert.equal(source.state.version, 'v1');
      const first = await source.waitFor('ImageRepository', 'apps', 'podinfo', (o) => o.status.lastScanResult?.tagCount === 2);
      assert.equal(ready(first), 'True');
      await bed.seed('apps/podinfo', ['6.2.0']);
      const requestedAt = await requestReconciliation(source.config, { kind: 'ImageRepository', namespace: 'apps', name: 'podinfo', version: 'v1' });
      const seen = Date.now();
      const after = await source.waitFor('ImageRepository', 'apps', 'podinfo', (o) => o.status.lastHandledReconcileAt === requestedAt);
      assert.equal(after.status.lastScanResult?.tagCount, 3, 'the controller rescanned and found the pushed tag');
      assert.deepEqual(after.status.lastScanResult?.latestTags, ['6.2.0', '6.1.0', '6.0.0']);
      assert.ok(Date.now() - seen < 30_000);
      // The annotation is Go's RFC3339Nano, and the controller accepted it as a request (it copied it).
      assert.match(requestedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
      assert.equal(after.requestedAt, requestedAt);
    } finally {
      source.stop();
    }
  });

  it('suspends and resumes as the flux CLI does, and the real controller honours it', async () => {
    const source = new ClusterSource(loadKubeConfig({ files: [cluster.kubeconfigPath] }));
    try {
      await source.start();
      const ref = { kind: 'ImageRepository' as const, namespace: 'apps', name: 'podinfo', version: 'v1' };
      await setSuspended(source.config, ref, true);
      await source.waitFor('ImageRepository', 'apps', 'podinfo', (o) => o.spec.suspend === true);
      // Suspended: the controller still copies a reconcile request to lastHandledReconcileAt, but does not scan.
      const tagsBefore = source.get('ImageRepository', 'apps', 'podinfo')!.status.lastScanResult?.tagCount;
      await bed.seed('apps/podinfo', ['6.3.0']);
      const requestedAt = await requestReconciliation(source.config, ref);
      const handled = await source.waitFor('ImageRepository', 'apps', 'podinfo', (o) => o.status.lastHandledReconcileAt === requestedAt);
      assert.equal(handled.status.lastScanResult?.tagCount, tagsBefore);
      await setSuspended(source.config, ref, false);
      const resumed = await source.waitFor('ImageRepository', 'apps', 'podinfo', (o) => o.spec.suspend === undefined);
      assert.equal('suspend' in resumed.spec, false, 'resume removes spec.suspend, as MergeFrom with omitempty does');
    } finally {
      source.stop();
    }
  });

  it('tagline diff reports each kind of drift, of ImageRepositories and ImagePolicies, and exits 1; tagline get prints the flux table', async () => {
    await namespace('drift');
    await cluster.objects.create(repository('drift', 'changed', `${bed.host}/apps/other`, { insecure: true, interval: '10m' }));
    await cluster.objects.create(repository('drift', 'cluster-only', `${bed.host}/apps/other`, { insecure: true }));
    await cluster.objects.create(repository('drift', 'same', `${bed.host}/apps/other`, { insecure: true }));
    await cluster.objects.create(policy('drift', 'changed-policy', { semver: { range: '>=1.0.0' } }));
    await cluster.objects.create(policy('drift', 'cluster-policy', { semver: { range: '>=1.0.0' } }));
    // The API server stores `order: asc` and `digestReflectionPolicy: Never` (CRD defaults): not a difference.
    await cluster.objects.create(policy('drift', 'same-policy', { alphabetical: {} }));
    const manifests = join(work, 'drift.yaml');
    const doc = (name: string, interval: string) => `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: ${name}
  namespace: drift
spec:
  image: ${bed.host}/apps/other
  interval: ${interval}
  insecure: true
`;
    const policyDoc = (name: string, rule: string) => `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: ${name}
  namespace: drift
spec:
  imageRepositoryRef:
    name: same
  policy:
${rule}
`;
    writeFileSync(manifests, [
      doc('changed', '5m'), doc('same', '5m'), doc('local-only', '5m'),
      policyDoc('changed-policy', '    semver:\n      range: ">=2.0.0"'), policyDoc('same-policy', '    alphabetical: {}'),
      policyDoc('local-policy', '    numerical:\n      order: desc'),
    ].join('---\n'));
    const diff = cli(['diff', manifests]);
    assert.equal(diff.stderr, '');
    assert.equal(diff.stdout, [
      'ImagePolicy/drift/changed-policy: spec differs from cluster tagline: spec.policy.semver.range ">=2.0.0" (cluster: ">=1.0.0")',
      'ImagePolicy/drift/cluster-policy: in cluster tagline, not in the workspace',
      'ImagePolicy/drift/local-policy: not in cluster tagline',
      'ImageRepository/drift/changed: spec differs from cluster tagline: spec.interval "5m" (cluster: "10m")',
      'ImageRepository/drift/cluster-only: in cluster tagline, not in the workspace',
      'ImageRepository/drift/local-only: not in cluster tagline',
      '',
    ].join('\n'));
    assert.equal(diff.code, 1);
    writeFileSync(manifests, doc('same', '5m'));
    const clean = cli(['diff', manifests, '--context', 'tagline']);
    assert.equal(clean.stdout, [
      'ImagePolicy/drift/changed-policy: in cluster tagline, not in the workspace',
      'ImagePolicy/drift/cluster-policy: in cluster tagline, not in the workspace',
      'ImagePolicy/drift/same-policy: in cluster tagline, not in the workspace',
      'ImageRepository/drift/changed: in cluster tagline, not in the workspace',
      'ImageRepository/drift/cluster-only: in cluster tagline, not in the workspace',
      '',
    ].join('\n'));

    const get = cli(['get', '-n', 'apps']);
    assert.equal(get.code, 0, get.stderr);
    const [header, row] = get.stdout.split('\n');
    assert.match(header, /^NAME\s+\tLAST SCAN\s+\tSUSPENDED\s*\tREADY\s*\tMESSAGE\s*\t$/);
    assert.match(row, /^podinfo\s*\t\S+\s*\tFalse\s*\tTrue\s*\t\S/);
    const missing = cli(['get', '--context', 'nope']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'tagline: context was not found for specified context: nope\n');
  });

  it('a user allowed in one namespace only: falls back to it, names what was refused, never shows the token', async () => {
    await namespace('team-a');
    await cluster.objects.create(repository('team-a', 'app', `${bed.host}/apps/other`, { insecure: true }));
    await cluster.core.createNamespacedServiceAccount({ namespace: 'team-a', body: { metadata: { name: 'jane' } } });
    const rbac = cluster.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({ namespace: 'team-a', body: {
      metadata: { name: 'image-reader' },
      rules: [{ apiGroups: ['image.toolkit.fluxcd.io'], resources: ['imagerepositories', 'imagepolicies'], verbs: ['get', 'list', 'watch'] }],
    } });
    await rbac.createNamespacedRoleBinding({ namespace: 'team-a', body: {
      metadata: { name: 'jane-reads' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'image-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'jane', namespace: 'team-a' }],
    } });
    const { status } = await cluster.core.createNamespacedServiceAccountToken({ namespace: 'team-a', name: 'jane', body: { spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 3600 } } });
    const token = status!.token;
    const admin = cluster.kubeConfig;
    const kubeconfig = join(work, 'jane.kubeconfig');
    writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
current-context: jane
clusters:
- name: tagline
  cluster: { server: "${cluster.server}", certificate-authority-data: "${admin.getCurrentCluster()!.caData}" }
users:
- name: jane
  user: { token: "${token}" }
contexts:
- name: jane
  context: { cluster: tagline, user: jane, namespace: team-a }
`);
    const source = new ClusterSource(loadKubeConfig({ files: [kubeconfig] }), { fallbackNamespaces: ['team-a', 'apps'] });
    try {
      await source.start();
      await waitUntil(source, () => source.state.phase === 'connected');
      assert.deepEqual(source.state.namespaces, ['apps', 'team-a']);
      assert.deepEqual(source.objects().map((o) => `${o.namespace}/${o.name}`), ['team-a/app']);
      assert.ok(source.state.forbidden.includes(
        'imagerepositories.image.toolkit.fluxcd.io is forbidden: User "system:serviceaccount:team-a:jane" cannot list resource "imagerepositories" in API group "image.toolkit.fluxcd.io" at the cluster scope',
      ), source.state.forbidden.join('\n'));
      assert.ok(source.state.forbidden.includes(
        'imagerepositories.image.toolkit.fluxcd.io is forbidden: User "system:serviceaccount:team-a:jane" cannot list resource "imagerepositories" in API group "image.toolkit.fluxcd.io" in the namespace "apps"',
      ), source.state.forbidden.join('\n'));
      await assert.rejects(
        requestReconciliation(source.config, { kind: 'ImageRepository', namespace: 'team-a', name: 'app', version: 'v1' }),
        { message: 'imagerepositories.image.toolkit.fluxcd.io "app" is forbidden: User "system:serviceaccount:team-a:jane" cannot update resource "imagerepositories" in API group "image.toolkit.fluxcd.io" in the namespace "team-a"' },
      );
      const everything = JSON.stringify(source.state) + JSON.stringify(source.objects());
      assert.ok(!everything.includes(token));
    } finally {
      source.stop();
    }
    // The editor's fallback namespaces come from the workspace index, which may arrive while the first list runs.
    let indexed: string[] = [];
    const lazy = new ClusterSource(loadKubeConfig({ files: [kubeconfig] }), { fallbackNamespaces: () => indexed });
    try {
      const started = lazy.start();
      indexed = ['team-a'];
      await started;
      assert.deepEqual(lazy.objects().map((o) => `${o.namespace}/${o.name}`), ['team-a/app']);
    } finally {
      lazy.stop();
    }
    const get = cli(['get', '-A'], { KUBECONFIG: kubeconfig });
    assert.equal(get.code, 2);
    assert.ok(get.stderr.includes('cannot list resource "imagerepositories"'), get.stderr);
    assert.ok(!get.stderr.includes(token) && !get.stdout.includes(token));
    const wrong = join(work, 'wrong.kubeconfig');
    writeFileSync(wrong, readFile(kubeconfig).replace(token, `${token.slice(0, -4)}AAAA`));
    const unauthorized = cli(['get', '-A'], { KUBECONFIG: wrong });
    assert.equal(unauthorized.stderr, 'tagline: Unauthorized\n');
  });

  it('recovers when the API server goes away mid-watch, without duplicate objects', async () => {
    const proxy = await tcpProxy(new URL(cluster.server).port);
    const kubeconfig = join(work, 'proxied.kubeconfig');
    writeFileSync(kubeconfig, readFile(cluster.kubeconfigPath).replace(cluster.server, `https://127.0.0.1:${proxy.port}`));
    const source = new ClusterSource(loadKubeConfig({ files: [kubeconfig] }));
    const phases: string[] = [];
    source.onDidChange((c) => { if (c.type === 'state') phases.push(source.state.phase); });
    try {
      await source.start();
      const before = source.objects().length;
      proxy.down();
      await waitUntil(source, () => source.state.phase === 'disconnected');
      assert.match(source.state.error ?? '', /^Get "https:\/\/127\.0\.0\.1:\d+\/apis\/image\.toolkit\.fluxcd\.io\/v1\/[a-z]+(\?[^"]*)?": dial tcp 127\.0\.0\.1:\d+: connect: connection refused$|^Get "https:\/\/127\.0\.0\.1:\d+\/apis": dial tcp 127\.0\.0\.1:\d+: connect: connection refused$|^Get "https:\/\/127\.0\.0\.1:\d+\/apis\/image\.toolkit\.fluxcd\.io\/v1\/[a-z]+": read: connection reset by peer$/);
      await cluster.objects.create(repository('apps', 'while-away', `${bed.host}/apps/other`, { insecure: true }));
      proxy.up();
      await source.waitFor('ImageRepository', 'apps', 'while-away', () => true);
      await waitUntil(source, () => source.state.phase === 'connected');
      const keys = source.objects().map((o) => `${o.kind}/${o.namespace}/${o.name}`);
      assert.equal(new Set(keys).size, keys.length);
      assert.equal(keys.length, before + 1);
      assert.deepEqual(phases.filter((p, i) => p !== phases[i - 1]).slice(-2), ['disconnected', 'connected']);
    } finally {
      source.stop();
      await proxy.close();
    }
  });

  it('relists on 410 Gone after a real API server restart over a compacted etcd, without duplicate objects', { timeout: 240_000 }, async (t) => {
    await namespace('relist');
    for (const name of ['stays', 'goes']) await cluster.objects.create(repository('relist', name, `${bed.host}/apps/other`, { insecure: true, suspend: true }));
    const proxy = await tcpProxy(new URL(cluster.server).port);
    const kubeconfig = join(work, 'relist.kubeconfig');
    writeFileSync(kubeconfig, readFile(cluster.kubeconfigPath).replace(cluster.server, `https://127.0.0.1:${proxy.port}`));
    const source = new ClusterSource(loadKubeConfig({ files: [kubeconfig] }));
    // On a timeout the body never reaches `finally`: close the watch and the proxy so the process can end.
    t.signal.addEventListener('abort', () => { source.stop(); void proxy.close(); });
    let relists = 0;
    const upsertedWhileAway: string[] = [];
    let away = false;
    source.onDidChange((c) => {
      if (c.type === 'replaced') relists++;
      if (away && c.type !== 'state' && c.type !== 'replaced') upsertedWhileAway.push(`${c.type} ${c.object.name}`);
    });
    try {
      await source.start();
      await waitUntil(source, () => source.state.phase === 'connected');
      const listsBefore = relists;
      assert.ok(source.get('ImageRepository', 'relist', 'goes'));
      // The source keeps the resourceVersion it last saw; meanwhile the cluster moves on without it.
      away = true;
      proxy.down();
      await waitUntil(source, () => source.state.phase === 'disconnected');
      await cluster.objects.delete(repository('relist', 'goes', ''));
      await cluster.objects.create(repository('relist', 'arrives', `${bed.host}/apps/other`, { insecure: true, suspend: true }));
      await cluster.restartApiserver(async () => { await cluster.compactEtcd(); });
      proxy.up();
      await waitUntil(source, () => source.state.phase === 'connected' && source.get('ImageRepository', 'relist', 'arrives') !== undefined);
      // A resumed watch would have delivered DELETED/ADDED events; a relist replaces the whole scope instead.
      assert.ok(relists > listsBefore, 'the watch from the compacted resourceVersion ended in a relist');
      assert.deepEqual(upsertedWhileAway, []);
      assert.equal(source.get('ImageRepository', 'relist', 'goes'), undefined, 'an object deleted while away is gone after the relist');
      const keys = source.objects().map((o) => `${o.kind}/${o.namespace}/${o.name}`);
      assert.equal(new Set(keys).size, keys.length);
      assert.deepEqual(keys.filter((k) => k.includes('/relist/')).sort(), ['ImageRepository/relist/arrives', 'ImageRepository/relist/stays']);
    } finally {
      source.stop();
      await proxy.close();
    }
  });
});

function readFile(path: string): string {
  return readFileSync(path, 'utf8');
}

function waitUntil(source: ClusterSource, test: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (test()) return resolve();
    const sub = source.onDidChange(() => {
      if (test()) {
        sub.dispose();
        resolve();
      }
    });
  });
}

/** A TCP pass-through on loopback that can drop every connection and refuse new ones: an API server outage. */
async function tcpProxy(targetPort: string): Promise<{ port: number; down(): void; up(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () => new Promise<void>((resolve) => {
    server = createServer((client) => {
      const upstream = connect(Number(targetPort), '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, '127.0.0.1', () => {
      port = (server!.address() as { port: number }).port;
      resolve();
    });
  });
  await listen();
  return {
    port,
    down() {
      server?.close();
      server = undefined;
      for (const s of sockets) s.destroy();
    },
    up() {
      void listen();
    },
    close: async () => {
      server?.close();
      for (const s of sockets) s.destroy();
    },
  };
}
