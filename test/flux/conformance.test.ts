// Conformance: the real image-reflector-controller is the oracle. Each scenario applies the same manifests to a
// real kube-apiserver watched by the controller (test/harness/cluster.ts) and to Tagline's reconciler (in process,
// as `tagline scan` runs it), against the same real registries of test/harness/, and compares what both report.
// Every difference must be listed, with its reason, in docs/flux-conformance.md; the run prints how many are.
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAllYaml, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { loadWorkspaceObjects } from '../../common/manifests';
import type { FluxEvent, ImageRepositoryStatus, WorkspaceObjects } from '../../common/model';
import { Reconciler } from '../../client/src/reconciler';
import { clearTokenCache, closeDispatchers } from '../../client/src/registry';
import { TagStore } from '../../client/src/store';
import { startCluster, type Cluster } from '../harness/cluster';
import { startRegistryBed, type RegistryBed, type RegistryVariant } from '../harness/registry-bed';
import { assertAllListed, differences, eventLine, fieldMap, RFC3339_SECONDS, type Difference } from './conformanceTable';

const TAGS = ['1.0.0', '1.0.1', '1.1.0', '1.2.0', '1.10.0', '2.0.0', '2.0.1-rc.1', 'latest', 'main-3f2a9c1', 'main-8d41b0e', 'v3', `sha256-${'a'.repeat(64)}.sig`, `sha256-${'b'.repeat(64)}.att`];
const REPO = 'conf/app';

interface Context {
  beds: Record<RegistryVariant, RegistryBed>;
}

/** One change applied to both sides after the first settled status, then compared again. */
interface Step {
  name: string;
  /** Annotations to merge into the ImageRepository's metadata. */
  annotations?: Record<string, string>;
  before?: (ctx: Context) => Promise<void>;
}

interface Scenario {
  name: string;
  /** YAML documents (the ImageRepository is named `repo`); `NS` is replaced by the scenario's namespace. */
  manifests: (ctx: Context) => string;
  /** The controller writes no status (suspended): wait for its log line instead. */
  suspended?: boolean;
  steps?: Step[];
}

const b64 = (text: string) => Buffer.from(text).toString('base64');
const dockerConfig = (bed: RegistryBed, password = bed.credentials!.password) =>
  b64(JSON.stringify({ auths: { [bed.host]: { username: bed.credentials!.username, password, auth: b64(`${bed.credentials!.username}:${password}`) } } }));

const repo = (image: string, extra = '', meta = '') => `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: repo
  namespace: NS
${meta}spec:
  image: ${image}
  interval: 5m
${extra}`;

const secret = (name: string, type: string, data: Record<string, string>) => `---
apiVersion: v1
kind: Secret
metadata:
  name: ${name}
  namespace: NS
type: ${type}
data:
${Object.entries(data).map(([key, value]) => `  ${key}: ${b64(value)}`).join('\n')}
`;

const pullSecret = (bed: RegistryBed, password?: string) => `---
apiVersion: v1
kind: Secret
metadata:
  name: pull
  namespace: NS
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: ${dockerConfig(bed, password)}
`;

const scenarios: Scenario[] = [
  { name: 'anonymous', manifests: ({ beds }) => repo(`${beds.plain.host}/${REPO}`, '  insecure: true\n') },
  { name: 'anonymous-loopback-scheme', manifests: ({ beds }) => repo(`${beds.plain.host}/${REPO}`) },
  { name: 'htpasswd', manifests: ({ beds }) => repo(`${beds.basic.host}/${REPO}`, '  insecure: true\n  secretRef:\n    name: pull\n') + pullSecret(beds.basic) },
  { name: 'token-server', manifests: ({ beds }) => repo(`${beds.token.host}/${REPO}`, '  insecure: true\n  secretRef:\n    name: pull\n') + pullSecret(beds.token) },
  { name: 'tls-cert-secret', manifests: ({ beds }) => repo(`${beds.tls.host}/${REPO}`, '  certSecretRef:\n    name: tls\n') + secret('tls', 'Opaque', { 'ca.crt': beds.tls.ca! }) },
  { name: 'tls-unknown-ca', manifests: ({ beds }) => repo(`${beds.tls.host}/${REPO}`) },
  {
    name: 'mtls',
    manifests: ({ beds }) => repo(`${beds.mtls.host}/${REPO}`, '  certSecretRef:\n    name: tls\n') + secret('tls', 'kubernetes.io/tls', { 'ca.crt': beds.mtls.ca!, 'tls.crt': beds.mtls.clientCert!, 'tls.key': beds.mtls.clientKey! }),
  },
  {
    name: 'proxy-secret',
    manifests: ({ beds }) => repo(`${beds.proxy.host}/${REPO}`, '  insecure: true\n  proxySecretRef:\n    name: proxy\n') +
      secret('proxy', 'Opaque', { address: beds.proxy.proxy!.url, username: beds.proxy.proxy!.username, password: beds.proxy.proxy!.password }),
  },
  { name: 'wrong-password', manifests: ({ beds }) => repo(`${beds.basic.host}/${REPO}`, '  insecure: true\n  secretRef:\n    name: pull\n') + pullSecret(beds.basic, 'not-the-password') },
  { name: 'no-credentials', manifests: ({ beds }) => repo(`${beds.basic.host}/${REPO}`, '  insecure: true\n') },
  { name: 'missing-secret', manifests: ({ beds }) => repo(`${beds.basic.host}/${REPO}`, '  insecure: true\n  secretRef:\n    name: absent\n') },
  { name: 'tag-in-image', manifests: ({ beds }) => repo(`${beds.plain.host}/${REPO}:1.0.0`, '  insecure: true\n') },
  { name: 'scheme-in-image', manifests: ({ beds }) => repo(`http://${beds.plain.host}/${REPO}`, '  insecure: true\n') },
  { name: 'invalid-reference', manifests: ({ beds }) => repo(`${beds.plain.host}/Conf/App`, '  insecure: true\n') },
  { name: 'unknown-repository', manifests: ({ beds }) => repo(`${beds.plain.host}/conf/absent`, '  insecure: true\n') },
  { name: 'bad-exclusion-regex', manifests: ({ beds }) => repo(`${beds.plain.host}/${REPO}`, '  insecure: true\n  exclusionList:\n    - "^main-("\n') },
  { name: 'custom-exclusion-list', manifests: ({ beds }) => repo(`${beds.plain.host}/${REPO}`, '  insecure: true\n  exclusionList:\n    - "^main-"\n    - "(?i)LATEST"\n') },
  { name: 'empty-exclusion-list', manifests: ({ beds }) => repo(`${beds.plain.host}/${REPO}`, '  insecure: true\n  exclusionList: []\n') },
  { name: 'suspended', suspended: true, manifests: ({ beds }) => repo(`${beds.plain.host}/${REPO}`, '  insecure: true\n  suspend: true\n') },
  {
    name: 'requested-at',
    manifests: ({ beds }) => repo(`${beds.plain.host}/${REPO}`, '  insecure: true\n'),
    steps: [{ name: 'annotated', annotations: { 'reconcile.fluxcd.io/requestedAt': '2026-11-29T12:00:00.000000000Z' } }],
  },
  {
    name: 'rescan-pushed-deleted',
    manifests: ({ beds }) => repo(`${beds.plain.host}/conf/rescan`, '  insecure: true\n'),
    steps: [{
      name: 'after-push-and-delete',
      annotations: { 'reconcile.fluxcd.io/requestedAt': 'rescan-1' },
      before: async ({ beds }) => {
        await beds.plain.seed('conf/rescan', ['3.0.0', '3.1.0', 'zzz-newest']);
        await beds.plain.deleteTags('conf/rescan', ['1.0.0', 'latest']);
      },
    }],
  },
];

// ---- comparison -------------------------------------------------------------------------------------------

interface Observed {
  status: ImageRepositoryStatus | Record<string, unknown>;
  events: string[];
}

/** The compared fields of a status and its events, flattened to `field → value` (timestamps by shape). */
function fields(observed: Observed): Map<string, string> {
  const s = observed.status as ImageRepositoryStatus;
  const { out, put } = fieldMap();
  put('canonicalImageName', s.canonicalImageName);
  put('observedGeneration', s.observedGeneration);
  put('lastHandledReconcileAt', s.lastHandledReconcileAt);
  put('observedExclusionList', s.observedExclusionList);
  put('lastScanResult.tagCount', s.lastScanResult?.tagCount);
  put('lastScanResult.latestTags', s.lastScanResult?.latestTags);
  put('lastScanResult.revision', s.lastScanResult?.revision);
  put('lastScanResult.scanTime (shape)', s.lastScanResult ? RFC3339_SECONDS.test(s.lastScanResult.scanTime) : undefined);
  const conditions = s.conditions ?? [];
  put('conditions (types in order)', conditions.map((c) => c.type));
  for (const c of conditions) {
    put(`conditions[${c.type}]`, { status: c.status, reason: c.reason, message: c.message, observedGeneration: c.observedGeneration });
    put(`conditions[${c.type}].lastTransitionTime (shape)`, RFC3339_SECONDS.test(c.lastTransitionTime));
  }
  put('events', observed.events);
  return out;
}

// ---- the two sides ------------------------------------------------------------------------------------------

async function fluxEvents(cluster: Cluster, namespace: string): Promise<string[]> {
  const list = await cluster.core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.name=repo' });
  return [...new Set(list.items.map((e) => eventLine(e.type ?? '', e.reason ?? '', e.message ?? '')))].sort();
}

function isSettled(status: ImageRepositoryStatus | undefined, generation: number, requestedAt?: string): boolean {
  if (!status?.conditions) return false;
  if (requestedAt !== undefined && status.lastHandledReconcileAt !== requestedAt) return false;
  const ready = status.conditions.find((c) => c.type === 'Ready');
  const stalled = status.conditions.find((c) => c.type === 'Stalled');
  const reconciling = status.conditions.find((c) => c.type === 'Reconciling');
  // Stalled is patched before the final patch that records observedGeneration: wait for both.
  if (stalled?.status === 'True') return status.observedGeneration === generation;
  if (ready?.status === 'True') return status.observedGeneration === generation && reconciling === undefined;
  return ready?.status === 'False' && reconciling?.reason === 'ProgressingWithRetry';
}

/** Polls the object until the controller has finished a reconcile of it (success, stall or a retried failure). */
async function waitForFlux(cluster: Cluster, namespace: string, requestedAt?: string): Promise<ImageRepositoryStatus> {
  const deadline = Date.now() + 60_000;
  let last: KubernetesObject & { status?: ImageRepositoryStatus } = {};
  while (Date.now() < deadline) {
    last = await cluster.objects.read({ apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository', metadata: { name: 'repo', namespace } });
    if (isSettled(last.status, last.metadata!.generation!, requestedAt)) return last.status!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the controller did not settle ${namespace}/repo: ${JSON.stringify(last.status)}\n${cluster.controllerLog().slice(-3000)}`);
}

/**
 * Cluster events arrive through the recorder's broadcaster a moment after the status: wait for as many as Tagline
 * has. The deadline only bounds a run where the controller emits fewer (a difference either way), so it is generous:
 * on a loaded 2-core CI machine the broadcaster's POST to the API server can lag the status by seconds.
 */
async function waitForFluxEvents(cluster: Cluster, namespace: string, atLeast: number): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  let events = await fluxEvents(cluster, namespace);
  while (events.length < atLeast && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    events = await fluxEvents(cluster, namespace);
  }
  return events;
}

class TaglineSide {
  private readonly folder = mkdtempSync(join(tmpdir(), 'tagline-conformance-'));
  private store!: TagStore;
  reconciler!: Reconciler;
  objects!: WorkspaceObjects;
  private readonly events: FluxEvent[] = [];

  /** Status and events right after the reconciler went idle (before a backoff retry starts another run). */
  snapshot!: Observed;

  async start(yaml: string): Promise<void> {
    const file = join(this.folder, 'manifests.yaml');
    writeFileSync(file, yaml);
    this.objects = (await loadWorkspaceObjects([file])).objects;
    this.store = await TagStore.open({ file: join(this.folder, 'tags.sqlite'), debounceMs: 20 });
    // No machine credentials: only what the manifests give, as the controller has.
    const env = { PATH: process.env.PATH, HOME: this.folder, DOCKER_CONFIG: join(this.folder, 'docker'), XDG_CONFIG_HOME: join(this.folder, 'config'), XDG_RUNTIME_DIR: join(this.folder, 'run') };
    this.reconciler = new Reconciler({ store: this.store, credentials: { env, allowProcesses: false } });
    this.reconciler.onEvent((e) => this.events.push(e));
    this.reconciler.update(this.objects);
    await this.reconciler.whenIdle();
    this.snapshot = this.observed();
  }

  async annotate(annotations: Record<string, string>): Promise<void> {
    const [object, ...others] = this.objects.imageRepositories;
    const annotated = { ...object!, metadata: { ...object!.metadata, annotations: { ...object!.metadata.annotations, ...annotations } } };
    this.objects = { ...this.objects, imageRepositories: [annotated, ...others] };
    this.reconciler.update(this.objects);
    await this.reconciler.whenIdle();
    this.snapshot = this.observed();
  }

  private observed(): Observed {
    const key = `${this.objects.imageRepositories[0]!.metadata.namespace}/repo`;
    const status = this.reconciler.status(key) ?? {};
    // Flux's recorder gives Kubernetes a Trace event as Normal (fluxcd/pkg/runtime events.Recorder).
    const events = [...new Set(this.events.map((e) => eventLine(e.type === 'Trace' ? 'Normal' : e.type, e.reason, e.message)))].sort();
    return { status, events };
  }

  async dispose(): Promise<void> {
    await this.reconciler?.dispose();
    await this.store?.close();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

// ---- the run ------------------------------------------------------------------------------------------------

describe('Tagline against the real image-reflector-controller', { timeout: 600_000 }, () => {
  let cluster: Cluster;
  const ctx = { beds: {} } as Context;
  const found: Difference[] = [];

  before(async () => {
    const variants: RegistryVariant[] = ['plain', 'basic', 'token', 'tls', 'mtls', 'proxy'];
    const [started, ...beds] = await Promise.all([
      startCluster({ log: (line) => process.stderr.write(`${line}\n`) }),
      ...variants.map((variant) => startRegistryBed({ variant, seed: { [REPO]: TAGS, 'conf/rescan': TAGS } })),
    ]);
    cluster = started as Cluster;
    variants.forEach((variant, i) => (ctx.beds[variant] = beds[i] as RegistryBed));
  });

  after(async () => {
    if (cluster) {
      const peak = cluster.peakMemoryKiB();
      process.stderr.write(`cluster: start-up ${(cluster.startMs / 1000).toFixed(1)} s; peak memory (VmHWM) ${Object.entries(peak).map(([name, kib]) => `${name} ${(kib / 1024).toFixed(0)} MiB`).join(', ')}\n`);
    }
    await cluster?.stop();
    await Promise.all(Object.values(ctx.beds).map((bed) => bed.stop()));
    clearTokenCache();
    await closeDispatchers();
  });

  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const namespace = `conf-${scenario.name}`;
      const yaml = scenario.manifests(ctx).replace(/\bNS\b/g, namespace);
      await cluster.core.createNamespace({ body: { metadata: { name: namespace } } });
      for (const object of loadAllYaml(yaml) as KubernetesObject[]) await cluster.objects.create(object);
      const tagline = new TaglineSide();
      try {
        await tagline.start(yaml);
        let fluxStatus: ImageRepositoryStatus | Record<string, never>;
        if (scenario.suspended) {
          await cluster.controllerLogWaitFor(new RegExp(`reconciliation is suspended for this object.*"namespace":"${namespace}"|"namespace":"${namespace}".*reconciliation is suspended for this object`));
          fluxStatus = ((await cluster.objects.read({ apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository', metadata: { name: 'repo', namespace } })) as { status?: ImageRepositoryStatus }).status ?? {};
        } else {
          fluxStatus = await waitForFlux(cluster, namespace);
        }
        let taglineObserved = tagline.snapshot;
        let fluxObserved: Observed = { status: fluxStatus, events: await waitForFluxEvents(cluster, namespace, taglineObserved.events.length) };
        found.push(...differences(scenario.name, fields(fluxObserved), fields(taglineObserved)));
        for (const step of scenario.steps ?? []) {
          await step.before?.(ctx);
          const annotations = step.annotations ?? {};
          await cluster.objects.patch(
            { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository', metadata: { name: 'repo', namespace, annotations } },
            undefined, undefined, undefined, undefined, PatchStrategy.MergePatch,
          );
          await tagline.annotate(annotations);
          const requestedAt = annotations['reconcile.fluxcd.io/requestedAt'];
          fluxStatus = await waitForFlux(cluster, namespace, requestedAt);
          taglineObserved = tagline.snapshot;
          fluxObserved = { status: fluxStatus, events: await waitForFluxEvents(cluster, namespace, taglineObserved.events.length) };
          found.push(...differences(`${scenario.name}/${step.name}`, fields(fluxObserved), fields(taglineObserved)));
        }
      } finally {
        await tagline.dispose();
      }
    });
  }

  it('every difference is listed in docs/flux-conformance.md, and every listed one still occurs', () => {
    assertAllListed(found, scenarios.map((s) => s.name), 'ImageRepository');
  });
});
